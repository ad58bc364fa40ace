// Bounded register polls shared by bring-up and the stop ladder: every wait
// has a deadline from CAP.TO (or CRTO), treats an all-ones read as "device
// gone", and names the controller state and CSTS in its timeout message.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "nvqual/driver/clock.hpp"
#include "nvqual/driver/controller_state.hpp"
#include "nvqual/driver/errors.hpp"
#include "nvqual/driver/spec/registers.hpp"
#include "nvqual/driver/transport.hpp"

namespace nvqual::detail {

inline uint32_t ms_of(std::chrono::nanoseconds d) {
  return static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

inline std::string csts_text(spec::Csts csts) {
  return fmt::format("CSTS {:#010x} (RDY={} CFS={} SHST={})", csts.raw, csts.rdy(), csts.cfs(), csts.shst());
}

// Register polls during state changes: quick at first (QEMU and most SSDs
// answer within microseconds), then at most every millisecond.
inline Clock::duration poll_pause(Clock::duration elapsed) {
  return std::clamp<Clock::duration>(elapsed / 10, std::chrono::microseconds(10), std::chrono::milliseconds(1));
}

// Throws kDeviceGone when `raw` is all ones: the device is not reachable.
void throw_if_gone(Transport& transport, uint32_t raw, const char* register_name);

// CAP, with an all-ones read reported as a device that is gone.
spec::Cap read_cap_checked(Transport& transport);

// The bound on every ready transition: max(CAP.TO, CRTO.CRWMT when VS >= 2.0
// and CAP.CRMS) x 500 ms, plus `slack` (NVMe Base 2.0, 3.1.3.22 and 3.5.1).
std::chrono::nanoseconds ready_bound_for(Transport& transport, spec::Cap cap, std::chrono::nanoseconds slack);

// Polls CSTS until done(CSTS), at most `bound`. On the way: all ones is
// kDeviceGone; while waiting for readiness (on_timeout kReadyTimeout), CFS=1
// with RDY=0 is kControllerFatal. Messages name `what`, `state` and CSTS.
template <typename Predicate>
std::chrono::nanoseconds wait_for_csts(Transport& transport, Clock& clock, Predicate done,
                                       std::chrono::nanoseconds bound, ErrorKind on_timeout, std::string_view what,
                                       ControllerState state) {
  const auto start = clock.now();
  for (;;) {
    const spec::Csts status{transport.read32(spec::reg::kCsts)};
    throw_if_gone(transport, status.raw, "CSTS");
    const auto elapsed = clock.now() - start;
    if (done(status)) return elapsed;
    if (on_timeout == ErrorKind::kReadyTimeout && status.cfs() != 0 && status.rdy() == 0) {
      throw DriverError(ErrorKind::kControllerFatal,
                        fmt::format("{} on {} (controller state {}): controller fatal status set after {} ms; {}", what,
                                    transport.name(), to_string(state), ms_of(elapsed), csts_text(status)));
    }
    if (elapsed >= bound) {
      throw DriverError(on_timeout,
                        fmt::format("{} on {} (controller state {}): not done within {} ms (CAP.TO/CRTO bound plus "
                                    "slack); {}",
                                    what, transport.name(), to_string(state), ms_of(bound), csts_text(status)));
    }
    clock.pause(poll_pause(elapsed));
  }
}

}  // namespace nvqual::detail
