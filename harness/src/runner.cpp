#include "nvqual/harness/runner.hpp"

#include <csignal>
#include <cstdlib>
#include <thread>

#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "nvqual/harness/case_executor.hpp"
#include "nvqual/harness/device_probe.hpp"

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

// State shared with a case thread, kept alive by whoever holds it last (the
// thread may outlive the wait when it has to be abandoned).
struct CaseRun {
  std::atomic<bool> done{false};
  CaseResult result;
};

}  // namespace

struct Runner::Impl {
  Impl(Transport& t, Clock& c, RunnerOptions o, RunListener& l)
      : transport(t), clock(c), options(std::move(o)), listener(l), signals(io) {}

  Transport& transport;
  Clock& clock;
  RunnerOptions options;
  RunListener& listener;
  asio::io_context io;
  asio::signal_set signals;
  CancelToken case_cancel;
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
    case_cancel.request("interrupted by " + reason);
  }
  std::string reason() {
    std::lock_guard lock(stop_mutex);
    return stop_reason;
  }

  void arm_signals() {
    if (!options.handle_signals) return;
    signals.add(SIGINT);
    signals.add(SIGTERM);
    wait_for_signal();
  }
  void wait_for_signal() {
    signals.async_wait([this](const boost::system::error_code& ec, int number) {
      if (ec) return;
      if (stop_requested.load()) {
        // A second interrupt: the user wants out now. DMA memory goes with the process.
        static const char kMessage[] = "nvqual: second interrupt, exiting without finishing the report\n";
        [[maybe_unused]] auto n = ::write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
        std::_Exit(3);
      }
      stop(number == SIGINT ? "SIGINT" : "SIGTERM");
      wait_for_signal();
    });
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
      controller = std::make_unique<Controller>(transport, wanted, clock);
      controller_options = wanted;
    }
    return *controller;
  }

  // Runs the case on a worker thread while this thread waits for it, the
  // deadline or a signal.
  CaseResult run_with_deadline(Controller& ctl, const Suite& suite, const Case& c, const Variables& v) {
    auto run = std::make_shared<CaseRun>();
    auto guard = asio::make_work_guard(io);
    std::thread worker([run, &ctl, &suite, &c, v, this] {
      run->result = execute_case(ctl, suite, c, v, options.settings, case_cancel);
      run->done.store(true);
      asio::post(io, [] {});  // wakes the waiting loop
    });
    bool deadline_hit = false;
    bool grace_over = false;
    bool grace_armed = false;
    asio::steady_timer deadline(io, c.timeout);
    asio::steady_timer grace(io);
    deadline.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      deadline_hit = true;
      case_cancel.request(fmt::format("the case exceeded its {} s deadline", c.timeout.count()));
    });
    while (!run->done.load() && !grace_over) {
      if (case_cancel.requested() && !grace_armed) {
        grace_armed = true;
        grace.expires_after(options.cancel_grace);
        grace.async_wait([&](const boost::system::error_code& ec) { grace_over = !ec; });
      }
      io.run_one();
    }
    deadline.cancel();
    grace.cancel();
    io.poll();  // let the cancelled handlers run while their captures are alive
    if (!run->done.load()) {
      worker.detach();  // `run` stays alive through the thread's copy
      abandoned = true;
      return error_result("deadline", fmt::format("the case did not stop within {} after it was cancelled ({})",
                                                  format_duration(options.cancel_grace), case_cancel.reason()));
    }
    worker.join();
    CaseResult result = std::move(run->result);
    if (deadline_hit && result.outcome != Outcome::kError) {
      result.outcome = Outcome::kError;
      result.type = "deadline";
      result.message = fmt::format("the case exceeded its {} s deadline", c.timeout.count());
    }
    return result;
  }

  Variables case_variables(const Variables& facts, const Case& c) {
    Variables v = facts;
    v["iteration"] = 0;
    v["admin_sq_entries"] = c.admin_sq_entries.evaluate(v);
    v["admin_cq_entries"] = c.admin_cq_entries.evaluate(v);
    v["io_queue_count"] = c.io_queue_count.evaluate(v);
    v["io_queue_entries"] = c.io_queue_entries.evaluate(v);
    for (const char* name : {"admin_sq_entries", "admin_cq_entries"}) {
      if (v[name] < 2 || v[name] > 4096) {
        throw CaseInputError(fmt::format("{} = {} is outside 2..4096", name, v[name]));
      }
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
    if (stop_requested.load()) return not_run(fmt::format("not run: the run was interrupted ({})", reason()));
    CaseResult result;
    try {
      result = run_with_deadline(controller_for(v), suite, c, v);
    } catch (const std::exception& e) {
      result = error_result("harness", fmt::format("could not start the case: {}", e.what()));
    }
    if (abandoned || stop_requested.load()) return result;
    // Health probe: a case that broke the controller must not poison the next one.
    const std::string problem = health_problem(*controller);
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
      try {
        controller->reset();
      } catch (const std::exception& e) {
        summary.device_lost = true;
        summary.device_problem = fmt::format("the controller did not come back after a reset: {}", e.what());
      }
    }
    return result;
  }
};

Runner::Runner(Transport& transport, Clock& clock, RunnerOptions options, RunListener& listener)
    : impl_(std::make_unique<Impl>(transport, clock, std::move(options), listener)) {}

Runner::~Runner() {
  if (impl_->abandoned) (void)impl_->controller.release();  // still used by the abandoned thread
}

void Runner::request_stop(const std::string& reason) {
  // Through the io_context so it is ordered with the signal handler.
  impl_->stop(reason);
  asio::post(impl_->io, [] {});
}

bool Runner::abandoned_case_thread() const { return impl_->abandoned; }

RunSummary Runner::run(const std::vector<Suite>& suites) {
  Impl& s = *impl_;
  RunSummary summary;
  s.arm_signals();

  RunInfo info;
  info.hostname = host_name();
  info.started = std::chrono::system_clock::now();
  info.expect_pattern = s.options.settings.expect_pattern;
  info.model_profile = s.options.settings.model != nullptr ? s.options.settings.model->name : "";
  try {
    Controller probe(s.transport, s.options.controller, s.clock);
    info.target = probe_device(probe, s.options.io_queues_wanted);
  } catch (const std::exception& e) {
    if (s.options.fallback_target) {
      info.target = *s.options.fallback_target;
      info.target.description += fmt::format(" (facts from a fallback: probing failed: {})", e.what());
    } else {
      info.target.simulator = s.transport.is_simulator();
      info.target.description = s.transport.name();
      if (!info.target.simulator) info.target.bdf = s.transport.name();
      info.target.probe_error = e.what();
      summary.device_lost = true;
      summary.device_problem = fmt::format("the device could not be probed: {}", e.what());
    }
  }
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
      if (!info.target.probe_error.empty()) {
        result = error_result("device", summary.device_problem);
      } else if (summary.device_lost || s.abandoned) {
        result = not_run(fmt::format("not run: {}", summary.device_lost ? summary.device_problem
                                                                         : "an earlier case could not be stopped"));
      } else if (s.stop_requested.load()) {
        result = not_run(fmt::format("not run: the run was interrupted ({})", s.reason()));
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
  if (!s.abandoned) s.controller.reset();
  boost::system::error_code ignored;
  s.signals.clear(ignored);  // default SIGINT/SIGTERM handling again
  s.signals.cancel();
  s.io.poll();
  summary.interrupted = s.stop_requested.load();
  summary.interrupt_reason = summary.interrupted ? s.reason() : "";
  s.listener.on_run_end(summary);
  return summary;
}

}  // namespace nvqual::harness
