#include "nvqual/harness/results.hpp"

namespace nvqual::harness {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPassed: return "passed";
    case Outcome::kFailed: return "failed";
    case Outcome::kError: return "error";
    case Outcome::kSkipped: return "skipped";
  }
  return "?";
}

std::string_view to_string(ProblemType type) {
  switch (type) {
    case ProblemType::kNone: return "";
    case ProblemType::kCheck: return "check";
    case ProblemType::kDriverError: return "DriverError";
    case ProblemType::kHealthProbe: return "health-probe";
    case ProblemType::kDeadline: return "deadline";
    case ProblemType::kInterrupted: return "interrupted";
    case ProblemType::kInput: return "input";
    case ProblemType::kDevice: return "device";
    case ProblemType::kHarness: return "harness";
    case ProblemType::kNotRun: return "not-run";
  }
  return "?";
}

std::string reported_type(const CaseResult& result) {
  std::string type(to_string(result.type));
  if (result.type == ProblemType::kDriverError) type += std::string(".") + to_string(result.driver_error);
  return type;
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

}  // namespace nvqual::harness
