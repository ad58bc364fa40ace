#include "nvqual/sim/profile.hpp"

namespace nvqual::sim {

std::filesystem::path profile_directory() { return NVQUAL_SIM_PROFILE_DIR; }

}  // namespace nvqual::sim
