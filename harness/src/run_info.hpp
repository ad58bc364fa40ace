// What every report says about the run before any case ran.
#pragma once

#include "nvqual/harness/results.hpp"
#include "nvqual/harness/step_context.hpp"

namespace nvqual::harness {

// This host, the start time and the run's settings; the target is filled in
// by whoever probed (or failed to open) it.
RunInfo run_info(const RunSettings& settings);
// The scratch ranges the policy holds now: called again once the simulator's
// default range is declared (scratch_variables.hpp), so reports state it.
void record_scratch_ranges(RunInfo& info, const MediaChangePolicy& policy);

}  // namespace nvqual::harness
