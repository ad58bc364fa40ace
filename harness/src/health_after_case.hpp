// The health probe after a case (case_executor.hpp's health_problem): a case
// that broke the controller must not poison the next one. A failed probe
// makes the case an error and resets the controller; a controller that does
// not come back loses the device for the rest of the run. The run's stop
// cuts the probe and the reset short.
#pragma once

#include "nvqual/driver/controller.hpp"
#include "nvqual/harness/results.hpp"
#include "run_stop.hpp"

namespace nvqual::harness {

// Probes `controller` after the case that produced `result` and rewrites the
// result by what the probe found (case_result_rewrites.hpp).
void probe_health_after_case(Controller& controller, InterruptibleClock& clock, const RunStop& stop, CaseResult& result,
                             RunSummary& summary);

}  // namespace nvqual::harness
