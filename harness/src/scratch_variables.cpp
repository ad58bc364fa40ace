#include "scratch_variables.hpp"

#include <algorithm>

namespace nvqual::harness {

namespace {
constexpr uint32_t kEveryNamespace = 0xFFFFFFFF;

uint64_t fact(const Variables& facts, const char* name) {
  const auto it = facts.find(name);
  return it == facts.end() ? 0 : it->second;
}
}  // namespace

void add_scratch_variables(Variables& facts, const MediaChangePolicy& policy, bool simulator) {
  const auto nsid = static_cast<uint32_t>(fact(facts, "nsid"));
  const uint64_t nsze = fact(facts, "nsze");
  uint64_t first = 0;
  uint64_t last = 0;
  uint64_t blocks = 0;
  bool all = false;
  bool any_nsid = false;
  if (policy.scratch().empty()) {
    all = any_nsid = simulator;
  } else {
    for (const ScratchRange& range : policy.scratch()) {
      if (range.whole && range.nsid == kEveryNamespace) any_nsid = true;
    }
    for (const ScratchRange& range : policy.scratch()) {
      if (range.nsid != nsid && range.nsid != kEveryNamespace) continue;
      all = range.whole;
      if (!range.whole) {
        // A range past NSZE is cut to the namespace: the suites write blocks that exist.
        first = range.first;
        last = std::min(range.last, nsze == 0 ? 0 : nsze - 1);
        blocks = first <= last && first < nsze ? last - first + 1 : 0;
      }
      break;
    }
  }
  if (all) {
    first = 0;
    last = nsze == 0 ? 0 : nsze - 1;
    blocks = nsze;
  }
  facts["scratch_first"] = first;
  facts["scratch_last"] = last;
  facts["scratch_blocks"] = blocks;
  facts["scratch_all"] = all ? 1 : 0;
  facts["scratch_any_nsid"] = any_nsid ? 1 : 0;
}

}  // namespace nvqual::harness
