#include "vfio_queries.hpp"

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "nvqual/driver/errors.hpp"
#include "sysfs_file.hpp"
#include "vfio_uapi.hpp"

namespace nvqual::vfio::detail {
namespace {

// Used when the kernel reports no IOVA ranges: 39 bits is the smallest
// address width VT-d implementations (and QEMU's intel-iommu) support.
constexpr uint64_t kFallbackIovaLast = (uint64_t{1} << 39) - 1;

// Walks a VFIO capability chain inside `buffer` and returns the capability
// with `id`, or nullptr. Offsets come from the kernel but are still checked
// against the buffer so a malformed chain cannot read past it.
const vfio_info_cap_header* find_capability(const std::vector<uint64_t>& buffer, size_t bytes, uint32_t first,
                                            uint16_t id) {
  const auto* base = reinterpret_cast<const std::byte*>(buffer.data());
  uint32_t offset = first;
  for (int hops = 0; offset != 0 && hops < 64; ++hops) {
    if (offset < sizeof(vfio_iommu_type1_info) || offset + sizeof(vfio_info_cap_header) > bytes) return nullptr;
    const auto* header = reinterpret_cast<const vfio_info_cap_header*>(base + offset);
    if (header->id == id) return header;
    offset = header->next;
  }
  return nullptr;
}

}  // namespace

IommuInfo query_iommu_info(int container_fd, const std::string& bdf) {
  // First call with the bare structure: the kernel raises argsz to what the
  // capability chain needs, then a second call fills it in.
  std::vector<uint64_t> buffer((sizeof(vfio_iommu_type1_info) + 7) / 8, 0);
  auto* info = reinterpret_cast<vfio_iommu_type1_info*>(buffer.data());
  info->argsz = sizeof(vfio_iommu_type1_info);
  if (::ioctl(container_fd, VFIO_IOMMU_GET_INFO, info) != 0) {
    throw DriverError(ErrorKind::kEnvironment, fmt::format("{}: VFIO_IOMMU_GET_INFO failed: {}; check dmesg for IOMMU "
                                                           "errors",
                                                           bdf, errno_text(errno)));
  }
  const uint32_t needed = info->argsz;
  if (needed > sizeof(vfio_iommu_type1_info)) {
    buffer.assign((needed + 7) / 8, 0);
    info = reinterpret_cast<vfio_iommu_type1_info*>(buffer.data());
    info->argsz = needed;
    if (::ioctl(container_fd, VFIO_IOMMU_GET_INFO, info) != 0) {
      throw DriverError(ErrorKind::kEnvironment,
                        fmt::format("{}: VFIO_IOMMU_GET_INFO (with capabilities) failed: {}", bdf, errno_text(errno)));
    }
  }

  IommuInfo result;
  if ((info->flags & VFIO_IOMMU_INFO_PGSIZES) != 0 && info->iova_pgsizes != 0) {
    result.min_page_size = info->iova_pgsizes & (~info->iova_pgsizes + 1);  // lowest set bit
  }
  const size_t bytes = std::min<size_t>(needed, buffer.size() * 8);
  const vfio_info_cap_header* cap = nullptr;
  if ((info->flags & VFIO_IOMMU_INFO_CAPS) != 0) {
    cap = find_capability(buffer, bytes, info->cap_offset, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
  }
  if (cap != nullptr) {
    const auto* ranges = reinterpret_cast<const vfio_iommu_type1_info_cap_iova_range*>(cap);
    const auto* start = reinterpret_cast<const std::byte*>(buffer.data());
    const size_t header_end = static_cast<size_t>(reinterpret_cast<const std::byte*>(ranges->iova_ranges) - start);
    const uint32_t count = header_end <= bytes ? ranges->nr_iovas : 0;
    for (uint32_t i = 0; i < count; ++i) {
      if (header_end + (i + 1) * sizeof(vfio_iova_range) > bytes) break;
      result.ranges.push_back({ranges->iova_ranges[i].start, ranges->iova_ranges[i].end});
    }
    result.ranges_from_kernel = true;
  } else {
    result.ranges.push_back({0, kFallbackIovaLast});
  }
  return result;
}

bool RegionInfo::mappable() const { return (flags & VFIO_REGION_INFO_FLAG_MMAP) != 0; }

RegionInfo query_region(int device_fd, uint32_t index, const std::string& bdf) {
  vfio_region_info info{};
  info.argsz = sizeof info;
  info.index = index;
  if (::ioctl(device_fd, VFIO_DEVICE_GET_REGION_INFO, &info) != 0) {
    throw DriverError(ErrorKind::kEnvironment, fmt::format("{}: VFIO_DEVICE_GET_REGION_INFO for region {} failed: {}",
                                                           bdf, index, errno_text(errno)));
  }
  return {index, info.flags, info.size, info.offset};
}

}  // namespace nvqual::vfio::detail
