// Puts back every feature a case changed (the values its Set Features steps
// read first), after the case ends whatever its outcome: passed, failed,
// errored or cut short by its deadline. Runs on the runner's thread, so a
// case's cancelled waits do not cut it short; the run's stop does. Each
// restore is a measurement of the case ("restored" or why not), so the JSON
// and JUnit reports say whether it worked.
#pragma once

#include "nvqual/driver/controller.hpp"
#include "nvqual/harness/results.hpp"
#include "run_stop.hpp"

namespace nvqual::harness {

void restore_features(Controller& controller, InterruptibleClock& clock, const RunStop& stop, CaseResult& result);

}  // namespace nvqual::harness
