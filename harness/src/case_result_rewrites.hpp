// The results the runner makes itself (a case not run, an error outside the
// case's steps) and the rewrites it applies to a case's own result when
// something outside the steps decides its outcome: a cancellation, the
// deadline, the health probe after the case.
#pragma once

#include <string>

#include "nvqual/harness/results.hpp"
#include "nvqual/harness/step_context.hpp"
#include "nvqual/harness/suite.hpp"

namespace nvqual::harness {

// A skipped case ("not-run") with `reason` as its message.
CaseResult not_run(const std::string& reason);

// An error the runner reports for a case (a device that could not be probed,
// a controller that could not be set up).
CaseResult error_result(ProblemType type, std::string message, FailedIn failed_in = FailedIn::kRun);

// A driver wait of the case was ended by its cancellation: whatever the case
// made of it (an error "kEnvironment", or an observation a step built from the
// exception), its outcome is the interruption or the deadline, named with
// what the case was doing (reaching `start_state`, or running steps).
void mark_cut_short(CaseResult& result, const CancelToken& case_cancel, StartState start_state);

// The case ran past its deadline but still produced an outcome of its own:
// a deadline error unless it is an error already.
void mark_past_deadline(CaseResult& result, std::chrono::seconds timeout);

// The health probe after the case did not run or was cut short by a stop
// (`what` says which): a case whose steps passed has no verdict (the probe is
// part of it) and becomes an interrupted error of its probe; a failure or
// error stands, with a note.
void mark_probe_interrupted(CaseResult& result, const std::string& what);

// The health probe after the case found `problem`: an error of the probe.
// The case's own finding stays first in the message; the probe's follows.
void mark_unhealthy(CaseResult& result, const std::string& problem);

}  // namespace nvqual::harness
