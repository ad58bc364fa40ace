// Simulator profiles (driver/sim/src/profile_parse.cpp, section_parse.cpp,
// fault_parse.cpp, namespace_parse.cpp, profile_validate.cpp): any text is a
// profile or one ProfileError. A profile that loads must also build the
// Identify pages the simulated controller would serve from it.
#include "fuzz_input.hpp"
#include "identify_pages.hpp"
#include "nvqual/driver/errors.hpp"
#include "nvqual/sim/profile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nvqual::sim::Profile profile;
  try {
    profile = nvqual::sim::parse_profile(std::string(nvqual::fuzz::as_text(data, size)), "fuzz.yaml");
  } catch (const nvqual::sim::ProfileError&) {
    return 0;
  }
  // A validated profile must encode: the encoders throw only for strings or
  // lists that do not fit, which validation is there to refuse.
  const nvqual::sim::IdentifyPages pages(profile);
  (void)pages.active_list(0);
  return 0;
}
