#include "nvqual/vfio/iova_allocator.hpp"

#include <gtest/gtest.h>

namespace nvqual::vfio {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kBase = 0x100000000ull;

// The ranges an x86 host reports: everything below the MSI window, then above it.
std::vector<IovaRange> x86_ranges() { return {{0, 0xfedfffff}, {0xfef00000, 0xffffffffffffull}}; }

TEST(IovaAllocator, StartsAtTheBase) {
  IovaAllocator allocator(x86_ranges(), kBase);
  EXPECT_EQ(allocator.allocate(kPage, kPage), kBase);
  EXPECT_EQ(allocator.allocate(kPage, kPage), kBase + kPage);
}

TEST(IovaAllocator, HonoursAlignment) {
  IovaAllocator allocator(x86_ranges(), kBase);
  EXPECT_EQ(allocator.allocate(kPage, kPage), kBase);
  EXPECT_EQ(allocator.allocate(kPage, 0x10000), kBase + 0x10000);
  EXPECT_EQ(allocator.allocate(kPage, kPage), kBase + kPage);  // first fit fills the gap
}

TEST(IovaAllocator, ReusesFreedSpace) {
  IovaAllocator allocator(x86_ranges(), kBase);
  const auto first = allocator.allocate(2 * kPage, kPage);
  const auto second = allocator.allocate(kPage, kPage);
  allocator.release(*first);
  EXPECT_EQ(allocator.allocate(kPage, kPage), first);
  EXPECT_EQ(allocator.allocate(kPage, kPage), *first + kPage);
  EXPECT_EQ(allocator.allocate(kPage, kPage), *second + kPage);
}

TEST(IovaAllocator, SkipsTheReservedWindow) {
  // A base just below the x86 MSI window: a 2-page buffer does not fit below it.
  IovaAllocator allocator(x86_ranges(), 0xfedff000);
  EXPECT_EQ(allocator.allocate(kPage, kPage), 0xfedff000u);
  EXPECT_EQ(allocator.allocate(2 * kPage, kPage), 0xfef00000u);
}

TEST(IovaAllocator, BaseBelowTheFirstRangeStartsAtTheRange) {
  IovaAllocator allocator({{0x200000000ull, 0x2ffffffffull}}, kBase);
  EXPECT_EQ(allocator.allocate(kPage, kPage), 0x200000000ull);
}

TEST(IovaAllocator, NothingFitsAboveTheLastRange) {
  IovaAllocator allocator({{0, 0xffffffffull}}, kBase);
  EXPECT_EQ(allocator.allocate(kPage, kPage), std::nullopt);
}

TEST(IovaAllocator, FillsARangeExactlyThenRefuses) {
  IovaAllocator allocator({{kBase, kBase + 2 * kPage - 1}}, kBase);
  EXPECT_EQ(allocator.allocate(kPage, kPage), kBase);
  EXPECT_EQ(allocator.allocate(kPage, kPage), kBase + kPage);
  EXPECT_EQ(allocator.allocate(kPage, kPage), std::nullopt);
}

TEST(IovaAllocator, RangeEndingAtTheTopOfTheAddressSpace) {
  const uint64_t top = UINT64_MAX - kPage + 1;
  IovaAllocator allocator({{top, UINT64_MAX}}, kBase);
  EXPECT_EQ(allocator.allocate(kPage, kPage), top);
  EXPECT_EQ(allocator.allocate(kPage, kPage), std::nullopt);
}

TEST(IovaAllocator, RejectsBadAlignmentAndSize) {
  IovaAllocator allocator(x86_ranges(), kBase);
  EXPECT_EQ(allocator.allocate(kPage, 3000), std::nullopt);
  EXPECT_EQ(allocator.allocate(0, kPage), std::nullopt);
}

TEST(IovaAllocator, DescribesRanges) {
  IovaAllocator allocator(x86_ranges(), kBase);
  EXPECT_EQ(allocator.describe_ranges(), "0x0-0xfedfffff, 0xfef00000-0xffffffffffff");
}

}  // namespace
}  // namespace nvqual::vfio
