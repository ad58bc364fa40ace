#include "nvqual/driver/cid_allocator.hpp"

#include <set>

#include <gtest/gtest.h>

namespace nvqual {
namespace {

TEST(CidAllocator, ExhaustsThenRecovers) {
  CidAllocator cids(4);
  std::set<uint16_t> seen;
  for (int i = 0; i < 4; ++i) {
    const auto cid = cids.allocate();
    ASSERT_TRUE(cid.has_value());
    seen.insert(*cid);
  }
  EXPECT_EQ(seen.size(), 4u);
  EXPECT_FALSE(cids.allocate().has_value()) << "every CID outstanding: nothing to hand out";
  EXPECT_TRUE(cids.release(2));
  EXPECT_EQ(cids.allocate(), std::optional<uint16_t>(2));
}

TEST(CidAllocator, NeverReusesAnOutstandingCid) {
  CidAllocator cids(8);
  const auto held = *cids.allocate();  // stays outstanding throughout
  for (int round = 0; round < 100; ++round) {
    const auto cid = cids.allocate();
    ASSERT_TRUE(cid);
    EXPECT_NE(*cid, held);
    EXPECT_TRUE(cids.release(*cid));
  }
}

TEST(CidAllocator, WalksTheWholeSpaceButFfff) {
  CidAllocator cids;
  std::vector<bool> seen(0x10000, false);
  for (uint32_t i = 0; i < CidAllocator::kFullSpace; ++i) {
    const auto cid = cids.allocate();
    ASSERT_TRUE(cid);
    seen[*cid] = true;
    cids.release(*cid);
  }
  for (uint32_t cid = 0; cid < 0xFFFF; ++cid) ASSERT_TRUE(seen[cid]) << cid;
  EXPECT_FALSE(seen[0xFFFF]) << "FFFFh means 'no command' in the error log";
}

TEST(CidAllocator, ReleaseOfUnknownCidIsReported) {
  CidAllocator cids(4);
  EXPECT_FALSE(cids.release(1));
  const auto cid = *cids.allocate();
  EXPECT_TRUE(cids.release(cid));
  EXPECT_FALSE(cids.release(cid)) << "a duplicate completion";
}

}  // namespace
}  // namespace nvqual
