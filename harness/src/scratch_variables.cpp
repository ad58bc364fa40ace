#include "scratch_variables.hpp"

#include <algorithm>
#include <limits>

namespace nvqual::harness {

namespace {
constexpr uint32_t kEveryNamespace = 0xFFFFFFFF;

uint64_t fact(const Variables& facts, const char* name) {
  const auto it = facts.find(name);
  return it == facts.end() ? 0 : it->second;
}
}  // namespace

void add_simulator_default_scratch(MediaChangePolicy& policy, const Variables& facts, bool simulator) {
  const uint64_t nsze = fact(facts, "nsze");
  if (!simulator || !policy.scratch().empty() || nsze < 4 || facts.count("nsid") == 0) return;
  const auto nsid = static_cast<uint32_t>(fact(facts, "nsid"));
  policy.add_scratch({.nsid = nsid, .first = nsze / 4, .last = nsze / 2 - 1});
  policy.add_scratch({.nsid = nsid, .first = nsze, .last = std::numeric_limits<uint64_t>::max()});
  const uint64_t above_nn = fact(facts, "nn") + 1;
  if (above_nn != nsid && above_nn < kEveryNamespace) {
    policy.add_scratch({.nsid = static_cast<uint32_t>(above_nn), .whole = true});
  }
}

void add_scratch_variables(Variables& facts, const MediaChangePolicy& policy, bool simulator) {
  const auto nsid = static_cast<uint32_t>(fact(facts, "nsid"));
  const uint64_t nsze = fact(facts, "nsze");
  uint64_t first = 0;
  uint64_t last = 0;
  uint64_t blocks = 0;
  for (const ScratchRange& range : policy.scratch()) {
    if (range.nsid != nsid && range.nsid != kEveryNamespace) continue;
    if (range.whole) {
      first = 0;
      last = nsze == 0 ? 0 : nsze - 1;
      blocks = nsze;
      break;
    }
    if (range.first >= nsze) continue;  // past the end: no blocks to write and read back
    // A range past NSZE is cut to the namespace: the suites write blocks that exist.
    first = range.first;
    last = std::min(range.last, nsze - 1);
    blocks = last - first + 1;
    break;
  }
  // What the driver itself will allow (a simulator with no range allows anything).
  const bool real_device = !simulator;
  const uint64_t above_nn = fact(facts, "nn") + 1;
  facts["scratch_first"] = first;
  facts["scratch_last"] = last;
  facts["scratch_blocks"] = blocks;
  facts["scratch_past_end"] = policy.lbas_allowed(real_device, nsid, nsze, 8) ? 1 : 0;
  facts["scratch_inactive_nsid"] =
      above_nn < kEveryNamespace && policy.lbas_allowed(real_device, static_cast<uint32_t>(above_nn), 0, 1) ? 1 : 0;
}

}  // namespace nvqual::harness
