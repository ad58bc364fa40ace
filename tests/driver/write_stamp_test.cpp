// The write stamp verifies itself and names what went wrong.
#include <gtest/gtest.h>

#include <vector>

#include "nvqual/driver/write_stamp.hpp"

namespace nvqual {
namespace {

using write_stamp::Stamp;
using write_stamp::Verdict;

constexpr uint32_t kBlock = 512;

std::vector<std::byte> blocks(const Stamp& first, size_t count) {
  std::vector<std::byte> data(count * kBlock);
  write_stamp::fill(data, kBlock, first);
  return data;
}

TEST(WriteStamp, AFreshlyFilledRangeChecksClean) {
  const Stamp first{100, 1, 3, 0xABCD};
  EXPECT_FALSE(write_stamp::check(blocks(first, 8), kBlock, first));
}

TEST(WriteStamp, AnOlderGenerationIsStale) {
  const auto data = blocks(Stamp{100, 1, 2, 0xABCD}, 4);
  const auto failure = write_stamp::check(data, kBlock, Stamp{100, 1, 3, 0xABCD});
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->verdict, Verdict::kStale);
  EXPECT_EQ(failure->lba, 100u);
}

TEST(WriteStamp, AnotherLbasBlockIsMisdirected) {
  auto data = blocks(Stamp{100, 1, 3, 0xABCD}, 4);
  write_stamp::fill_block(std::span<std::byte>(data).subspan(2 * kBlock, kBlock), Stamp{101, 1, 3, 0xABCD});
  const auto failure = write_stamp::check(data, kBlock, Stamp{100, 1, 3, 0xABCD});
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->verdict, Verdict::kMisdirected);
  EXPECT_EQ(failure->lba, 102u);
}

TEST(WriteStamp, AFlippedByteIsCorruption) {
  auto data = blocks(Stamp{100, 1, 3, 0xABCD}, 4);
  data[kBlock + 300] ^= std::byte{0x01};
  const auto failure = write_stamp::check(data, kBlock, Stamp{100, 1, 3, 0xABCD});
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->verdict, Verdict::kCorruption);
  EXPECT_EQ(failure->lba, 101u);
}

// matches(): check()'s yes/no without allocation (the I/O engine's hot path).
TEST(WriteStamp, MatchesAgreesWithCheck) {
  const Stamp first{100, 1, 3, 0xABCD};
  std::vector<std::byte> scratch(kBlock);
  auto data = blocks(first, 4);
  EXPECT_TRUE(write_stamp::matches(data, kBlock, first, scratch));
  EXPECT_FALSE(write_stamp::matches(data, kBlock, Stamp{100, 1, 4, 0xABCD}, scratch)) << "another generation";
  data[3 * kBlock + 511] ^= std::byte{0x80};
  EXPECT_FALSE(write_stamp::matches(data, kBlock, first, scratch)) << "the last byte of the last block";
  EXPECT_TRUE(write_stamp::check(data, kBlock, first));
}

TEST(WriteStamp, ChangingAnyFieldChangesTheBody) {
  const auto base = blocks(Stamp{5, 1, 1, 7}, 1);
  for (const Stamp other : {Stamp{6, 1, 1, 7}, Stamp{5, 2, 1, 7}, Stamp{5, 1, 2, 7}, Stamp{5, 1, 1, 8}}) {
    const auto data = blocks(other, 1);
    EXPECT_FALSE(
        std::equal(base.begin() + write_stamp::kHeaderBytes, base.end(), data.begin() + write_stamp::kHeaderBytes));
  }
}

}  // namespace
}  // namespace nvqual
