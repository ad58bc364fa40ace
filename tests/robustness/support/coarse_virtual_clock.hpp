// A VirtualClock whose pauses move time by at least a millisecond. The
// driver polls a completion every 2 us of its (5 s) command timeout: against
// a device that lies, every lost completion costs 2.5 million polls on a
// VirtualClock, seconds of CPU per case. The inline simulator answers within
// the doorbell write, so a coarser poll changes no outcome, only the count.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>

#include "nvqual/driver/clock.hpp"

namespace nvqual::robustness {

class CoarseVirtualClock final : public Clock {
 public:
  static constexpr duration kMinPause = std::chrono::milliseconds(1);

  time_point now() override { return time_point(duration(now_.load(std::memory_order_relaxed))); }
  void pause(duration hint) override { now_.fetch_add(std::max(hint, kMinPause).count(), std::memory_order_relaxed); }

 private:
  std::atomic<duration::rep> now_{0};  // the case thread and the runner both read it
};

}  // namespace nvqual::robustness
