#include "nvqual/driver/emergency_stop.hpp"

#include <algorithm>
#include <chrono>

#include "nvqual/driver/spec/registers.hpp"

namespace nvqual {

namespace {

// CAP.TO, or CRTO.CRWMT where a 2.0 controller says that is longer. No slack
// and no message: the caller is about to exit and only needs a bound.
std::chrono::nanoseconds emergency_bound(Transport& transport, spec::Cap cap) {
  std::chrono::nanoseconds bound = cap.ready_timeout();
  if (spec::Version{transport.read32(spec::reg::kVs)}.at_least(2, 0) && cap.has_crto()) {
    bound = std::max<std::chrono::nanoseconds>(
        bound, spec::Crto{transport.read32(spec::reg::kCrto)}.ready_with_media_timeout());
  }
  return bound;
}

}  // namespace

bool emergency_disable(Transport& transport, Clock& clock) noexcept {
  try {
    const spec::Cc config{transport.read32(spec::reg::kCc)};
    if (config.raw == spec::kAllOnes32) {
      transport.stop_dma();  // registers gone; the bus-master bit may still answer
      return false;
    }
    // EN=0 first, even while RDY=0: there is no time left to wait for a
    // controller still coming up, and a disabled controller starts no DMA.
    if (config.en() == 1) transport.write32(spec::reg::kCc, config.set_en(0).raw);
    // Before the wait, so nothing is written to host memory during it either.
    transport.stop_dma();
    const spec::Cap cap{transport.read64(spec::reg::kCap)};
    const auto bound = emergency_bound(transport, cap);
    const auto start = clock.now();
    for (;;) {
      const spec::Csts status{transport.read32(spec::reg::kCsts)};
      if (status.all_ones()) return false;
      if (status.rdy() == 0) return true;
      const auto elapsed = clock.now() - start;
      if (elapsed >= bound) return false;
      clock.pause(
          std::clamp<Clock::duration>(elapsed / 10, std::chrono::microseconds(10), std::chrono::milliseconds(1)));
    }
  } catch (...) {
    transport.stop_dma();
    return false;
  }
}

}  // namespace nvqual
