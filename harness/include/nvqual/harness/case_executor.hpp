// One case from its start state to its outcome: reach the state, run each step
// (with repeat), apply its expectations, and classify what went wrong.
#pragma once

#include "nvqual/driver/controller.hpp"
#include "nvqual/harness/results.hpp"
#include "nvqual/harness/step_context.hpp"
#include "nvqual/harness/suite.hpp"

namespace nvqual::harness {

// `variables` holds the device facts, run flags and this case's own variables.
// Never throws: every problem becomes the result's outcome.
CaseResult execute_case(Controller& controller, const Suite& suite, const Case& test_case, const Variables& variables,
                        const RunSettings& settings, const CancelToken& cancel);

// The type of a case that a cancellation ended: kInterrupted or kDeadline.
ProblemType problem_type_for(CancelCause cause);

// Evaluates a case's requires/skip_if rules and its pattern/model needs; returns
// the skip reason, or an empty string when the case should run.
// Throws CaseInputError when a rule cannot be evaluated.
std::string skip_reason(const Case& test_case, const Variables& variables, const RunSettings& settings);

// Health probe after a case: CSTS readable and CFS clear, then an Identify
// Controller round trip (enabling first when the case left the controller
// disabled). Returns an empty string when healthy, else what is wrong.
std::string health_problem(Controller& controller);

}  // namespace nvqual::harness
