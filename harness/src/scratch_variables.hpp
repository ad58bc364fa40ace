// The scratch variables of a run (scratch_first, scratch_last, scratch_blocks,
// scratch_all, scratch_any_nsid): the blocks of the namespace under test that
// the media-change policy lets a suite change, so write cases are written
// against the scratch range and skip (saying why) when they do not fit it.
#pragma once

#include "nvqual/driver/media_change_policy.hpp"
#include "nvqual/harness/expression.hpp"

namespace nvqual::harness {

// From `policy`'s ranges for facts["nsid"] (sized by facts["nsze"]): the first
// range declared for that namespace (or for every namespace). Without any
// range the simulator lets media change anywhere (condition 4 is for real
// devices), so there the whole namespace is scratch; a real device without a
// range has none (scratch_blocks 0: every write case skips).
void add_scratch_variables(Variables& facts, const MediaChangePolicy& policy, bool simulator);

}  // namespace nvqual::harness
