#include "vfio_queries.hpp"

#include <algorithm>
#include <cerrno>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "nvqual/driver/errors.hpp"
#include "sysfs_file.hpp"
#include "vfio_uapi.hpp"

namespace nvqual::vfio::detail {
namespace {

[[noreturn]] void ioctl_failed(const std::string& what, const std::string& bdf, int error, const std::string& fix) {
  throw DriverError(ErrorKind::kEnvironment, fmt::format("{}: {} failed: {}; {}", bdf, what, errno_text(error), fix));
}

}  // namespace

IommuInfo query_iommu_info(int container_fd, const std::string& bdf) {
  constexpr const char* kFix = "check dmesg for IOMMU errors and that vfio_iommu_type1 is loaded";
  // First call with the bare structure: the kernel raises argsz to what the
  // capability chain needs, then a second call fills it in. uint64_t storage
  // keeps the structure aligned for the ioctl.
  std::vector<uint64_t> buffer((sizeof(vfio_iommu_type1_info) + 7) / 8, 0);
  auto* info = reinterpret_cast<vfio_iommu_type1_info*>(buffer.data());
  info->argsz = sizeof(vfio_iommu_type1_info);
  if (::ioctl(container_fd, VFIO_IOMMU_GET_INFO, info) != 0) {
    const int error = errno;
    ioctl_failed("VFIO_IOMMU_GET_INFO", bdf, error, kFix);
  }
  const uint32_t needed = info->argsz;
  if (needed > sizeof(vfio_iommu_type1_info)) {
    buffer.assign((needed + 7) / 8, 0);
    info = reinterpret_cast<vfio_iommu_type1_info*>(buffer.data());
    info->argsz = needed;
    if (::ioctl(container_fd, VFIO_IOMMU_GET_INFO, info) != 0) {
      const int error = errno;
      ioctl_failed("VFIO_IOMMU_GET_INFO (with capabilities)", bdf, error, kFix);
    }
  }
  const auto bytes = std::as_bytes(std::span(buffer));
  return parse_iommu_info(bytes.first(std::min<size_t>(bytes.size(), std::max<size_t>(needed, sizeof *info))));
}

bool RegionInfo::mappable() const { return (flags & VFIO_REGION_INFO_FLAG_MMAP) != 0; }

RegionInfo query_region(int device_fd, uint32_t index, const std::string& bdf) {
  vfio_region_info info{};
  info.argsz = sizeof info;
  info.index = index;
  if (::ioctl(device_fd, VFIO_DEVICE_GET_REGION_INFO, &info) != 0) {
    const int error = errno;
    ioctl_failed(fmt::format("VFIO_DEVICE_GET_REGION_INFO for region {}", index), bdf, error,
                 "vfio-pci could not describe the device's BARs: check dmesg, then rebind it (`nvqual unbind " + bdf +
                     "` and `nvqual bind " + bdf + "` as root)");
  }
  return {index, info.flags, info.size, info.offset};
}

}  // namespace nvqual::vfio::detail
