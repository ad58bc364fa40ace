// Consistency of a Profile built or changed in code (tests do both): the
// rules the YAML loader enforces with file:line:column, checked again here
// before a simulator is built from it.
#pragma once

#include "nvqual/sim/profile.hpp"

namespace nvqual::sim {

// Throws ProfileError "profile NAME: what is wrong; what was expected".
void validate_profile(const Profile& profile);

}  // namespace nvqual::sim
