// What VFIO_IOMMU_GET_INFO says about a container's IOMMU: the smallest page
// it maps and the IOVA ranges it accepts. Parsing is separate from the ioctl
// so the capability-chain walk, whose offsets come from the kernel, is tested
// on synthetic buffers (truncated, looping, out-of-bounds) without an IOMMU.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "nvqual/vfio/iova_allocator.hpp"

namespace nvqual::vfio {

// Used when the kernel reports no IOVA ranges: 39 bits is the smallest address
// width VT-d implementations (and QEMU's intel-iommu) support.
inline constexpr uint64_t kFallbackIovaLast = (uint64_t{1} << 39) - 1;

struct IommuInfo {
  std::vector<IovaRange> ranges;    // valid IOVA ranges; [0, kFallbackIovaLast] when !ranges_from_kernel
  bool ranges_from_kernel = false;  // false: no IOVA range capability (Linux < 5.4) or a malformed chain
  bool malformed = false;           // an offset or count pointed outside the buffer, or the chain looped
  uint64_t min_page_size = 4096;    // smallest page size the IOMMU maps
};

// Parses the buffer VFIO_IOMMU_GET_INFO filled (struct vfio_iommu_type1_info
// and its capability chain). Never reads outside `buffer` nor past the argsz
// it declares; never throws.
IommuInfo parse_iommu_info(std::span<const std::byte> buffer);

}  // namespace nvqual::vfio
