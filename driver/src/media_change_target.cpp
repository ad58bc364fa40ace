#include "nvqual/driver/media_change_target.hpp"

#include <fmt/format.h>

namespace nvqual {

namespace {

constexpr uint32_t kEveryNamespace = 0xFFFFFFFF;

// Identify CNS 02h from nsid - 1 lists nsid first exactly when it is active.
bool is_active(Controller& controller, uint32_t nsid) {
  const uint32_t nn = controller.identity() ? controller.identity()->nn : 0;
  if (nsid == 0 || nsid > nn) return false;
  const auto from = controller.active_namespaces(nsid - 1);
  return !from.empty() && from.front() == nsid;
}

}  // namespace

std::string media_change_target_problem(Controller& controller, const MediaChangePolicy& policy) {
  if (!controller.identity())
    return "Identify Controller has not been read, so the media-change settings cannot be checked";
  const std::string& serial = controller.identity()->sn;
  if (policy.confirm_serial() && *policy.confirm_serial() != serial) {
    return fmt::format(
        "--confirm-serial {} does not match the device's serial '{}': check the BDF, then pass its serial",
        *policy.confirm_serial(), serial);
  }
  for (const ScratchRange& range : policy.scratch()) {
    if (range.nsid == kEveryNamespace) continue;
    // An NSID above NN holds no data, so declaring all of it is how a lab lets the
    // invalid-namespace write case (data_integrity DI-018, docs/data-integrity.md) run.
    if (range.whole && range.nsid > controller.identity()->nn) continue;
    if (!is_active(controller, range.nsid)) {
      return fmt::format(
          "--scratch {}: namespace {} is not active on this device (Identify NN {}); name an active NSID", range.text(),
          range.nsid, controller.identity()->nn);
    }
    if (range.whole) continue;
    const uint64_t nsze = controller.identify_namespace(range.nsid).nsze;
    if (range.last >= nsze) {
      return fmt::format("--scratch {}: LBA {} is past the end of namespace {} (NSZE {} blocks, last LBA {})",
                         range.text(), range.last, range.nsid, nsze, nsze == 0 ? 0 : nsze - 1);
    }
  }
  return "";
}

}  // namespace nvqual
