#include "suite_health.hpp"

#include <fmt/format.h>

#include "nvqual/driver/commands.hpp"

namespace nvqual::harness {

namespace {

constexpr uint8_t kLidError = 0x01;
constexpr uint8_t kLidSmart = 0x02;
constexpr uint32_t kAllNamespaces = 0xFFFFFFFF;  // controller-wide SMART (Base 2.0 5.16.1.3)
constexpr const char* kWhere = "harness/src/health_reconciliation.cpp";

std::string show(const HealthField& f) { return fmt::format("{} -> {} ({:+})", f.start, f.end, f.difference()); }

}  // namespace

const std::deque<Case>& health_cases() {
  static const std::deque<Case> kCases = [] {
    std::deque<Case> cases;
    for (const auto& check : health_checks()) {
      Case c;
      c.id = std::string(check.id);
      c.title = std::string(check.title);
      c.spec = std::string(check.spec);
      c.description = "a run-level check: SMART / Health and the Error log before and after the suite";
      c.tags = {"health"};
      c.mark = SourceMark{kWhere};
      cases.push_back(std::move(c));
    }
    return cases;
  }();
  return kCases;
}

// Both logs with RAE set: reading them must not acknowledge an event a case
// waits for (Base 2.0 5.16, CDW10 bit 15). A refused read is recorded as a
// failure nvqual saw, since the device may log it too.
std::optional<HealthSnapshot> SuiteHealth::read(Controller& controller, std::string& problem) {
  try {
    if (!controller.enabled()) {
      // A controller that cannot be enabled is a set-up failure, as for a case's start state.
      failed_in_setup_ = true;
      controller.enable();
      failed_in_setup_ = false;
    }
    if (!elpe_ && !controller.identity()) controller.identify_controller();
    const size_t error_bytes = 64 * (static_cast<size_t>(elpe_ ? *elpe_ : controller.identity()->elpe) + 1);
    DmaBuffer buffer(controller.transport(), std::max<size_t>(error_bytes, 4096), controller.page_size());
    HealthSnapshot snapshot;
    const auto read_log = [&](uint8_t lid, uint32_t nsid, size_t bytes) -> bool {
      const auto cqe = controller.admin(
          cmd::get_log_page(lid, nsid, static_cast<uint32_t>(bytes / 4), 0, /*retain_async_event=*/true), buffer,
          bytes);
      if (cqe.status().ok()) return true;
      activity_.failures.push_back({0, cqe.cid(), cqe.status()});
      problem = fmt::format("Get Log Page {:02x}h failed: {}", lid, cqe.status().describe());
      return false;
    };
    if (!read_log(kLidSmart, kAllNamespaces, 512)) return std::nullopt;
    snapshot.smart = parse_smart_log(std::span<const std::byte>(buffer.data(), 512));
    if (!read_log(kLidError, kAllNamespaces, error_bytes)) return std::nullopt;
    snapshot.errors = parse_error_log(std::span<const std::byte>(buffer.data(), error_bytes));
    activity_.counts.add(controller.take_command_counts());
    return snapshot;
  } catch (const std::exception& e) {
    problem = fmt::format("reading SMART / Health and the Error log failed: {}", e.what());
    return std::nullopt;
  }
}

void SuiteHealth::begin(Controller& controller) {
  started_ = true;
  (void)controller.take_command_counts();  // what came before the suite is not the suite's
  std::string problem;
  start_ = read(controller, problem);
  if (!start_) problem_ = "at the start of the suite: " + problem;
}

void SuiteHealth::after_case(Controller& controller) {
  activity_.counts.add(controller.take_command_counts());
  const CommandLog& log = controller.command_log();
  for (const CommandRecord& f : log.failures()) {
    if (f.completion) activity_.failures.push_back({f.qid, f.completion->cid(), f.completion->status()});
  }
  activity_.failures_dropped += log.failures_dropped();
}

void SuiteHealth::finish(Controller* controller, const std::string& why_not) {
  if (!started_ || !start_) return;
  if (controller == nullptr) {
    not_run_ = why_not;
    return;
  }
  std::string problem;
  end_ = read(*controller, problem);
  if (!end_) problem_ = "at the end of the suite: " + problem;
}

std::vector<CaseResult> SuiteHealth::results(const ModelProfile* model) const {
  std::vector<CaseResult> out;
  const auto& checks = health_checks();
  if (!start_ || !end_) {
    for (size_t i = 0; i < checks.size(); ++i) {
      CaseResult r;
      if (!started_ || !not_run_.empty()) {
        r.outcome = Outcome::kSkipped;
        r.type = ProblemType::kNotRun;
        r.message = !started_ ? "not run: no case of the suite ran, so nothing was done to reconcile"
                              : fmt::format("not run: {}", not_run_);
      } else {
        r.outcome = Outcome::kError;
        r.type = ProblemType::kDevice;
        // The device failed the log reads these cases are made of, or (set-up) the enable before them.
        r.failed_in = failed_in_setup_ ? FailedIn::kSetup : FailedIn::kSteps;
        r.message = fmt::format("SMART / Health could not be reconciled: {}", problem_);
      }
      r.details = fmt::format("{}\n{}: {}\n", health_cases()[i].display_name(), to_string(r.outcome), r.message);
      out.push_back(std::move(r));
    }
    return out;
  }
  const auto verdicts = reconcile_health(*start_, *end_, activity_);
  for (size_t i = 0; i < verdicts.size(); ++i) {
    const HealthCheckResult& v = verdicts[i];
    const Case& c = health_cases()[i];
    CaseResult r;
    CheckResult check{v.state, std::string(v.check->title), v.expected, v.actual, c.mark};
    r.checks.push_back(check);
    r.measurements = v.measurements;
    if (i == 0) {
      for (const auto& f : health_fields(*start_, *end_)) r.measurements.push_back({"SMART " + f.key, show(f)});
    }
    const std::string* reason = nullptr;
    if (model != nullptr) {
      const auto it = model->relaxed.find(v.check->name);
      if (it != model->relaxed.end()) reason = &it->second;
    }
    const bool is_relaxed = reason != nullptr;
    if (v.state == CheckState::kFailed && is_relaxed) {
      r.outcome = Outcome::kSkipped;
      r.message = fmt::format("relaxed by the model profile '{}' ({}): expected {}, actual {}", model->name, *reason,
                              v.expected, v.actual);
    } else if (v.state == CheckState::kFailed) {
      r.outcome = Outcome::kFailed;
      r.type = ProblemType::kCheck;
      r.failed_in = FailedIn::kSteps;
      r.message = fmt::format("{}: expected {}, actual {} (NVMe {}; run-level check {})", v.check->title, v.expected,
                              v.actual, v.check->spec, v.check->name);
    } else if (v.state == CheckState::kNotApplicable) {
      r.outcome = Outcome::kSkipped;
      r.message = fmt::format("no check applies: {}", v.expected);
    } else if (is_relaxed) {
      r.measurements.push_back(
          {"relaxed by the model profile", fmt::format("'{}' ({}), but the check passed", model->name, *reason)});
    }
    std::string d = fmt::format("{} (NVMe {})\n", c.display_name(), c.spec);
    if (r.outcome != Outcome::kPassed) d += fmt::format("{}: {}\n", to_string(r.outcome), r.message);
    d += fmt::format("Checks:\n  {} {}: expected {}, actual {} [{}]\n",
                     v.state == CheckState::kPassed   ? "PASS"
                     : v.state == CheckState::kFailed ? "FAIL"
                                                      : "N/A ",
                     v.check->title, v.expected, v.actual, v.check->name);
    if (!r.measurements.empty()) d += "Measured:\n";
    for (const auto& m : r.measurements) d += fmt::format("  {}: {}\n", m.name, m.value);
    r.details = std::move(d);
    out.push_back(std::move(r));
  }
  return out;
}

SuiteHealthReport SuiteHealth::report() const {
  SuiteHealthReport r;
  r.read = start_.has_value() && end_.has_value();
  r.problem = !started_ ? "no case of the suite ran" : !not_run_.empty() ? not_run_ : problem_;
  if (r.read) r.fields = health_fields(*start_, *end_);
  return r;
}

}  // namespace nvqual::harness
