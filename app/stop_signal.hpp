// Ctrl-C (SIGINT) and SIGTERM for the one-shot commands (identify, read,
// pattern): the handler only records the signal, and the command checks it
// between chunks of work, so it unwinds normally: the temporary output file is
// removed and the controller is shut down and disabled by its destructor.
// (`run` has its own handling in the harness runner.)
#pragma once

#include <stdexcept>
#include <string>

#include "nvqual/driver/clock.hpp"
#include "nvqual/driver/errors.hpp"

namespace nvqual::app {

// Thrown by StopOnSignal::check; main prints its one line and exits 128 + signal.
class Interrupted : public std::runtime_error {
 public:
  Interrupted(int signal, const std::string& what);
  int signal() const { return signal_; }
  int exit_code() const { return 128 + signal_; }

 private:
  int signal_;
};

// Installs the recording handler for SIGINT and SIGTERM and unblocks them (a
// signal already pending, e.g. sent before the handler existed, is recorded at
// once); the previous handlers and mask come back on destruction.
class StopOnSignal {
 public:
  StopOnSignal();
  ~StopOnSignal();
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

  // 0, or the first signal received.
  static int received();
  // Throws Interrupted ("interrupted by SIGINT while <doing>") once a signal came.
  static void check(const std::string& doing);
};

// Thrown from inside a driver wait (a reset's ready wait may last CAP.TO, up to
// 127.5 s) when a signal came: a DriverError, so the driver unwinds as for any
// failed wait and the session's destructor disables the controller.
class InterruptedWait : public DriverError {
 public:
  explicit InterruptedWait(int signal);
  int signal() const { return signal_; }
  int exit_code() const { return 128 + signal_; }

 private:
  int signal_;
};

// The monotonic clock, whose pauses between register polls end the wait with
// InterruptedWait once StopOnSignal has seen a signal. It throws once only: the
// clean-up after it (disable, shutdown) must be able to wait.
class SignalAwareClock final : public Clock {
 public:
  time_point now() override { return SteadyClock::instance().now(); }
  time_point coarse_now() override { return SteadyClock::instance().coarse_now(); }
  void pause(duration hint) override;

 private:
  bool fired_ = false;
};

}  // namespace nvqual::app
