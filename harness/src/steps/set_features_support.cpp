#include "set_features_support.hpp"

#include <fmt/format.h>

#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/spec/bits.hpp"

namespace nvqual::harness::steps {

namespace {
constexpr uint8_t kFidTemperature = 0x04;
constexpr uint8_t kFidInterruptVector = 0x09;
constexpr uint8_t kFidNumberOfQueues = 0x07;
constexpr uint8_t kSelectCurrent = 0;
constexpr uint8_t kSelectSaved = 2;
}  // namespace

uint32_t feature_selector(uint8_t fid, uint32_t cdw11) {
  if (fid == kFidTemperature) return spec::detail::get_bits<21, 16>(cdw11);
  if (fid == kFidInterruptVector) return spec::detail::get_bits<15, 0>(cdw11);
  return 0;
}

std::optional<uint32_t> read_feature(StepContext& ctx, uint8_t fid, uint32_t nsid, uint32_t cdw11, uint8_t select) {
  const auto cqe = ctx.controller().admin(cmd::get_features(fid, select, nsid, cdw11));
  if (!cqe.status().ok()) return std::nullopt;
  return cqe.dw0;
}

uint32_t restore_cdw11(uint8_t fid, uint32_t cdw11, uint32_t dw0) {
  // 5.27.1.3: TMPTH is 15:0; the selector comes from the command that changed it.
  if (fid == kFidTemperature) return spec::detail::set_bits<15, 0>(cdw11 & 0x003F0000u, dw0 & 0xFFFFu);
  // 5.27.1.9: IV from the command, CD (bit 16) from what was read.
  if (fid == kFidInterruptVector) return spec::detail::set_bits<15, 0>(dw0 & 0x10000u, cdw11 & 0xFFFFu);
  return dw0;
}

SetFeatureOutcome set_feature_remembered(StepContext& ctx, uint8_t fid, uint32_t nsid, uint32_t cdw11, bool save) {
  SetFeatureOutcome out;
  const uint32_t selector = feature_selector(fid, cdw11);
  // The selector bits only (the value bits of CDW11 mean nothing to Get Features, except these).
  const uint32_t get_cdw11 = fid == kFidTemperature ? (cdw11 & 0x003F0000u)
                                                    : (fid == kFidInterruptVector ? selector : 0);
  out.previous = read_feature(ctx, fid, nsid, get_cdw11, kSelectCurrent);
  const size_t restores_before = ctx.feature_restores().size();
  if (fid == kFidNumberOfQueues) {
    // Fixed once I/O queues exist, and set again by every case's start state: nothing to restore.
  } else if (out.previous) {
    ctx.remember_feature({fid, nsid, selector, restore_cdw11(fid, cdw11, *out.previous), false});
  } else {
    ctx.measure(fmt::format("feature {:02X}h restore", fid), "not possible: Get Features refused the current value");
  }
  if (save) {
    if (const auto saved = read_feature(ctx, fid, nsid, get_cdw11, kSelectSaved)) {
      ctx.remember_feature({fid, nsid, selector, restore_cdw11(fid, cdw11, *saved), true});
    }
  }
  out.completion = ctx.controller().admin(cmd::set_features(fid, cdw11, save, nsid));
  // A refused Set Features changed nothing (Base 2.0 5.28), so this call's
  // restores go: restoring would send a command the device refuses again
  // (QEMU 7.2: 01/0Eh, 01/0Dh), an error completion no case asked for.
  if (!out.completion.status().ok()) {
    auto& restores = ctx.feature_restores();
    restores.erase(restores.begin() + static_cast<std::ptrdiff_t>(restores_before), restores.end());
  }
  return out;
}

}  // namespace nvqual::harness::steps
