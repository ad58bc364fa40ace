// One run of suites against the hostile simulator, in process, on a
// VirtualClock (the driver's bounded waits take no real time), writing both
// reports; then everything issue 13 asks of such a run, as one line per
// problem (empty: the run was acceptable).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nvqual/harness/suite.hpp"

namespace nvqual::robustness {

// The one-line command that replays `seed` exactly (this test binary), and the CLI equivalent.
std::string replay_command(uint64_t seed);

// Runs `suites` on the default profile with hostile_seed = seed; returns the problems found.
std::string hostile_run_problems(uint64_t seed, const std::vector<harness::Suite>& suites);

}  // namespace nvqual::robustness
