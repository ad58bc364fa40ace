// Set Features with the old value remembered first, so the runner can put it
// back after the case whatever its outcome (harness/src/feature_restore.cpp).
// Shared by set_features and async_event (which changes AEC and a threshold).
#pragma once

#include <cstdint>
#include <optional>

#include "nvqual/harness/step_context.hpp"

namespace nvqual::harness::steps {

// The CDW11 bits that say which value of a feature a command addresses:
// Temperature Threshold TMPSEL/THSEL (21:16), Interrupt Vector Configuration IV (15:0).
uint32_t feature_selector(uint8_t fid, uint32_t cdw11);
// Get Features of the value `cdw11` addresses (SEL current or saved): its DW0, or nothing when refused.
std::optional<uint32_t> read_feature(StepContext& ctx, uint8_t fid, uint32_t nsid, uint32_t cdw11, uint8_t select);
// The Set Features CDW11 that puts back `dw0`, a Get Features result for the value `cdw11` addresses.
uint32_t restore_cdw11(uint8_t fid, uint32_t cdw11, uint32_t dw0);

struct SetFeatureOutcome {
  spec::CompletionEntry completion;
  std::optional<uint32_t> previous;  // current value before the set (Get Features DW0)
};
// Reads the current (and, with `save`, the saved) value, remembers how to
// restore it in the step context, then sends Set Features.
SetFeatureOutcome set_feature_remembered(StepContext& ctx, uint8_t fid, uint32_t nsid, uint32_t cdw11, bool save);

}  // namespace nvqual::harness::steps
