#include "nvqual/harness/console_reporter.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nvqual/harness/report_output.hpp"

namespace nvqual::harness {

namespace {

std::string_view label(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPassed: return "PASS ";
    case Outcome::kFailed: return "FAIL ";
    case Outcome::kError: return "ERROR";
    case Outcome::kSkipped: return "SKIP ";
  }
  return "?    ";
}

std::string seconds(std::chrono::nanoseconds d) {
  return fmt::format("{:.3f} s", static_cast<double>(d.count()) / 1e9);
}

}  // namespace

ConsoleReporter::ConsoleReporter(std::FILE* out, Verbosity verbosity) : out_(out), verbosity_(verbosity) {}

void ConsoleReporter::on_run_start(const RunInfo& info) {
  simulator_ = info.target.simulator;
  const MediaChangeSettings& m = info.media_changes;
  if (m.allowed) {
    media_changes_ = fmt::format(
        "allowed{}{}", m.confirmed_serial.empty() ? "" : ", serial " + terminal_safe(m.confirmed_serial),
        m.scratch.empty() ? ", no scratch range" : ", scratch " + fmt::format("{}", fmt::join(m.scratch, ", ")));
  }
  if (simulator_) fmt::print(out_, "*** SIMULATOR RUN - NOT A DEVICE QUALIFICATION ***\n");
  const auto& t = info.target;
  if (!t.probe_error.empty()) {
    fmt::print(out_, "Target: {}: not usable: {}\n", t.description, t.probe_error);
    std::fflush(out_);
    return;
  }
  if (verbosity_ != Verbosity::kQuiet) {
    fmt::print(out_, "Target: {}: {} {} firmware {} serial {} (VID {}, NVMe {})\n", t.description,
               terminal_safe(t.model), t.simulator ? "(simulated)" : "", terminal_safe(t.firmware),
               terminal_safe(t.serial), t.vid, t.nvme_version);
    fmt::print(out_, "Reset (CC.EN 1->0): {}\nReady (CC.EN 0->1): {}\nLBA stamp expected: {}{}\n", t.reset_latency,
               t.ready_latency, info.expect_pattern ? "yes" : "no",
               info.model_profile.empty() ? "" : "; model profile " + info.model_profile);
    std::fflush(out_);
  }
}

void ConsoleReporter::on_suite_start(const Suite& suite, std::chrono::system_clock::time_point) {
  if (verbosity_ != Verbosity::kQuiet) {
    fmt::print(out_, "\n== {} ({} cases): {}\n", suite.name, suite.cases.size(), suite.description);
  }
}

void ConsoleReporter::on_case_end(const Suite& suite, const Case& test_case, const CaseResult& result) {
  const bool problem = result.outcome == Outcome::kFailed || result.outcome == Outcome::kError;
  if (verbosity_ == Verbosity::kQuiet && !problem) return;
  const std::string prefix = verbosity_ == Verbosity::kQuiet ? suite.name + " " : "";
  fmt::print(out_, "  {} {}{} ({})\n", label(result.outcome), prefix, test_case.display_name(),
             seconds(result.duration));
  if (problem || result.outcome == Outcome::kSkipped) fmt::print(out_, "        {}\n", result.message);
  if (verbosity_ == Verbosity::kVerbose) {
    std::string details = result.details;
    size_t start = 0;
    while (start < details.size()) {
      const size_t end = details.find('\n', start);
      fmt::print(out_, "        | {}\n", details.substr(start, end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  std::fflush(out_);
}

void ConsoleReporter::on_suite_end(const Suite& suite, const SuiteTotals& totals) {
  rows_.push_back({suite.name, totals});
}

void ConsoleReporter::on_run_end(const RunSummary& summary) {
  size_t width = 5;
  for (const auto& row : rows_) width = std::max(width, row.suite.size());
  fmt::print(out_, "\n{:<{}}  {:>5} {:>6} {:>6} {:>6} {:>7} {:>10}\n", "suite", width, "tests", "passed", "failed",
             "errors", "skipped", "time");
  for (const auto& row : rows_) {
    const auto& t = row.totals;
    fmt::print(out_, "{:<{}}  {:>5} {:>6} {:>6} {:>6} {:>7} {:>10}\n", row.suite, width, t.tests, t.passed, t.failures,
               t.errors, t.skipped, seconds(t.duration));
  }
  const auto& t = summary.totals;
  fmt::print(out_, "{:<{}}  {:>5} {:>6} {:>6} {:>6} {:>7} {:>10}\n", "total", width, t.tests, t.passed, t.failures,
             t.errors, t.skipped, seconds(t.duration));
  if (summary.interrupted) fmt::print(out_, "The run was interrupted ({}).\n", summary.interrupt_reason);
  if (summary.device_lost) fmt::print(out_, "Device problem: {}\n", summary.device_problem);
  if (!media_changes_.empty() || summary.media_changing_commands != 0) {
    fmt::print(out_, "Media changes: {}; {} media-changing commands sent\n",
               media_changes_.empty() ? "not allowed" : media_changes_, summary.media_changing_commands);
  }
  if (simulator_) fmt::print(out_, "*** SIMULATOR RUN - NOT A DEVICE QUALIFICATION ***\n");
  std::fflush(out_);
}

}  // namespace nvqual::harness
