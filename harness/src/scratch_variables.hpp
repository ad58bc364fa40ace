// The scratch variables of a run (scratch_first, scratch_last, scratch_blocks,
// scratch_past_end, scratch_inactive_nsid): which blocks the media-change
// policy lets a suite change, so write cases are written against the scratch
// range and skip (saying why) when they do not fit it.
#pragma once

#include "nvqual/driver/media_change_policy.hpp"
#include "nvqual/harness/expression.hpp"

namespace nvqual::harness {

// The simulator's scratch ranges when the command line declares none
// (docs/data-integrity.md): LBAs nsze/4 .. nsze/2 - 1 of the namespace under
// test, away from every block the read-only suites read, so a run of every
// suite still finds the LBA stamp there; plus the LBAs from NSZE on and the
// NSID above NN, which hold no data, so the cases that check a device refuses
// them can send them. They are added to `policy`, so the driver enforces them
// like ranges from --scratch. Nothing is added for a real device or when
// `policy` has ranges already.
void add_simulator_default_scratch(MediaChangePolicy& policy, const Variables& facts, bool simulator);

// From `policy`'s ranges for facts["nsid"] (sized by facts["nsze"]): the first
// range declared for that namespace that starts inside it. A real device with
// no range has none (scratch_blocks 0: every write case skips).
void add_scratch_variables(Variables& facts, const MediaChangePolicy& policy, bool simulator);

}  // namespace nvqual::harness
