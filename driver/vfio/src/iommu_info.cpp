#include "nvqual/vfio/iommu_info.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <type_traits>

#include "vfio_uapi.hpp"

namespace nvqual::vfio {
namespace {

// A kernel chain is a handful of capabilities; more hops than this means it loops.
constexpr int kMaxCapabilities = 64;

// Copies a T from `offset`: the offsets come from the kernel and need not be
// aligned for T, so no reinterpret_cast (UBSan would rightly flag it).
template <typename T>
std::optional<T> load(std::span<const std::byte> bytes, uint64_t offset) {
  static_assert(std::is_trivially_copyable_v<T>);
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return std::nullopt;
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

// The IOVA range capability's fixed part: header, nr_iovas, reserved.
constexpr size_t kIovaRangeHeaderSize = offsetof(vfio_iommu_type1_info_cap_iova_range, iova_ranges);

// Reads the ranges of the IOVA range capability at `offset`; sets `malformed`
// when the declared count is 0 or runs past the buffer, or a range is inverted.
std::vector<IovaRange> read_iova_ranges(std::span<const std::byte> bytes, uint64_t offset, bool& malformed) {
  std::vector<IovaRange> ranges;
  const auto count = load<uint32_t>(bytes, offset + offsetof(vfio_iommu_type1_info_cap_iova_range, nr_iovas));
  // Linux leaves the capability out when it has no range to report, so a count
  // of 0 is as garbled as a missing one (found by fuzz/fuzz_iommu_info.cpp: an
  // empty list from "the kernel" left the IOVA allocator nowhere to map).
  if (!count || *count == 0) {
    malformed = true;
    return ranges;
  }
  for (uint64_t i = 0; i < *count; ++i) {
    const auto range = load<vfio_iova_range>(bytes, offset + kIovaRangeHeaderSize + i * sizeof(vfio_iova_range));
    if (!range) {
      malformed = true;  // nr_iovas claims more than the buffer holds
      break;
    }
    if (range->start > range->end) {
      malformed = true;
      continue;
    }
    ranges.push_back({range->start, range->end});
  }
  return ranges;
}

}  // namespace

IommuInfo parse_iommu_info(std::span<const std::byte> buffer) {
  IommuInfo result;
  const auto info = load<vfio_iommu_type1_info>(buffer, 0);
  if (!info) {
    result.malformed = true;
  } else {
    // Bytes past argsz are not the kernel's: ignore them.
    const auto bytes = buffer.first(std::min<size_t>(buffer.size(), info->argsz));
    if ((info->flags & VFIO_IOMMU_INFO_PGSIZES) != 0 && info->iova_pgsizes != 0) {
      result.min_page_size = info->iova_pgsizes & (~info->iova_pgsizes + 1);  // lowest set bit
    }
    uint64_t offset = (info->flags & VFIO_IOMMU_INFO_CAPS) != 0 ? info->cap_offset : 0;
    for (int hops = 0; offset != 0; ++hops) {
      // A capability never overlaps the fixed structure; anything else is a broken chain.
      const auto header = offset >= sizeof(vfio_iommu_type1_info) && hops < kMaxCapabilities
                              ? load<vfio_info_cap_header>(bytes, offset)
                              : std::nullopt;
      if (!header) {
        result.malformed = true;
        break;
      }
      if (header->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
        result.ranges = read_iova_ranges(bytes, offset, result.malformed);
        // A garbled capability with nothing usable in it says nothing: fall back.
        result.ranges_from_kernel = !result.ranges.empty() || !result.malformed;
        break;
      }
      offset = header->next;
    }
  }
  if (!result.ranges_from_kernel) result.ranges = {{0, kFallbackIovaLast}};
  return result;
}

}  // namespace nvqual::vfio
