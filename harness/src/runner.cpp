// The Runner (runner.hpp): the order of a run, case by case. Each job it
// relies on lives in a file of its own: the event thread, the signal handler,
// case deadlines and threads, the controller cache, case variables, the
// health probe and the rewrites of a case's result.
#include "nvqual/harness/runner.hpp"

#include <algorithm>
#include <optional>

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "case_deadline.hpp"
#include "case_result_rewrites.hpp"
#include "case_thread.hpp"
#include "case_variables.hpp"
#include "controller_cache.hpp"
#include "event_thread.hpp"
#include "feature_restore.hpp"
#include "health_after_case.hpp"
#include "nvqual/harness/case_executor.hpp"
#include "nvqual/harness/value.hpp"
#include "run_info.hpp"
#include "run_stop.hpp"
#include "nvqual/harness/scratch_variables.hpp"
#include "start_up_probe.hpp"
#include "stop_signal_handler.hpp"
#include "suite_health.hpp"
#include "waits_end_on_stop.hpp"

namespace nvqual::harness {

// Everything a Runner holds for its run. Members are destroyed in reverse:
// the controllers before the clock they wait on, the timers and the signal
// set before the event thread's io_context.
struct Runner::State {
  // The emergency stop after a second signal waits on `base_clock`: it must
  // not be interrupted, and it must run on the simulator's time in tests.
  State(Transport& device, Clock& base_clock, RunnerOptions run_options, RunListener& run_listener)
      : transport(device),
        clock(std::make_unique<InterruptibleClock>(base_clock)),
        options(std::move(run_options)),
        listener(run_listener),
        deadlines(events.io(), case_cancel, options.cancel_grace),
        signals(
            events.io(), device, base_clock, [this] { return stop.requested(); },
            [this](const std::string& reason) { request_stop(reason); }),
        controllers(device, options.controller, *clock) {}

  Transport& transport;
  std::unique_ptr<InterruptibleClock> clock;  // outlives `controllers`; released with an abandoned case thread
  RunnerOptions options;
  RunListener& listener;
  EventThread events;
  CancelToken case_cancel;  // the current case: its deadline or a stop
  RunStop stop;             // the run: a signal or request_stop
  CaseDeadlines deadlines;
  StopSignalHandler signals;
  bool abandoned = false;  // a case thread did not stop within the grace
  ControllerCache controllers;
  std::optional<SuiteHealth> health;  // the current suite's, when options.health_checks

  void request_stop(const std::string& reason) {
    if (stop.request(reason, case_cancel)) deadlines.stop_requested();
  }

  void start_events() {
    if (options.handle_signals) signals.install();
    events.start();
  }
  // Restores the default signal handling and ends the event thread.
  void stop_events() {
    if (!events.running()) return;
    boost::asio::post(events.io(), [this] { signals.remove(); });
    events.stop();
  }

  // What becomes of the next case, given how the run has gone so far.
  // What becomes of any case the run can no longer run; nothing when it can.
  std::optional<CaseResult> run_level_result(const RunInfo& info, bool probe_interrupted, const RunSummary& summary) {
    if (!info.target.probe_error.empty() && !probe_interrupted) {
      return error_result(ProblemType::kDevice, summary.device_problem);
    }
    if (stop.requested()) {
      return not_run(probe_interrupted ? stop.not_run_reason() + " while the device was being probed"
                                       : stop.not_run_reason());
    }
    if (summary.device_lost || abandoned) {
      return not_run(fmt::format(
          "not run: {}", summary.device_lost ? summary.device_problem : "an earlier case could not be stopped"));
    }
    return std::nullopt;
  }

  CaseResult result_for(const Suite& suite, const Case& test_case, const RunInfo& info, bool probe_interrupted,
                        const Variables& facts, RunSummary& summary) {
    if (auto result = run_level_result(info, probe_interrupted, summary)) return std::move(*result);
    return run_case(suite, test_case, facts, summary);
  }

  CaseResult run_case(const Suite& suite, const Case& test_case, const Variables& facts, RunSummary& summary) {
    Variables variables;
    try {
      variables = case_variables(facts, test_case);
      const std::string skip = skip_reason(test_case, variables, options.settings);
      if (!skip.empty()) return not_run(skip);
    } catch (const CaseInputError& e) {
      return error_result(ProblemType::kInput, e.what(), FailedIn::kSetup);
    }
    case_cancel.reset();
    if (stop.requested()) return not_run(stop.not_run_reason());

    Controller* controller = nullptr;
    {
      const WaitsEndOnStop scope(*clock, stop.token());
      try {
        controller = &controllers.for_case(variables);
      } catch (const std::exception& e) {
        if (scope.cut_short()) {
          return error_result(ProblemType::kInterrupted,
                              fmt::format("{} while preparing the controller for the case", stop.token().reason()),
                              FailedIn::kSetup);
        }
        return error_result(ProblemType::kHarness, fmt::format("could not start the case: {}", e.what()),
                            FailedIn::kSetup);
      }
    }

    if (health && !health->started()) {
      const WaitsEndOnStop scope(*clock, stop.token());
      health->begin(*controller);
    }
    CaseResult result;
    const uint64_t changes_before = controller->media_changing_commands_sent();
    try {
      result = run_with_deadline(*controller, suite, test_case, variables);
    } catch (const std::exception& e) {
      result = error_result(ProblemType::kHarness, fmt::format("could not start the case: {}", e.what()));
    }
    if (abandoned) return result;
    summary.media_changing_commands += controller->media_changing_commands_sent() - changes_before;
    restore_features(*controller, *clock, stop, result);
    probe_health_after_case(*controller, *clock, stop, result, summary);
    if (health) health->after_case(*controller);
    return result;
  }

  // The suite's HEALTH-* cases, after its own: the end snapshot, reconciled.
  void report_health(const Suite& suite, SuiteTotals& totals, RunSummary& summary, const RunInfo& info,
                     bool probe_interrupted) {
    if (!health) return;
    // A run that can no longer reach the device ends these cases as it ends any other.
    const std::optional<CaseResult> run_level = run_level_result(info, probe_interrupted, summary);
    if (!run_level && health->started()) {
      const WaitsEndOnStop scope(*clock, stop.token());
      health->finish(&controllers.current(), "");
    } else {
      health->finish(nullptr, run_level ? run_level->message : "");
    }
    listener.on_suite_health(suite, health->report());
    auto results = health->results(options.settings.model);
    // A start snapshot the device failed is these cases' own finding, even when the device is lost after it.
    if (run_level && !health->start_failed()) std::fill(results.begin(), results.end(), *run_level);
    for (size_t i = 0; i < results.size(); ++i) {
      const Case& c = health_cases()[i];
      listener.on_case_start(suite, c);
      totals.add(results[i].outcome);
      summary.totals.add(results[i].outcome);
      listener.on_case_end(suite, c, results[i]);
    }
    health.reset();
  }

  CaseResult run_with_deadline(Controller& controller, const Suite& suite, const Case& test_case,
                               const Variables& variables) {
    CaseThreadEnd end = run_case_thread(
        [this, &controller, &suite, &test_case, variables] {
          return execute_case(controller, suite, test_case, variables, options.settings, case_cancel);
        },
        test_case.timeout, deadlines, *clock, case_cancel);
    if (end.abandoned) {
      abandoned = true;
      return error_result(ProblemType::kDeadline,
                          fmt::format("the case did not stop within {} after it was cancelled ({})",
                                      format_duration(options.cancel_grace), case_cancel.reason()));
    }
    if (end.cut_short) mark_cut_short(end.result, case_cancel, test_case.state);
    if (end.deadline_hit) mark_past_deadline(end.result, test_case.timeout);
    return std::move(end.result);
  }
};

Runner::Runner(Transport& transport, Clock& clock, RunnerOptions options, RunListener& listener)
    : state_(std::make_unique<State>(transport, clock, std::move(options), listener)) {}

Runner::~Runner() {
  state_->stop_events();
  if (state_->abandoned) {
    // Still used by the abandoned thread.
    state_->controllers.abandon();
    (void)state_->clock.release();
  }
}

void Runner::request_stop(const std::string& reason) { state_->request_stop(reason); }

bool Runner::wait_for_stop(std::chrono::nanoseconds timeout) const { return state_->stop.token().wait_for(timeout); }

bool Runner::abandoned_case_thread() const { return state_->abandoned; }

RunSummary Runner::run(const std::vector<Suite>& suites) {
  State& state = *state_;
  RunSummary summary;
  state.start_events();
  struct EventsStop {
    State& state;
    ~EventsStop() { state.stop_events(); }
  } events_stop{state};

  RunInfo info = run_info(state.options.settings);
  const bool probe_interrupted = probe_at_start(state.transport, state.options, *state.clock, state.stop, info,
                                                summary);
  Variables facts = info.target.facts;
  facts["simulator"] = info.target.simulator ? 1 : 0;
  facts["pattern"] = state.options.settings.expect_pattern ? 1 : 0;
  facts["model"] = state.options.settings.model != nullptr ? 1 : 0;
  add_simulator_default_scratch(state.options.settings.media_change_policy, facts, info.target.simulator);
  record_scratch_ranges(info, state.options.settings.media_change_policy);
  add_scratch_variables(facts, state.options.settings.media_change_policy, info.target.simulator);
  state.listener.on_run_start(info);

  for (const Suite& suite : suites) {
    SuiteTotals totals;
    state.listener.on_suite_start(suite, std::chrono::system_clock::now());
    if (state.options.health_checks) {
      const auto bound = facts.find("ready_timeout_ms");
      const auto elpe = facts.find("elpe");
      state.health.emplace(bound == facts.end() ? 0 : bound->second,
                           elpe == facts.end() ? std::nullopt : std::optional<uint64_t>(elpe->second));
    }
    for (const Case& test_case : suite.cases) {
      state.listener.on_case_start(suite, test_case);
      const CaseResult result = state.result_for(suite, test_case, info, probe_interrupted, facts, summary);
      totals.add(result.outcome);
      totals.duration += result.duration;
      summary.totals.add(result.outcome);
      summary.totals.duration += result.duration;
      state.listener.on_case_end(suite, test_case, result);
    }
    state.report_health(suite, totals, summary, info, probe_interrupted);
    state.listener.on_suite_end(suite, totals);
  }

  // Shut the controller down and disable it before its DMA memory is freed.
  // Not interruptible (the clock watches nothing); every wait in it is bounded,
  // and a second signal still exits at once.
  if (!state.abandoned) state.controllers.close();
  // The signal handler stays installed until the reports are written: a signal
  // before this line is in the summary, never lost.
  summary.interrupted = state.stop.requested();
  summary.interrupt_reason = summary.interrupted ? state.stop.reason() : "";
  state.listener.on_run_end(summary);
  return summary;
}

}  // namespace nvqual::harness
