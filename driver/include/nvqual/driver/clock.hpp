// Every wait in the driver reads time through a Clock, so tests can run bounded
// waits (CAP.TO of minutes) instantly and deterministically with a VirtualClock,
// and the simulator can model latency on the same timeline.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "nvqual/driver/errors.hpp"

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

// A reason to end the driver's waits early: a signal, a case's deadline.
// Read from the waiting thread while another one requests it: thread-safe.
class StopRequest {
 public:
  virtual ~StopRequest() = default;
  virtual bool requested() const = 0;
  // Once requested(): the message of the WaitInterrupted that ends the wait
  // ("interrupted by SIGINT").
  virtual std::string reason() const = 0;
};

// Thrown from an InterruptibleClock's pause when the stop it watches was
// requested. A DriverError, so the driver handles it like a timeout: it
// disables the controller before unwinding frees memory the device could
// still reach.
class WaitInterrupted final : public DriverError {
 public:
  explicit WaitInterrupted(const std::string& reason) : DriverError(ErrorKind::kEnvironment, reason) {}
};

// Another clock's time, with waits that end at their next poll once the
// watched StopRequest is requested. Every bounded wait in the driver polls
// through pause(), so a stop ends a ready wait of CAP.TO x 500 ms or a command
// timeout at once instead of at its bound. It fires once per watch(): the
// driver's own clean-up after the throw (a bounded disable) then waits
// normally, and so does everything that runs while nothing is watched.
// Not final: a caller may derive to fix what it watches (app/stop_signal.hpp).
class InterruptibleClock : public Clock {
 public:
  explicit InterruptibleClock(Clock& base) : base_(base) {}
  time_point now() override { return base_.now(); }
  time_point coarse_now() override { return base_.coarse_now(); }
  // Throws WaitInterrupted, before or after the base clock's pause, once the
  // watched stop is requested.
  void pause(duration hint) override;

  // Watches `stop` (nullptr: nothing) from now on and clears fired().
  void watch(const StopRequest* stop);
  // True when a wait was ended since the last watch().
  bool fired() const { return fired_.load(); }
  // The clock this one reads, for waits that must never be interrupted
  // (the emergency stop before the process exits).
  Clock& base() { return base_; }

 private:
  void interrupt_if_requested();

  Clock& base_;
  std::atomic<const StopRequest*> watched_{nullptr};
  std::atomic<bool> fired_{false};
};

}  // namespace nvqual
