// report_unusable_target (runner.hpp): a complete report for a target that
// could not even be opened.
#include <fmt/format.h>

#include "case_result_rewrites.hpp"
#include "nvqual/harness/runner.hpp"
#include "run_info.hpp"

namespace nvqual::harness {

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
    for (const Case& test_case : suite.cases) {
      listener.on_case_start(suite, test_case);
      const CaseResult result = error_result(ProblemType::kDevice, summary.device_problem);
      totals.add(result.outcome);
      summary.totals.add(result.outcome);
      listener.on_case_end(suite, test_case, result);
    }
    listener.on_suite_end(suite, totals);
  }
  listener.on_run_end(summary);
  return summary;
}

}  // namespace nvqual::harness
