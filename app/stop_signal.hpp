// Ctrl-C (SIGINT) and SIGTERM for the one-shot commands (identify, read,
// pattern): the handler only records the signal, and the command checks it
// between chunks of work, so it unwinds normally: the temporary output file is
// removed and the controller is shut down and disabled by its destructor.
// (`run` has its own handling in the harness runner.)
#pragma once

#include <signal.h>

#include <stdexcept>
#include <string>

#include "nvqual/driver/clock.hpp"

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

// For work that leaves nothing behind when cut short (`run` loading its
// suites and profiles, before any report or device exists): SIGINT or SIGTERM
// prints one line ("interrupted by SIGTERM while <doing>; nothing ran and no
// report was written") and exits 128 + signal from the handler, however long
// the work would still take. The handlers and mask in place before come back
// on destruction, with SIGINT/SIGTERM held (blocked) for whoever handles them
// next, so a signal in between is not lost.
class ExitOnSignal {
 public:
  explicit ExitOnSignal(const char* doing);
  ~ExitOnSignal();
  ExitOnSignal(const ExitOnSignal&) = delete;
  ExitOnSignal& operator=(const ExitOnSignal&) = delete;

 private:
  struct sigaction interrupt_ {};
  struct sigaction terminate_ {};
};

// The monotonic clock, whose pauses between register polls end the driver's
// wait (a reset's ready wait may last CAP.TO, up to 127.5 s) once StopOnSignal
// has seen a signal: the driver's InterruptibleClock watching the recorded
// signal. It throws WaitInterrupted ("interrupted by SIGINT while waiting for
// the controller"), once only: the clean-up after it (disable, shutdown) must
// be able to wait. main exits 128 + StopOnSignal::received() on it.
class SignalAwareClock final : public InterruptibleClock {
 public:
  SignalAwareClock();
};

}  // namespace nvqual::app
