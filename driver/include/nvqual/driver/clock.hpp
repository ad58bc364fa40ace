// Every wait in the driver reads time through a Clock, so tests can run bounded
// waits (CAP.TO of minutes) instantly and deterministically with a VirtualClock,
// and the simulator can model latency on the same timeline.
#pragma once

#include <chrono>

namespace nvqual {

class Clock {
 public:
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<std::chrono::steady_clock, duration>;
  virtual ~Clock() = default;
  virtual time_point now() = 0;
  // now() or up to one scheduler tick (4 ms here) earlier, much cheaper: for
  // stamps on the I/O path that only start deadlines of seconds. A deadline
  // from a coarse stamp ends at most one tick early, never late.
  virtual time_point coarse_now() { return now(); }
  // Called between two polls of a register while waiting; gives the device time.
  virtual void pause(duration hint) = 0;
};

// Monotonic wall time. The default for real runs.
class SteadyClock final : public Clock {
 public:
  time_point now() override;
  time_point coarse_now() override;  // CLOCK_MONOTONIC_COARSE: ~3 ns instead of ~25
  void pause(duration hint) override;
  static SteadyClock& instance();
};

// Time that moves only when a waiter pauses: a bounded wait of TO x 500 ms
// costs a few hundred loop iterations and no real time.
class VirtualClock final : public Clock {
 public:
  time_point now() override { return now_; }
  void pause(duration hint) override { now_ += hint > duration::zero() ? hint : duration(1); }
  void advance(duration d) { now_ += d; }

 private:
  time_point now_{};
};

}  // namespace nvqual
