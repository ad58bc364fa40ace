#include "nvqual/harness/runner.hpp"

#include <signal.h>

#include <csignal>
#include <cstdlib>
#include <future>
#include <thread>

#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "nvqual/driver/emergency_stop.hpp"
#include "nvqual/harness/case_executor.hpp"
#include "nvqual/harness/device_probe.hpp"
#include "nvqual/harness/value.hpp"

namespace nvqual::harness {

namespace asio = boost::asio;

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPassed: return "passed";
    case Outcome::kFailed: return "failed";
    case Outcome::kError: return "error";
    case Outcome::kSkipped: return "skipped";
  }
  return "?";
}

void SuiteTotals::add(Outcome outcome) {
  ++tests;
  switch (outcome) {
    case Outcome::kPassed: ++passed; break;
    case Outcome::kFailed: ++failures; break;
    case Outcome::kError: ++errors; break;
    case Outcome::kSkipped: ++skipped; break;
  }
}

int exit_code_for(const RunSummary& summary) {
  if (summary.interrupted || summary.device_lost) return 3;
  if (summary.totals.failures > 0 || summary.totals.errors > 0) return 1;
  return 0;
}

namespace {

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

CaseResult not_run(const std::string& reason) {
  CaseResult r;
  r.outcome = Outcome::kSkipped;
  r.type = "not-run";
  r.message = reason;
  r.details = reason + "\n";
  return r;
}

CaseResult error_result(std::string type, std::string message, std::string failed_in = "run") {
  CaseResult r;
  r.failed_in = std::move(failed_in);
  r.outcome = Outcome::kError;
  r.type = std::move(type);
  r.message = std::move(message);
  r.details = r.message + "\n";
  return r;
}

RunInfo run_info(const RunSettings& settings) {
  RunInfo info;
  info.hostname = host_name();
  info.started = std::chrono::system_clock::now();
  info.expect_pattern = settings.expect_pattern;
  info.model_profile = settings.model != nullptr ? settings.model->name : "";
  return info;
}

// Thrown from the runner's clock when a stop was requested while the driver
// waited. A DriverError, so the driver handles it like a timeout: it disables
// the controller before unwinding frees memory the device could still reach.
class WaitInterrupted final : public DriverError {
 public:
  explicit WaitInterrupted(const std::string& reason) : DriverError(ErrorKind::kEnvironment, reason) {}
};

// The clock the runner's controllers wait on. It forwards to the real clock;
// while it watches a token that has been requested, the next pause throws
// WaitInterrupted. Every bounded wait in the driver polls through pause(), so a
// signal (or a case's deadline) ends a ready wait of CAP.TO x 500 ms or a
// command timeout at its next poll instead of at its bound. It fires once per
// watch(): the driver's own clean-up after the throw (a bounded disable) then
// waits normally, and so does everything the runner does while not watching.
class InterruptibleClock final : public Clock {
 public:
  explicit InterruptibleClock(Clock& base) : base_(base) {}
  time_point now() override { return base_.now(); }
  time_point coarse_now() override { return base_.coarse_now(); }
  void pause(duration hint) override {
    interrupt_if_requested();
    base_.pause(hint);
    interrupt_if_requested();
  }
  // Watch `token` (nullptr: none) from now on; clears fired().
  void watch(const CancelToken* token) {
    fired_.store(false);
    token_.store(token);
  }
  // True when a wait was cut short since the last watch().
  bool fired() const { return fired_.load(); }

 private:
  void interrupt_if_requested() {
    const CancelToken* token = token_.load();
    if (token == nullptr || !token->requested()) return;
    token_.store(nullptr);
    fired_.store(true);
    throw WaitInterrupted(token->reason());
  }

  Clock& base_;
  std::atomic<const CancelToken*> token_{nullptr};
  std::atomic<bool> fired_{false};
};

// State shared with a case thread, kept alive by whoever holds it last (the
// thread may outlive the wait when it has to be abandoned).
struct CaseRun {
  CaseResult result;
};

// One case's wait, driven on the event thread: the case thread finishing, its
// deadline, and the grace a cancelled case gets to stop. The promise tells the
// runner's thread how it ended: true when the case thread finished, false when
// it did not stop within the grace.
struct CaseWait {
  explicit CaseWait(asio::io_context& io) : deadline(io), grace(io) {}
  asio::steady_timer deadline;
  asio::steady_timer grace;
  std::promise<bool> ended;
  bool settled = false;
  bool grace_armed = false;
  std::atomic<bool> deadline_hit{false};
};

// "interrupted by SIGINT" -> the JUnit error type of a cancelled case.
std::string cancel_type(const std::string& reason) {
  return reason.rfind("interrupted", 0) == 0 ? "interrupted" : "deadline";
}

void replace_message(CaseResult& result, std::string message) {
  if (const auto at = result.details.find(result.message); at != std::string::npos && !result.message.empty()) {
    result.details.replace(at, result.message.size(), message);
  } else {
    result.details = message + "\n" + result.details;
  }
  result.message = std::move(message);
}

// The health probe after a case did not run or was cut short by a stop: a case
// whose steps passed has no verdict (the probe is part of it) and becomes an
// interrupted error of its probe; a failure or error stands, with a note.
void mark_probe_interrupted(CaseResult& result, const std::string& what) {
  if (result.outcome == Outcome::kPassed || result.outcome == Outcome::kSkipped) {
    result.outcome = Outcome::kError;
    result.type = "interrupted";
    result.failed_in = "probe";
    replace_message(result, what + " (the case's steps had passed)");
  } else {
    result.details += what + "\n";
  }
}

}  // namespace

struct Runner::Impl {
  Impl(Transport& t, Clock& c, RunnerOptions o, RunListener& l)
      : transport(t), clock(std::make_unique<InterruptibleClock>(c)), options(std::move(o)), listener(l), signals(io) {}

  Transport& transport;
  std::unique_ptr<InterruptibleClock> clock;  // outlives `controller`, which waits on it
  RunnerOptions options;
  RunListener& listener;
  asio::io_context io;
  asio::signal_set signals;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread events;                 // runs `io` for the whole run
  std::shared_ptr<CaseWait> current;  // the case being waited for; event thread only
  CancelToken case_cancel;            // the current case: its deadline or a stop
  CancelToken run_stop;               // the run: a signal or request_stop
  std::atomic<bool> stop_requested{false};
  std::mutex stop_mutex;
  std::string stop_reason;
  bool abandoned = false;
  std::unique_ptr<Controller> controller;
  ControllerOptions controller_options;

  void stop(const std::string& reason) {
    {
      std::lock_guard lock(stop_mutex);
      if (stop_requested.load()) return;
      stop_reason = reason;
      stop_requested.store(true);
    }
    // The case's token first: whoever sees run_stop (wait_for_stop) may rely on
    // the running case's driver waits being cut short already.
    case_cancel.request("interrupted by " + reason);
    run_stop.request("interrupted by " + reason);
    asio::post(io, [this] { arm_grace(current); });
  }
  std::string reason() {
    std::lock_guard lock(stop_mutex);
    return stop_reason;
  }
  std::string not_run_reason() { return fmt::format("not run: the run was interrupted ({})", reason()); }

  // ---- the event thread ------------------------------------------------------
  void start_events() {
    io.restart();
    work.emplace(asio::make_work_guard(io));
    if (options.handle_signals) {
      signals.add(SIGINT);
      signals.add(SIGTERM);
      // A caller may block the signals before the run (the CLI does, before it
      // loads suites and opens the device) so an early one waits for this
      // handler instead of killing the process. One held that way is taken
      // here, so the run starts stopped (the handler thread might see it only
      // after a short run ended); then they are unblocked, before the event
      // thread starts (it inherits the mask).
      sigset_t stop_signals;
      sigemptyset(&stop_signals);
      sigaddset(&stop_signals, SIGINT);
      sigaddset(&stop_signals, SIGTERM);
      const timespec no_wait{};
      if (const int held = ::sigtimedwait(&stop_signals, nullptr, &no_wait); held > 0) on_signal(held);
      wait_for_signal();
      ::pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
    }
    events = std::thread([this] { io.run(); });
  }
  // Restores the default signal handling and ends the event thread. Bounded:
  // no timer is pending once every case wait has settled.
  void stop_events() {
    if (!events.joinable()) return;
    asio::post(io, [this] {
      boost::system::error_code ignored;
      signals.clear(ignored);
      signals.cancel(ignored);
    });
    work.reset();
    events.join();
  }
  void wait_for_signal() {
    signals.async_wait([this](const boost::system::error_code& ec, int number) {
      if (ec) return;
      on_signal(number);
      wait_for_signal();
    });
  }
  void on_signal(int number) {
    if (stop_requested.load()) {
      // A second interrupt: the user wants out now. DMA memory goes with the process.
      static const char kMessage[] = "nvqual: second interrupt, exiting without finishing the reports\n";
      [[maybe_unused]] auto n = ::write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
      emergency_disable(transport);  // the case thread may be mid-command: registers only, nothing freed
      std::_Exit(3);
    }
    const char* name = number == SIGINT ? "SIGINT" : "SIGTERM";
    fmt::print(stderr,
               "nvqual: {}: stopping - disabling the controller and finishing the reports (send it again to exit "
               "at once)\n",
               name);
    stop(name);
  }

  // Event thread only, like everything touching a CaseWait.
  void begin_wait(const std::shared_ptr<CaseWait>& w, std::chrono::seconds timeout) {
    current = w;
    w->deadline.expires_after(timeout);
    w->deadline.async_wait([this, w, timeout](const boost::system::error_code& ec) {
      if (ec || w->settled) return;
      w->deadline_hit.store(true);
      case_cancel.request(fmt::format("the case exceeded its {} s deadline", timeout.count()));
      arm_grace(w);
    });
    if (case_cancel.requested()) arm_grace(w);
  }
  void arm_grace(const std::shared_ptr<CaseWait>& w) {
    if (!w || w->settled || w->grace_armed) return;
    w->grace_armed = true;
    w->grace.expires_after(options.cancel_grace);
    w->grace.async_wait([this, w](const boost::system::error_code& ec) {
      if (!ec) settle(w, false);
    });
  }
  void settle(const std::shared_ptr<CaseWait>& w, bool finished) {
    if (w->settled) return;
    w->settled = true;
    w->deadline.cancel();
    w->grace.cancel();
    if (current == w) current.reset();
    w->ended.set_value(finished);
  }

  // ---- the device ------------------------------------------------------------
  // Probes the device for the run's facts; a stop cuts the probe short.
  void probe(RunInfo& info, RunSummary& summary, bool& interrupted) {
    Controller probe(transport, options.controller, *clock);
    clock->watch(&run_stop);
    try {
      info.target = probe_device(probe, options.io_queues_wanted);
    } catch (const std::exception& e) {
      interrupted = clock->fired();
      if (options.fallback_target && !interrupted) {
        info.target = *options.fallback_target;
        info.target.description += fmt::format(" (facts from a fallback: probing failed: {})", e.what());
      } else {
        info.target.simulator = transport.is_simulator();
        info.target.description = transport.name();
        if (!info.target.simulator) info.target.bdf = transport.name();
        if (interrupted) {
          info.target.probe_error = fmt::format("probing was {} before it finished", run_stop.reason());
        } else {
          info.target.probe_error = e.what();
          summary.device_lost = true;
          summary.device_problem = fmt::format("the device could not be probed: {}", e.what());
        }
      }
    }
    clock->watch(nullptr);
  }

  Controller& controller_for(const Variables& v) {
    ControllerOptions wanted = options.controller;
    wanted.admin_queue_entries = static_cast<uint32_t>(v.at("admin_sq_entries"));
    wanted.admin_cq_entries = static_cast<uint32_t>(v.at("admin_cq_entries"));
    const bool same = controller && controller_options.admin_queue_entries == wanted.admin_queue_entries &&
                      controller_options.admin_cq_entries == wanted.admin_cq_entries;
    if (!same) {
      // A plain disable, not the destructor's shutdown: a case must never start
      // from a shut-down controller (CSTS.SHST may stay 10b until the next enable).
      if (controller) {
        try {
          controller->disable();
        } catch (const std::exception&) {
          // The destructor below still stops the controller before freeing its memory.
        }
      }
      controller.reset();
      controller = std::make_unique<Controller>(transport, wanted, *clock);
      controller_options = wanted;
    }
    return *controller;
  }

  // Runs the case on a worker thread; this thread waits (bounded by the case's
  // deadline plus the grace) for the event thread to say how it ended.
  CaseResult run_with_deadline(Controller& ctl, const Suite& suite, const Case& c, const Variables& v) {
    auto run = std::make_shared<CaseRun>();
    auto wait = std::make_shared<CaseWait>(io);
    std::future<bool> ended = wait->ended.get_future();
    asio::post(io, [this, wait, timeout = c.timeout] { begin_wait(wait, timeout); });
    clock->watch(&case_cancel);  // the case's driver waits end at its deadline or a stop
    std::thread worker([run, wait, &ctl, &suite, &c, v, this] {
      run->result = execute_case(ctl, suite, c, v, options.settings, case_cancel);
      asio::post(io, [this, wait] { settle(wait, true); });
    });
    if (!ended.get()) {
      worker.detach();  // `run` stays alive through the thread's copy
      abandoned = true;
      return error_result("deadline", fmt::format("the case did not stop within {} after it was cancelled ({})",
                                                  format_duration(options.cancel_grace), case_cancel.reason()));
    }
    worker.join();
    const bool cut_short = clock->fired();
    clock->watch(nullptr);
    CaseResult result = std::move(run->result);
    if (cut_short) {
      // A driver wait was ended by the cancellation: whatever the case made of
      // it (an error "kEnvironment", or an observation a step built from the
      // exception), its outcome is the interruption or the deadline.
      if (result.failed_in.empty()) result.failed_in = "steps";
      result.outcome = Outcome::kError;
      result.type = cancel_type(case_cancel.reason());
      replace_message(result,
                      fmt::format("{} while {}", case_cancel.reason(),
                                  result.failed_in == "setup" ? fmt::format("reaching state {}", to_string(c.state))
                                                              : std::string("running steps")));
    }
    if (wait->deadline_hit.load() && result.outcome != Outcome::kError) {
      result.outcome = Outcome::kError;
      result.type = "deadline";
      result.message = fmt::format("the case exceeded its {} s deadline", c.timeout.count());
    }
    return result;
  }

  Variables case_variables(const Variables& facts, const Case& c) {
    Variables v = facts;
    v["iteration"] = 0;
    struct Setting {
      const char* name;
      const char* key;
      const Expression* expression;
      uint64_t min, max;
      bool used;  // I/O queue settings matter (and are range-checked) in state io only
    };
    const bool io = c.state == StartState::kIo;
    // In this order: each may use the ones before it (the loader checks that).
    const Setting settings[] = {
        {"admin_sq_entries", "admin_queue entries", &c.admin_sq_entries, 2, 4096, true},
        {"admin_cq_entries", "admin_queue cq_entries", &c.admin_cq_entries, 2, 4096, true},
        {"io_queue_count", "io_queues count", &c.io_queue_count, 1, 65535, io},
        {"io_queue_entries", "io_queues entries", &c.io_queue_entries, 2, 65536, io},
    };
    for (const Setting& s : settings) {
      const uint64_t value = s.expression->evaluate(v);
      if (s.used && (value < s.min || value > s.max)) {
        throw CaseInputError(fmt::format("{} '{}' is {} on this device: expected {}..{} ({})", s.key,
                                         s.expression->text(), value, s.min, s.max, c.mark.str()));
      }
      v[s.name] = value;
    }
    return v;
  }

  CaseResult run_case(const Suite& suite, const Case& c, const Variables& facts, RunSummary& summary) {
    Variables v;
    try {
      v = case_variables(facts, c);
      const std::string skip = skip_reason(c, v, options.settings);
      if (!skip.empty()) return not_run(skip);
    } catch (const CaseInputError& e) {
      return error_result("input", e.what(), "setup");
    }
    case_cancel.reset();
    if (stop_requested.load()) return not_run(not_run_reason());

    Controller* ctl = nullptr;
    clock->watch(&run_stop);
    try {
      ctl = &controller_for(v);
    } catch (const std::exception& e) {
      const bool cut_short = clock->fired();
      clock->watch(nullptr);
      if (cut_short) {
        return error_result("interrupted",
                            fmt::format("{} while preparing the controller for the case", run_stop.reason()), "setup");
      }
      return error_result("harness", fmt::format("could not start the case: {}", e.what()), "setup");
    }
    clock->watch(nullptr);

    CaseResult result;
    try {
      result = run_with_deadline(*ctl, suite, c, v);
    } catch (const std::exception& e) {
      result = error_result("harness", fmt::format("could not start the case: {}", e.what()));
    }
    if (abandoned) return result;
    if (stop_requested.load()) {
      mark_probe_interrupted(
          result, fmt::format("the health probe after the case did not run: the run was {}", run_stop.reason()));
      return result;
    }

    // Health probe: a case that broke the controller must not poison the next one.
    clock->watch(&run_stop);
    const std::string problem = health_problem(*controller);
    const bool probe_cut = clock->fired();
    clock->watch(nullptr);
    if (probe_cut) {
      mark_probe_interrupted(result, fmt::format("{} during the health probe after the case", run_stop.reason()));
      return result;
    }
    if (!problem.empty()) {
      // The case's own finding stays first in the message; the probe's follows.
      if (result.outcome == Outcome::kPassed || result.outcome == Outcome::kSkipped) {
        result.failed_in = "probe";
        result.message = fmt::format("health probe after the case: {}", problem);
      } else {
        result.message = fmt::format("{} (and the health probe after the case: {})", result.message, problem);
      }
      result.outcome = Outcome::kError;
      result.type = "health-probe";
      result.details = "Health probe: " + problem + "\n" + result.details;
      clock->watch(&run_stop);
      try {
        controller->reset();
      } catch (const std::exception& e) {
        if (clock->fired()) {
          result.details += fmt::format("The reset after the failed probe was {}\n", run_stop.reason());
        } else {
          summary.device_lost = true;
          summary.device_problem = fmt::format("the controller did not come back after a reset: {}", e.what());
        }
      }
      clock->watch(nullptr);
    }
    return result;
  }
};

Runner::Runner(Transport& transport, Clock& clock, RunnerOptions options, RunListener& listener)
    : impl_(std::make_unique<Impl>(transport, clock, std::move(options), listener)) {}

Runner::~Runner() {
  impl_->stop_events();
  if (impl_->abandoned) {
    // Still used by the abandoned thread.
    (void)impl_->controller.release();
    (void)impl_->clock.release();
  }
}

void Runner::request_stop(const std::string& reason) { impl_->stop(reason); }

bool Runner::wait_for_stop(std::chrono::nanoseconds timeout) const { return impl_->run_stop.wait_for(timeout); }

bool Runner::abandoned_case_thread() const { return impl_->abandoned; }

RunSummary Runner::run(const std::vector<Suite>& suites) {
  Impl& s = *impl_;
  RunSummary summary;
  s.start_events();
  struct EventsStop {
    Impl& s;
    ~EventsStop() { s.stop_events(); }
  } events_stop{s};

  RunInfo info = run_info(s.options.settings);
  bool probe_interrupted = false;
  s.probe(info, summary, probe_interrupted);
  Variables facts = info.target.facts;
  facts["simulator"] = info.target.simulator ? 1 : 0;
  facts["pattern"] = s.options.settings.expect_pattern ? 1 : 0;
  facts["model"] = s.options.settings.model != nullptr ? 1 : 0;
  s.listener.on_run_start(info);

  for (const Suite& suite : suites) {
    SuiteTotals totals;
    s.listener.on_suite_start(suite, std::chrono::system_clock::now());
    for (const Case& c : suite.cases) {
      s.listener.on_case_start(suite, c);
      CaseResult result;
      if (!info.target.probe_error.empty() && !probe_interrupted) {
        result = error_result("device", summary.device_problem);
      } else if (s.stop_requested.load()) {
        result = not_run(probe_interrupted ? s.not_run_reason() + " while the device was being probed"
                                           : s.not_run_reason());
      } else if (summary.device_lost || s.abandoned) {
        result = not_run(fmt::format(
            "not run: {}", summary.device_lost ? summary.device_problem : "an earlier case could not be stopped"));
      } else {
        result = s.run_case(suite, c, facts, summary);
      }
      totals.add(result.outcome);
      totals.duration += result.duration;
      summary.totals.add(result.outcome);
      summary.totals.duration += result.duration;
      s.listener.on_case_end(suite, c, result);
    }
    s.listener.on_suite_end(suite, totals);
  }

  // Shut the controller down and disable it before its DMA memory is freed.
  // Not interruptible (the clock watches nothing); every wait in it is bounded,
  // and a second signal still exits at once.
  if (!s.abandoned) s.controller.reset();
  // The signal handler stays installed until the reports are written: a signal
  // before this line is in the summary, never lost.
  summary.interrupted = s.stop_requested.load();
  summary.interrupt_reason = summary.interrupted ? s.reason() : "";
  s.listener.on_run_end(summary);
  return summary;
}

RunSummary report_unusable_target(const std::vector<Suite>& suites, const TargetInfo& target,
                                  const RunSettings& settings, RunListener& listener) {
  RunSummary summary;
  summary.device_lost = true;
  summary.device_problem = fmt::format("{} {}", target.description, target.probe_error);
  RunInfo info = run_info(settings);
  info.target = target;
  listener.on_run_start(info);
  for (const Suite& suite : suites) {
    SuiteTotals totals;
    listener.on_suite_start(suite, std::chrono::system_clock::now());
    for (const Case& c : suite.cases) {
      listener.on_case_start(suite, c);
      const CaseResult result = error_result("device", summary.device_problem);
      totals.add(result.outcome);
      summary.totals.add(result.outcome);
      listener.on_case_end(suite, c, result);
    }
    listener.on_suite_end(suite, totals);
  }
  listener.on_run_end(summary);
  return summary;
}

}  // namespace nvqual::harness
