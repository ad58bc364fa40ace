// Runs suites against one controller and tells listeners what happened.
//
// Every case starts from its declared state (the controller is disabled first),
// runs its steps on a worker thread under a deadline (a Boost.Asio steady_timer;
// the driver's own waits are bounded too), and is followed by a health probe
// (CSTS.CFS, an Identify round trip). A failed probe makes the case an error and
// the controller is reset before the next case.
//
// Signals: for the whole run an event thread runs the io_context holding the
// SIGINT/SIGTERM signal_set and the case deadlines, so a signal is seen at once
// whatever the runner is doing (start-up probe, a case, a health probe, a reset).
// The runner's controllers wait on a clock that ends a driver wait (a CAP.TO-long
// ready wait, a command timeout) at its next poll once a stop is requested; the
// driver then disables the controller before anything it could reach is freed.
// The work that was cut short is reported as interrupted where it happened (the
// probe, a case's set-up or steps, the health probe after a case), the cases not
// yet run are skipped as "not run", the controller is shut down and disabled, and
// listeners still get on_run_end so reports are complete. A second signal exits
// at once (status 3) without finishing the reports. With handle_signals the run
// takes a SIGINT/SIGTERM the caller held blocked (sent before the run) as a stop
// before anything runs, then unblocks both in the calling thread: a caller that
// blocks them early gets an early signal reported, not the default action.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "nvqual/driver/controller.hpp"
#include "nvqual/harness/listener.hpp"
#include "nvqual/harness/step_context.hpp"
#include "nvqual/harness/suite.hpp"

namespace nvqual::harness {

// The run's settings do not fit the device it opened (a --scratch range past
// NSZE or of an inactive namespace, a --confirm-serial of another device):
// thrown by Runner::run after the start-up probe, before any case ran or any
// listener heard of the run, so no report is written. The CLI exits 2.
class RunInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RunnerOptions {
  RunSettings settings;
  ControllerOptions controller;                                     // admin depths are set per case
  uint16_t io_queues_wanted = 64;                                   // asked for with Set Features Number of Queues
  std::chrono::nanoseconds cancel_grace{std::chrono::seconds(30)};  // a cancelled case must stop within this
  bool handle_signals = true;                                       // install the SIGINT/SIGTERM handler
  // Read SMART / Health and the Error log around every suite and report the
  // run-level HEALTH-* cases after its own (suite_health.hpp; `nvqual run` does).
  bool health_checks = false;
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
  // Blocks until a stop was requested (a signal or request_stop) or `timeout`
  // passes; true when it was. For code that raises a signal and must not go on
  // before the runner has seen it (tests, embedders).
  bool wait_for_stop(std::chrono::nanoseconds timeout) const;

  // True when a cancelled case thread did not stop within cancel_grace: the
  // controller may still be in use, so the process should exit without
  // destroying the transport (the CLI calls std::_Exit after reports are written).
  bool abandoned_case_thread() const;

 private:
  struct State;  // runner.cpp
  std::unique_ptr<State> state_;
};

// For a target that could not even be opened (no transport): tells `listener`
// about a run in which every case of `suites` is an error of type "device"
// naming `target.probe_error`, so CI still gets a complete report. The summary
// has device_lost set (exit code 3).
RunSummary report_unusable_target(const std::vector<Suite>& suites, const TargetInfo& target,
                                  const RunSettings& settings, RunListener& listener);

}  // namespace nvqual::harness
