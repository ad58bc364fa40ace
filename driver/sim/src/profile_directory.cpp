#include "nvqual/sim/profile.hpp"

#include "nvqual/driver/data_dir.hpp"

namespace nvqual::sim {

std::filesystem::path profile_directory() { return find_data_dir("sim", NVQUAL_SIM_PROFILE_DIR); }

}  // namespace nvqual::sim
