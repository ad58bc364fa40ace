// Host memory for DMA through VFIO (private to the VFIO transport): how it is
// mapped so the IOMMU can pin it, and what a failed pin means for the user.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "nvqual/vfio/host_paths.hpp"

namespace nvqual::vfio::detail {

inline constexpr size_t kHostPage = 4096;

inline uint64_t round_up(uint64_t value, uint64_t alignment) { return (value + alignment - 1) / alignment * alignment; }

// Zeroed anonymous memory of `bytes`, aligned to `alignment` (a power of two,
// at least a host page). Throws DriverError(kEnvironment) naming `bdf`.
std::byte* map_host_memory(const std::string& bdf, uint64_t bytes, uint64_t alignment);

// The one-line message for VFIO_IOMMU_MAP_DMA failing with `error`, with what
// nvqual had pinned and mapped so far and the fix.
struct PinState {
  uint64_t pinned_bytes = 0;
  size_t mappings = 0;
};
std::string map_failure_message(const std::string& bdf, const HostIdentity& identity, int error, uint64_t bytes,
                                PinState pinned);

}  // namespace nvqual::vfio::detail
