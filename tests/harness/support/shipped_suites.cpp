#include "nvqual/harness/suite_loader.hpp"
#include "sim_run.hpp"

namespace nvqual::harness::testing {

std::vector<Suite> shipped_suites() {
  std::vector<Suite> suites;
  for (const auto& file : list_suite_files(NVQUAL_SOURCE_DIR "/suites")) suites.push_back(load_suite_file(file));
  return suites;
}

}  // namespace nvqual::harness::testing
