// A Transport in front of the simulator whose behaviour a test can bend where
// the simulator's own faults do not reach: registers that change or lie,
// CC writes the device ignores, a function-level reset that fails, DMA
// allocations that fail. It also records what was freed, so a test can show
// which memory the driver released. Test infrastructure: it may name offsets.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nvqual/driver/errors.hpp"
#include "common/forwarding_transport.hpp"
#include "nvqual/driver/spec/registers.hpp"

namespace nvqual::testing_support {

class HookedTransport final : public ForwardingTransport {
 public:
  using ForwardingTransport::ForwardingTransport;

  // Given the offset and the true value, what the host reads.
  std::function<uint64_t(uint32_t offset, uint64_t value)> on_read;
  // A device stuck enabled: it ignores CC writes that clear EN, so RDY stays 1.
  bool ignore_disable = false;
  // VFIO_DEVICE_RESET unavailable (false) or failing (throws), as on devices without FLR.
  enum class Reset { kWorks, kUnavailable, kFails } reset = Reset::kWorks;
  // Allocations from this one on (0-based count) fail as VFIO does when memlock runs out.
  std::optional<uint64_t> fail_allocations_from;

  uint64_t cc_writes = 0;
  uint64_t dma_stops = 0;  // stop_dma() calls (bus mastering off, on VFIO)
  uint64_t cc_writes_after_dma_stop = 0;
  uint64_t allocations = 0;
  std::vector<DmaRegion> freed;

  bool was_freed(uint64_t iova) const {
    for (const auto& r : freed) {
      if (iova >= r.iova && iova < r.iova + r.size) return true;
    }
    return false;
  }

  uint32_t read32(uint32_t offset) override {
    const uint32_t value = inner().read32(offset);
    return on_read ? static_cast<uint32_t>(on_read(offset, value)) : value;
  }
  uint64_t read64(uint32_t offset) override {
    const uint64_t value = inner().read64(offset);
    return on_read ? on_read(offset, value) : value;
  }
  void write32(uint32_t offset, uint32_t value) override {
    if (offset == spec::reg::kCc) {
      ++cc_writes;
      if (dma_stops != 0) ++cc_writes_after_dma_stop;
      if (ignore_disable && spec::Cc{value}.en() == 0) return;
    }
    inner().write32(offset, value);
  }
  DmaRegion dma_alloc(size_t size, size_t alignment) override {
    if (fail_allocations_from && allocations >= *fail_allocations_from) {
      throw DriverError(ErrorKind::kEnvironment, "test: DMA allocation refused (as when RLIMIT_MEMLOCK runs out)");
    }
    ++allocations;
    return inner().dma_alloc(size, alignment);
  }
  void dma_free(const DmaRegion& region) noexcept override {
    freed.push_back(region);
    inner().dma_free(region);
  }
  void stop_dma() noexcept override {
    ++dma_stops;
    inner().stop_dma();
  }
  bool function_level_reset() override {
    switch (reset) {
      case Reset::kWorks: return inner().function_level_reset();
      case Reset::kUnavailable: return false;
      case Reset::kFails: throw DriverError(ErrorKind::kEnvironment, "test: VFIO_DEVICE_RESET failed");
    }
    return false;
  }
};

}  // namespace nvqual::testing_support
