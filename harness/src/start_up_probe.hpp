// The probe at the start of a run, for the facts every case's variables start
// from (device_probe.hpp). A stop cuts it short; a device that cannot be
// probed makes every case an error, unless RunnerOptions::fallback_target
// gives the facts instead.
#pragma once

#include "nvqual/driver/clock.hpp"
#include "nvqual/harness/runner.hpp"
#include "run_stop.hpp"

namespace nvqual::harness {

// Fills `info.target`; on a probe that failed (not interrupted) sets
// summary.device_lost and device_problem. Returns true when the run's stop
// cut the probe short.
bool probe_at_start(Transport& transport, const RunnerOptions& options, InterruptibleClock& clock, const RunStop& stop,
                    RunInfo& info, RunSummary& summary);

}  // namespace nvqual::harness
