#include "health_after_case.hpp"

#include <fmt/format.h>

#include "case_result_rewrites.hpp"
#include "nvqual/harness/case_executor.hpp"
#include "waits_end_on_stop.hpp"

namespace nvqual::harness {

namespace {

void reset_after_failed_probe(Controller& controller, InterruptibleClock& clock, const RunStop& stop,
                              CaseResult& result, RunSummary& summary) {
  const WaitsEndOnStop scope(clock, stop.token());
  try {
    controller.reset();
  } catch (const std::exception& e) {
    if (scope.cut_short()) {
      result.details += fmt::format("The reset after the failed probe was {}\n", stop.token().reason());
    } else {
      summary.device_lost = true;
      summary.device_problem = fmt::format("the controller did not come back after a reset: {}", e.what());
    }
  }
}

}  // namespace

void probe_health_after_case(Controller& controller, InterruptibleClock& clock, const RunStop& stop, CaseResult& result,
                             RunSummary& summary) {
  if (stop.requested()) {
    mark_probe_interrupted(
        result, fmt::format("the health probe after the case did not run: the run was {}", stop.token().reason()));
    return;
  }
  std::string problem;
  {
    const WaitsEndOnStop scope(clock, stop.token());
    problem = health_problem(controller);
    if (scope.cut_short()) {
      mark_probe_interrupted(result, fmt::format("{} during the health probe after the case", stop.token().reason()));
      return;
    }
  }
  if (problem.empty()) return;
  mark_unhealthy(result, problem);
  reset_after_failed_probe(controller, clock, stop, result, summary);
}

}  // namespace nvqual::harness
