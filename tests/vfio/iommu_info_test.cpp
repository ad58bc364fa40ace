// parse_iommu_info on synthetic VFIO_IOMMU_GET_INFO buffers: the layouts the
// kernel produces, and broken ones that must not make the parser read outside
// the buffer (run under ASan/UBSan, every case is also an out-of-bounds test).
#include "nvqual/vfio/iommu_info.hpp"

#include <cstring>
#include <optional>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace nvqual::vfio {
namespace {

// Layout of <linux/vfio.h>, written out so the test does not share the
// parser's reading of the header.
constexpr uint32_t kFlagPgsizes = 1u << 0;
constexpr uint32_t kFlagCaps = 1u << 1;
constexpr uint16_t kCapIovaRange = 1;
constexpr uint16_t kCapMigration = 2;
constexpr uint16_t kCapDmaAvail = 3;
constexpr uint32_t kInfoSize = 24;  // argsz, flags, iova_pgsizes, cap_offset, padding

class InfoBuffer {
 public:
  explicit InfoBuffer(uint32_t flags, uint64_t pgsizes = 0x40201000, uint32_t cap_offset = 0) : bytes_(kInfoSize) {
    put<uint32_t>(4, flags);
    put<uint64_t>(8, pgsizes);
    put<uint32_t>(16, cap_offset);
    sync_argsz();
  }

  // A capability header at `offset` (the buffer grows as needed).
  InfoBuffer& cap(uint32_t offset, uint16_t id, uint32_t next, uint32_t body_bytes = 8) {
    grow(offset + 8 + body_bytes);
    put<uint16_t>(offset, id);
    put<uint16_t>(offset + 2, 1);
    put<uint32_t>(offset + 4, next);
    return *this;
  }

  // An IOVA range capability: header, nr_iovas, reserved, then the ranges.
  InfoBuffer& iova_cap(uint32_t offset, uint32_t next, const std::vector<IovaRange>& ranges,
                       std::optional<uint32_t> declared_count = std::nullopt) {
    cap(offset, kCapIovaRange, next, 8 + 16 * static_cast<uint32_t>(ranges.size()));
    put<uint32_t>(offset + 8, declared_count.value_or(static_cast<uint32_t>(ranges.size())));
    for (size_t i = 0; i < ranges.size(); ++i) {
      put<uint64_t>(offset + 16 + 16 * i, ranges[i].first);
      put<uint64_t>(offset + 24 + 16 * i, ranges[i].last);
    }
    return *this;
  }

  InfoBuffer& argsz(uint32_t value) {
    put<uint32_t>(0, value);
    return *this;
  }

  std::vector<std::byte> bytes() const { return bytes_; }

 private:
  template <typename T>
  void put(size_t offset, T value) {
    std::memcpy(bytes_.data() + offset, &value, sizeof value);
  }
  void grow(size_t size) {
    if (size > bytes_.size()) bytes_.resize(size);
    sync_argsz();
  }
  void sync_argsz() { put<uint32_t>(0, static_cast<uint32_t>(bytes_.size())); }

  std::vector<std::byte> bytes_;
};

// x86 with VT-d: everything below the MSI window, everything above it.
const std::vector<IovaRange> kX86Ranges{{0, 0xfedfffff}, {0xfef00000, 0xffffffffffff}};

MATCHER_P2(Range, first, last, "") { return arg.first == first && arg.last == last; }

IommuInfo parse(const std::vector<std::byte>& bytes) { return parse_iommu_info(bytes); }

TEST(IommuInfo, NoCapabilitiesFallsBackTo39Bits) {
  const auto info = parse(InfoBuffer(kFlagPgsizes).bytes());
  EXPECT_FALSE(info.ranges_from_kernel);
  EXPECT_FALSE(info.malformed);
  EXPECT_THAT(info.ranges, ::testing::ElementsAre(Range(0u, (uint64_t{1} << 39) - 1)));
}

TEST(IommuInfo, SmallestPageSizeIsTheLowestBit) {
  EXPECT_EQ(parse(InfoBuffer(kFlagPgsizes, 0x40201000).bytes()).min_page_size, 4096u);
  EXPECT_EQ(parse(InfoBuffer(kFlagPgsizes, 0x40200000).bytes()).min_page_size, 0x200000u);
  // Without the PGSIZES flag the field is not the kernel's answer.
  EXPECT_EQ(parse(InfoBuffer(0, 0x40200000).bytes()).min_page_size, 4096u);
}

TEST(IommuInfo, IovaRangesOfTheOnlyCapability) {
  const auto info = parse(
      InfoBuffer(kFlagPgsizes | kFlagCaps, 0x1000, kInfoSize).iova_cap(kInfoSize, 0, kX86Ranges).bytes());
  EXPECT_TRUE(info.ranges_from_kernel);
  EXPECT_FALSE(info.malformed);
  EXPECT_THAT(info.ranges, ::testing::ElementsAre(Range(0u, 0xfedfffffu), Range(0xfef00000u, 0xffffffffffffu)));
}

TEST(IommuInfo, IovaRangesFoundFurtherDownTheChain) {
  // DMA_AVAIL (16 bytes), then MIGRATION (32 bytes), then the IOVA ranges.
  InfoBuffer buffer(kFlagCaps, 0, kInfoSize);
  buffer.cap(kInfoSize, kCapDmaAvail, 40, 8).cap(40, kCapMigration, 72, 24).iova_cap(72, 0, kX86Ranges);
  const auto info = parse(buffer.bytes());
  EXPECT_TRUE(info.ranges_from_kernel);
  EXPECT_THAT(info.ranges, ::testing::SizeIs(2));
}

TEST(IommuInfo, ChainWithoutIovaCapabilityFallsBack) {
  InfoBuffer buffer(kFlagCaps, 0, kInfoSize);
  buffer.cap(kInfoSize, kCapMigration, 0, 24);
  const auto info = parse(buffer.bytes());
  EXPECT_FALSE(info.ranges_from_kernel);
  EXPECT_FALSE(info.malformed);
}

TEST(IommuInfo, CapsFlagClearMeansTheOffsetIsIgnored) {
  InfoBuffer buffer(0, 0, kInfoSize);
  buffer.iova_cap(kInfoSize, 0, kX86Ranges);
  EXPECT_FALSE(parse(buffer.bytes()).ranges_from_kernel);
}

TEST(IommuInfo, MisalignedCapabilitiesAreReadWithoutUndefinedBehaviour) {
  // Offsets need not be 8-byte aligned in a malformed (or future) chain; UBSan checks the loads.
  InfoBuffer buffer(kFlagCaps, 0, 27);
  buffer.cap(27, kCapDmaAvail, 45, 8).iova_cap(45, 0, {{0x1000, 0x1fff}});
  const auto info = parse(buffer.bytes());
  EXPECT_TRUE(info.ranges_from_kernel);
  EXPECT_THAT(info.ranges, ::testing::ElementsAre(Range(0x1000u, 0x1fffu)));
}

TEST(IommuInfo, OffsetPastTheEndIsMalformed) {
  const auto info = parse(InfoBuffer(kFlagCaps, 0, 4096).bytes());
  EXPECT_TRUE(info.malformed);
  EXPECT_FALSE(info.ranges_from_kernel);
  EXPECT_THAT(info.ranges, ::testing::SizeIs(1));  // the fallback
}

TEST(IommuInfo, OffsetInsideTheFixedStructureIsMalformed) {
  InfoBuffer buffer(kFlagCaps, 0, 8);
  buffer.iova_cap(kInfoSize, 0, kX86Ranges);
  EXPECT_TRUE(parse(buffer.bytes()).malformed);
}

TEST(IommuInfo, HeaderStraddlingTheEndIsMalformed) {
  InfoBuffer buffer(kFlagCaps, 0, kInfoSize);
  buffer.cap(kInfoSize, kCapMigration, 0, 0);
  auto bytes = buffer.bytes();
  bytes.resize(kInfoSize + 4);  // half a header
  const auto info = parse(bytes);
  EXPECT_TRUE(info.malformed);
  EXPECT_FALSE(info.ranges_from_kernel);
}

TEST(IommuInfo, ALoopingChainStops) {
  InfoBuffer buffer(kFlagCaps, 0, kInfoSize);
  buffer.cap(kInfoSize, kCapMigration, 40, 8).cap(40, kCapDmaAvail, kInfoSize, 8);  // 24 -> 40 -> 24 ...
  const auto info = parse(buffer.bytes());
  EXPECT_TRUE(info.malformed);
  EXPECT_FALSE(info.ranges_from_kernel);
}

TEST(IommuInfo, RangeCountLargerThanTheBufferReadsOnlyWhatIsThere) {
  InfoBuffer buffer(kFlagCaps, 0, kInfoSize);
  buffer.iova_cap(kInfoSize, 0, {{0x1000, 0x1fff}}, 0xffffffffu);
  const auto info = parse(buffer.bytes());
  EXPECT_TRUE(info.malformed);
  EXPECT_TRUE(info.ranges_from_kernel);
  EXPECT_THAT(info.ranges, ::testing::ElementsAre(Range(0x1000u, 0x1fffu)));
}

TEST(IommuInfo, InvertedRangeIsDropped) {
  InfoBuffer buffer(kFlagCaps, 0, kInfoSize);
  buffer.iova_cap(kInfoSize, 0, {{0x2000, 0x1000}, {0x10000, 0x1ffff}});
  const auto info = parse(buffer.bytes());
  EXPECT_TRUE(info.malformed);
  EXPECT_THAT(info.ranges, ::testing::ElementsAre(Range(0x10000u, 0x1ffffu)));
}

TEST(IommuInfo, BytesBeyondArgszAreNotRead) {
  // The capability sits past the argsz the kernel declared: not its data.
  InfoBuffer buffer(kFlagCaps, 0, kInfoSize);
  buffer.iova_cap(kInfoSize, 0, kX86Ranges).argsz(kInfoSize);
  const auto info = parse(buffer.bytes());
  EXPECT_TRUE(info.malformed);
  EXPECT_FALSE(info.ranges_from_kernel);
}

TEST(IommuInfo, EveryTruncationIsSafe) {
  // Cut a valid two-capability buffer at every length: the parser must stay
  // inside (ASan) and never invent ranges from a cut-off capability.
  InfoBuffer buffer(kFlagPgsizes | kFlagCaps, 0x1000, kInfoSize);
  buffer.cap(kInfoSize, kCapDmaAvail, 40, 8).iova_cap(40, 0, kX86Ranges);
  const auto full = buffer.bytes();
  for (size_t length = 0; length <= full.size(); ++length) {
    const std::vector<std::byte> cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(length));
    const auto info = parse(cut);
    EXPECT_LE(info.ranges.size(), 2u) << "length " << length;
    EXPECT_EQ(info.malformed, length < full.size()) << "length " << length;
  }
}

// Found by fuzz_iommu_info: a capability declaring no ranges gave an empty
// range list marked as the kernel's, so no IOVA could ever be allocated.
TEST(IommuInfo, ACapabilityWithNoRangesFallsBack) {
  InfoBuffer buffer(kFlagPgsizes | kFlagCaps, 0x1000, kInfoSize);
  buffer.iova_cap(kInfoSize, 0, {});
  const IommuInfo info = parse(buffer.bytes());
  EXPECT_TRUE(info.malformed);
  EXPECT_FALSE(info.ranges_from_kernel);
  EXPECT_THAT(info.ranges, ::testing::ElementsAre(Range(0u, kFallbackIovaLast)));
}

}  // namespace
}  // namespace nvqual::vfio
