#include "default_profile_text.hpp"
#include "nvqual/sim/profile.hpp"

namespace nvqual::sim {

Profile default_profile() {
  // Parsed on each call: cheap, and a caller may change its copy freely.
  return parse_profile(detail::kDefaultProfileText, "default.yaml (embedded)");
}

}  // namespace nvqual::sim
