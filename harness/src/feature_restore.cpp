#include "feature_restore.hpp"

#include <fmt/format.h>

#include "nvqual/driver/commands.hpp"
#include "nvqual/harness/step_context.hpp"
#include "waits_end_on_stop.hpp"

namespace nvqual::harness {

void StepContext::remember_feature(const FeatureRestore& restore) {
  for (const FeatureRestore& known : feature_restores_) {
    if (known.fid == restore.fid && known.nsid == restore.nsid && known.selector == restore.selector &&
        known.save == restore.save) {
      return;  // the value from before the case is already kept
    }
  }
  feature_restores_.push_back(restore);
}

namespace {

std::string restore_one(Controller& controller, const FeatureRestore& r) {
  if (controller.unusable()) return "FAILED: the controller cannot be used";
  try {
    if (!controller.enabled()) controller.enable();  // the case may have ended disabled
    const auto cqe = controller.admin(cmd::set_features(r.fid, r.cdw11, r.save, r.nsid));
    if (!cqe.status().ok()) return fmt::format("FAILED: Set Features completed {}", cqe.status().describe());
    return fmt::format("restored (CDW11 {:#010x})", r.cdw11);
  } catch (const std::exception& e) {
    return fmt::format("FAILED: {}", e.what());
  }
}

}  // namespace

void restore_features(Controller& controller, InterruptibleClock& clock, const RunStop& stop, CaseResult& result) {
  if (result.feature_restores.empty()) return;
  std::string lines;
  // Newest first: a feature changed twice ends at the value from before the case.
  for (auto it = result.feature_restores.rbegin(); it != result.feature_restores.rend(); ++it) {
    const std::string name = fmt::format("feature {:02X}h{} restore{}", it->fid,
                                         it->selector != 0 ? fmt::format(" (selector {:#x})", it->selector) : "",
                                         it->save ? " (saved value)" : "");
    std::string outcome;
    if (stop.requested()) {
      outcome = fmt::format("FAILED: not attempted, the run was {}", stop.token().reason());
    } else {
      const WaitsEndOnStop scope(clock, stop.token());
      outcome = restore_one(controller, *it);
    }
    result.measurements.push_back({name, outcome});
    lines += fmt::format("  {}: {}\n", name, outcome);
  }
  result.details += "Features restored after the case:\n" + lines;
}

}  // namespace nvqual::harness
