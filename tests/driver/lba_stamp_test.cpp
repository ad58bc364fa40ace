#include "nvqual/driver/lba_stamp.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace nvqual::lba_stamp {
namespace {

TEST(LbaStamp, LayoutMatchesTheDocumentedPattern) {
  std::vector<std::byte> block(512);
  fill_block(block, 0x0102030405060708ull, 0xAABBCCDD);
  EXPECT_EQ(block[0], std::byte{0x08});
  EXPECT_EQ(block[7], std::byte{0x01});
  EXPECT_EQ(block[8], std::byte{0xDD});
  EXPECT_EQ(block[11], std::byte{0xAA});
  const uint64_t lba = 0x0102030405060708ull;
  EXPECT_EQ(block[12], std::byte(static_cast<uint8_t>((lba * 31 + 12) & 0xFF)));
  EXPECT_EQ(block[511], std::byte(static_cast<uint8_t>((lba * 31 + 511) & 0xFF)));
}

TEST(LbaStamp, CheckFindsTheFirstWrongByte) {
  std::vector<std::byte> data(4 * 4096);
  fill(data, 4096, 100, 3);
  EXPECT_FALSE(check(data, 4096, 100, 3));
  EXPECT_TRUE(check(data, 4096, 101, 3)) << "blocks carry their own LBA";
  EXPECT_TRUE(check(data, 4096, 100, 4)) << "blocks carry the NSID";
  data[2 * 4096 + 77] ^= std::byte{0x40};
  const auto mismatch = check(data, 4096, 100, 3);
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(mismatch->lba, 102u);
  EXPECT_EQ(mismatch->byte, 77u);
}

}  // namespace
}  // namespace nvqual::lba_stamp
