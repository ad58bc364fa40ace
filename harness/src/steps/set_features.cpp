// set_features: Set Features (NVMe Base 2.0, 5.28) of one FID, the old value
// read first and restored by the runner after the case (feature_restore.cpp).
// Many features are optional to change (QEMU 7.2 answers 01/0Eh Feature Not
// Changeable for several mandatory ones; SV=1 gives 01/0Dh where nothing is
// saveable), so the step also reads back what the device kept and judges it
// by the outcome: the new value after a success, the old one after a refusal.
// That is `kept`; which outcome happened is recorded as a measurement.
#include <fmt/format.h>

#include "set_features_support.hpp"
#include "step_support.hpp"
#include "timestamp_feature.hpp"

namespace nvqual::harness::steps {
namespace {

constexpr uint8_t kSelectCurrent = 0;
constexpr uint8_t kSelectSaved = 2;

// The part of DW0 a Get Features returns for the value CDW11 sets.
uint32_t value_bits(uint8_t fid, uint32_t dword) {
  if (fid == 0x04) return dword & 0xFFFFu;   // TMPTH
  if (fid == 0x09) return dword & 0x1FFFFu;  // IV and CD
  return dword;
}

// How far ahead of the value set a Timestamp may read back (one case's span,
// generous for a loaded machine under TCG): more means the device did not keep it.
constexpr uint64_t kTimestampSlackMs = 60'000;

// 0Eh Timestamp (5.27.1.13): the value travels in an 8-byte data structure,
// and reads back advanced from what was set by the time that passed. The
// host's clock is sent unless the case names a value; nothing is restored
// afterwards, since the device counts on from the host's clock (a named value
// is measured as not restored).
void run_timestamp(StepContext& ctx, const StepArgs& args, Observations& out) {
  const uint64_t asked = args.number("timestamp", ctx.variables());
  const uint64_t sent = asked != 0 ? asked : host_timestamp_ms();
  const auto completion = write_timestamp(ctx, sent);
  const bool ok = completion.status().ok();
  const auto readback = read_timestamp(ctx, kSelectCurrent);
  const uint64_t got = readback.value ? readback.value->ms : 0;
  const bool behind = readback.value && got < sent;
  out["status"] = completion.status();
  out["dnr"] = completion.status().dnr() ? 1u : 0u;
  out["dw0"] = uint64_t{completion.dw0};
  out["previous"] = uint64_t{0};
  out["readback"] = got;
  out["sent_timestamp"] = sent;
  out["timestamp_behind"] = behind ? 1u : 0u;
  out["timestamp_advance_ms"] = readback.value && !behind ? got - sent : uint64_t{0};
  out["timestamp_origin"] = uint64_t{readback.value ? readback.value->origin : uint8_t{0}};
  out["kept"] = ok && readback.value && !behind && got - sent <= kTimestampSlackMs ? 1u : 0u;
  out["saved_kept"] = 1u;
  ctx.measure(
      fmt::format("Set Features 0Eh Timestamp {} ms", sent),
      ok ? fmt::format("read back {} ms ({})", got, behind ? "behind the value set" : fmt::format("+{} ms", got - sent))
         : fmt::format("refused: {}", completion.status().describe()));
  if (asked != 0 && ok) ctx.measure("feature 0Eh restore", "not restored: the device counts on from the value set");
}

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  const auto& v = ctx.variables();
  const auto fid = static_cast<uint8_t>(args.number("fid", v));
  if (fid == kFidTimestamp) return run_timestamp(ctx, args, out);
  const auto nsid = static_cast<uint32_t>(args.number("nsid", v));
  const auto cdw11 = static_cast<uint32_t>(args.number("cdw11", v));
  const bool save = args.flag("sv");
  const SetFeatureOutcome set = set_feature_remembered(ctx, fid, nsid, cdw11, save);
  const bool ok = set.completion.status().ok();
  out["status"] = set.completion.status();
  out["dnr"] = set.completion.status().dnr() ? 1u : 0u;
  out["dw0"] = uint64_t{set.completion.dw0};
  out["previous"] = uint64_t{set.previous.value_or(0)};
  const uint32_t get_cdw11 = fid == 0x04 ? (cdw11 & 0x003F0000u) : (fid == 0x09 ? (cdw11 & 0xFFFFu) : 0);
  const auto readback = read_feature(ctx, fid, nsid, get_cdw11, kSelectCurrent);
  out["readback"] = uint64_t{readback.value_or(0)};
  const bool kept = readback && (ok ? value_bits(fid, *readback) == value_bits(fid, cdw11)
                                    : set.previous && value_bits(fid, *readback) == value_bits(fid, *set.previous));
  out["kept"] = kept ? 1u : 0u;
  uint64_t saved_kept = 1;
  if (save && ok) {
    const auto saved = read_feature(ctx, fid, nsid, get_cdw11, kSelectSaved);
    saved_kept = saved && value_bits(fid, *saved) == value_bits(fid, cdw11) ? 1 : 0;
  }
  out["saved_kept"] = saved_kept;
  out["sent_timestamp"] = uint64_t{0};
  out["timestamp_behind"] = 0u;
  out["timestamp_advance_ms"] = uint64_t{0};
  out["timestamp_origin"] = uint64_t{0};
  ctx.measure(fmt::format("Set Features {:02X}h CDW11 {:#010x}{}", fid, cdw11, save ? " SV=1" : ""),
              ok ? "changed" : fmt::format("refused: {}", set.completion.status().describe()));
}

const StepRegistrar registrar{{
    .name = "set_features",
    .description = "Set Features of one FID (old value restored after the case); reads back what was kept",
    .params = {{.name = "fid", .description = "feature identifier", .max = 0xFF},
               {.name = "cdw11", .description = "CDW11: the value (and TMPSEL/THSEL or IV)", .max = 0xFFFFFFFF},
               {.name = "nsid", .default_value = "0", .description = "NSID", .max = 0xFFFFFFFF},
               {.name = "sv",
                .kind = ParamKind::kFlag,
                .default_value = "false",
                .description = "SV (CDW10 bit 31): save the value across resets"},
               {.name = "timestamp",
                .default_value = "0",
                .description = "0Eh: milliseconds to set (0: the host's clock now)",
                .max = 0xFFFFFFFFFFFF}},
    .observations =
        {
            {"status", ValueKind::kStatus, "Set Features completion status"},
            {"dnr", ValueKind::kNumber, "1 when Do Not Retry is set"},
            {"dw0", ValueKind::kNumber, "Set Features completion DW0"},
            {"previous", ValueKind::kNumber, "Get Features (current) before the set"},
            {"readback", ValueKind::kNumber, "Get Features (current) after the set"},
            {"kept", ValueKind::kNumber,
             "1 when the readback holds the new value after a success, or the old one after a refusal"},
            {"saved_kept", ValueKind::kNumber, "sv: 1 when SEL=saved reads the new value after a success (else 1)"},
            {"sent_timestamp", ValueKind::kNumber, "0Eh: the milliseconds sent"},
            {"timestamp_behind", ValueKind::kNumber, "0Eh: 1 when the readback is below the value sent"},
            {"timestamp_advance_ms", ValueKind::kNumber, "0Eh: readback minus the value sent (0 when behind)"},
            {"timestamp_origin", ValueKind::kNumber, "0Eh: Timestamp Origin of the readback (1: set by a host)"},
        },
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
