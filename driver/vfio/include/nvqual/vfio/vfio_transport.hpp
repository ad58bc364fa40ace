// The real transport: a controller bound to vfio-pci, BAR0 mapped, DMA through
// the IOMMU (type1v2). Every failure is one line naming the BDF, the group,
// the file and the fix.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "nvqual/driver/transport.hpp"
#include "nvqual/vfio/dma_estimate.hpp"
#include "nvqual/vfio/host_paths.hpp"

namespace nvqual::vfio {

struct VfioOptions {
  std::string bdf;                      // "0000:01:00.0" or "01:00.0"
  uint64_t iova_base = 0x100000000ull;  // first IOVA to map DMA at
  bool function_reset = false;          // VFIO_DEVICE_RESET before use
  // The most DMA memory the caller will pin (dma_estimate.hpp): checked against
  // RLIMIT_MEMLOCK up front so a low limit fails before the controller is
  // touched. dma_alloc checks the exact total again before every mapping.
  uint64_t dma_estimate_bytes = dma_estimate::identify();
  HostPaths paths;  // where /sys, /dev, /proc and the lock directory are
};

// Runs the pre-flight checks (preflight.hpp), takes the per-BDF lock, opens
// the container, group and device, enables memory space and bus mastering
// with INTx disabled, maps BAR0. Throws DriverError(kEnvironment) or
// DriverError(kInvalidArgument) with the reason and the fix.
std::unique_ptr<Transport> open(const VfioOptions& options);

}  // namespace nvqual::vfio
