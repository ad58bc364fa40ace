// The command line's media-change settings checked against the device they
// name, once Identify has been read and before anything is written
// (docs/data-integrity.md): a --confirm-serial that is not this device's
// serial, a scratch range of a namespace that is not active, or one that runs
// past its NSZE is a mistake of the user's, not a refusal to find case by case.
// `nvqual fill` and `nvqual run` both call it; either turns a problem into bad
// input (exit 2) with nothing written.
#pragma once

#include <string>

#include "nvqual/driver/controller.hpp"

namespace nvqual {

// "" when every setting of `policy` fits the device behind `controller`,
// else one line naming the first problem and the fix. A serial given is
// checked on every target (the simulator needs none, but a wrong one is still
// wrong). Needs identify_controller(); sends Identify commands only.
std::string media_change_target_problem(Controller& controller, const MediaChangePolicy& policy);

}  // namespace nvqual
