#include "case_result_rewrites.hpp"

#include <fmt/format.h>

#include "nvqual/harness/case_executor.hpp"

namespace nvqual::harness {

namespace {

// The details repeat the message: a new message replaces the old one there too.
void replace_message(CaseResult& result, std::string message) {
  if (const auto at = result.details.find(result.message); at != std::string::npos && !result.message.empty()) {
    result.details.replace(at, result.message.size(), message);
  } else {
    result.details = message + "\n" + result.details;
  }
  result.message = std::move(message);
}

bool has_no_verdict_of_its_own(const CaseResult& result) {
  return result.outcome == Outcome::kPassed || result.outcome == Outcome::kSkipped;
}

}  // namespace

CaseResult not_run(const std::string& reason) {
  CaseResult result;
  result.outcome = Outcome::kSkipped;
  result.type = ProblemType::kNotRun;
  result.message = reason;
  result.details = reason + "\n";
  return result;
}

CaseResult error_result(ProblemType type, std::string message, FailedIn failed_in) {
  CaseResult result;
  result.failed_in = failed_in;
  result.outcome = Outcome::kError;
  result.type = type;
  result.message = std::move(message);
  result.details = result.message + "\n";
  return result;
}

void mark_cut_short(CaseResult& result, const CancelToken& case_cancel, StartState start_state) {
  if (result.failed_in == FailedIn::kNone) result.failed_in = FailedIn::kSteps;
  result.outcome = Outcome::kError;
  result.type = problem_type_for(case_cancel.cause());
  const std::string doing = result.failed_in == FailedIn::kSetup
                                ? fmt::format("reaching state {}", to_string(start_state))
                                : std::string("running steps");
  replace_message(result, fmt::format("{} while {}", case_cancel.reason(), doing));
}

void mark_past_deadline(CaseResult& result, std::chrono::seconds timeout) {
  if (result.outcome == Outcome::kError) return;
  result.outcome = Outcome::kError;
  result.type = ProblemType::kDeadline;
  result.message = fmt::format("the case exceeded its {} s deadline", timeout.count());
}

void mark_probe_interrupted(CaseResult& result, const std::string& what) {
  if (has_no_verdict_of_its_own(result)) {
    result.outcome = Outcome::kError;
    result.type = ProblemType::kInterrupted;
    result.failed_in = FailedIn::kProbe;
    replace_message(result, what + " (the case's steps had passed)");
  } else {
    result.details += what + "\n";
  }
}

void mark_unhealthy(CaseResult& result, const std::string& problem) {
  if (has_no_verdict_of_its_own(result)) {
    result.failed_in = FailedIn::kProbe;
    result.message = fmt::format("health probe after the case: {}", problem);
  } else {
    result.message = fmt::format("{} (and the health probe after the case: {})", result.message, problem);
  }
  result.outcome = Outcome::kError;
  result.type = ProblemType::kHealthProbe;
  result.details = "Health probe: " + problem + "\n" + result.details;
}

}  // namespace nvqual::harness
