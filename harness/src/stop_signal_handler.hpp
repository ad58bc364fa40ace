// SIGINT/SIGTERM during a run, handled on the event thread (a Boost.Asio
// signal_set), so a signal is seen at once whatever the runner is doing. The
// first one asks the run to stop; a second one means "out now": the
// controller is disabled through its registers only (the case thread may be
// mid-command, so nothing is freed) and the process exits with status 3,
// without finishing the reports.
#pragma once

#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "nvqual/driver/clock.hpp"
#include "nvqual/driver/transport.hpp"

namespace nvqual::harness {

class StopSignalHandler {
 public:
  // `stop_requested` tells whether a stop is under way already (then a signal
  // is the second one); `request_stop` gets the first signal's name
  // ("SIGINT"). The emergency disable waits on `emergency_clock`, which must
  // never throw (not an InterruptibleClock that watches anything).
  StopSignalHandler(boost::asio::io_context& io, Transport& transport, Clock& emergency_clock,
                    std::function<bool()> stop_requested, std::function<void(const std::string&)> request_stop);

  // On the runner's thread, before the event thread starts (it inherits the
  // mask). A caller may block the signals before the run (the CLI does,
  // before it loads suites and opens the device) so an early one waits for
  // this handler instead of killing the process. One held that way is taken
  // here, so the run starts stopped (the handler thread might see it only
  // after a short run ended); then both are unblocked in the calling thread.
  void install();
  // Restores the default handling. Posted to the event thread by the caller.
  void remove();

 private:
  void wait_for_signal();
  void on_signal(int number);

  boost::asio::signal_set signals_;
  Transport& transport_;
  Clock& emergency_clock_;
  std::function<bool()> stop_requested_;
  std::function<void(const std::string&)> request_stop_;
};

}  // namespace nvqual::harness
