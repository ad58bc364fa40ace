// The VFIO queries the transport makes, each returning plain values.
#pragma once

#include <cstdint>
#include <string>

#include "nvqual/vfio/iommu_info.hpp"

namespace nvqual::vfio::detail {

// VFIO_IOMMU_GET_INFO on a container whose IOMMU is set, parsed by
// parse_iommu_info. Throws DriverError(kEnvironment) mentioning `bdf` when the
// ioctl fails.
IommuInfo query_iommu_info(int container_fd, const std::string& bdf);

struct RegionInfo {
  uint32_t index = 0;
  uint32_t flags = 0;
  uint64_t size = 0;
  uint64_t offset = 0;  // where the region starts in the device fd (pread/pwrite/mmap)
  bool mappable() const;
};

// VFIO_DEVICE_GET_REGION_INFO; throws DriverError(kEnvironment) on failure.
RegionInfo query_region(int device_fd, uint32_t index, const std::string& bdf);

}  // namespace nvqual::vfio::detail
