// Runs suites against one controller and tells listeners what happened.
//
// Every case starts from its declared state (the controller is disabled first),
// runs its steps on a worker thread under a deadline (a Boost.Asio steady_timer;
// the driver's own waits are bounded too), and is followed by a health probe
// (CSTS.CFS, an Identify round trip). A failed probe makes the case an error and
// the controller is reset before the next case. SIGINT/SIGTERM (asio signal_set)
// stop the run: the current case becomes an error, the rest are reported as
// skipped, the controller is shut down and disabled before its DMA memory is
// freed, and listeners still get on_run_end so reports are complete.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "nvqual/driver/controller.hpp"
#include "nvqual/harness/listener.hpp"
#include "nvqual/harness/step_context.hpp"
#include "nvqual/harness/suite.hpp"

namespace nvqual::harness {

struct RunnerOptions {
  RunSettings settings;
  ControllerOptions controller;                 // admin depths are set per case
  uint16_t io_queues_wanted = 64;               // asked for with Set Features Number of Queues
  std::chrono::nanoseconds cancel_grace{std::chrono::seconds(30)};  // a cancelled case must stop within this
  bool handle_signals = true;                   // install the SIGINT/SIGTERM handler
  // Tests only: the facts to use when probing the device fails, so a device
  // whose Identify is broken can still be driven through every case (the
  // honest-check test runs suites against such faulty simulators).
  std::optional<TargetInfo> fallback_target;
};

class Runner {
 public:
  Runner(Transport& transport, Clock& clock, RunnerOptions options, RunListener& listener);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  RunSummary run(const std::vector<Suite>& suites);
  // Thread-safe: stops the run as a signal would.
  void request_stop(const std::string& reason);

  // True when a cancelled case thread did not stop within cancel_grace: the
  // controller may still be in use, so the process should exit without
  // destroying the transport (the CLI calls std::_Exit after reports are written).
  bool abandoned_case_thread() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The exit code for a finished run (app/command.hpp): 0 all passed (skips
// allowed), 1 any failure or error, 3 interrupted or the device was lost.
int exit_code_for(const RunSummary& summary);

}  // namespace nvqual::harness
