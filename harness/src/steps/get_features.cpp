// get_features: Get Features (NVMe Base 2.0, 5.27) of one FID with SEL
// current, default, saved or supported capabilities (SEL 011b, 5.27.1:
// Figure 330), DW0 decoded by the feature's field names (5.27.1.x).
#include <fmt/format.h>

#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/spec/bits.hpp"
#include "step_support.hpp"
#include "timestamp_feature.hpp"

namespace nvqual::harness::steps {
namespace {

using spec::detail::get_bits;

uint8_t select_code(const std::string& sel) {
  if (sel == "default") return 1;
  if (sel == "saved") return 2;
  if (sel == "supported") return 3;
  return 0;
}

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  const auto& v = ctx.variables();
  const auto fid = static_cast<uint8_t>(args.number("fid", v));
  const auto nsid = static_cast<uint32_t>(args.number("nsid", v));
  const auto cdw11 = static_cast<uint32_t>(args.number("cdw11", v));
  const uint8_t sel = select_code(args.choice("sel"));
  // 0Eh Timestamp (5.27.1.13) returns an 8-byte data structure (except SEL 011b).
  std::optional<Timestamp> timestamp;
  spec::CompletionEntry cqe;
  if (fid == kFidTimestamp && sel != 3) {
    const auto read = read_timestamp(ctx, sel);
    cqe = read.completion;
    timestamp = read.value;
  } else {
    cqe = ctx.controller().admin(cmd::get_features(fid, sel, nsid, cdw11));
  }
  const uint32_t dw0 = cqe.status().ok() ? cqe.dw0 : 0;
  out["timestamp"] = timestamp ? timestamp->ms : uint64_t{0};
  out["timestamp_synch"] = uint64_t{timestamp ? timestamp->synch : uint8_t{0}};
  out["timestamp_origin"] = uint64_t{timestamp ? timestamp->origin : uint8_t{0}};
  out["status"] = cqe.status();
  out["dnr"] = cqe.status().dnr() ? 1u : 0u;
  out["value"] = uint64_t{dw0};
  // SEL 011b: capabilities (Figure 331).
  out["saveable"] = uint64_t{get_bits<0, 0>(dw0)};
  out["namespace_specific"] = uint64_t{get_bits<1, 1>(dw0)};
  out["changeable"] = uint64_t{get_bits<2, 2>(dw0)};
  // 01h Arbitration (5.27.1.1)
  out["ab"] = uint64_t{get_bits<2, 0>(dw0)};
  // 02h Power Management (5.27.1.2)
  out["ps"] = uint64_t{get_bits<4, 0>(dw0)};
  // 04h Temperature Threshold (5.27.1.3)
  out["tmpth"] = uint64_t{get_bits<15, 0>(dw0)};
  // 05h Error Recovery (5.27.1.4)
  out["tler"] = uint64_t{get_bits<15, 0>(dw0)};
  out["dulbe"] = uint64_t{get_bits<16, 16>(dw0)};
  // 06h Volatile Write Cache (5.27.1.5)
  out["wce"] = uint64_t{get_bits<0, 0>(dw0)};
  // 07h Number of Queues (5.27.1.6): 0-based on the wire, 1-based here
  out["nsqa"] = uint64_t{get_bits<15, 0>(dw0)} + 1;
  out["ncqa"] = uint64_t{get_bits<31, 16>(dw0)} + 1;
  // 08h Interrupt Coalescing (5.27.1.7)
  out["thr"] = uint64_t{get_bits<7, 0>(dw0)};
  out["time"] = uint64_t{get_bits<15, 8>(dw0)};
  // 09h Interrupt Vector Configuration (5.27.1.8)
  out["iv"] = uint64_t{get_bits<15, 0>(dw0)};
  out["cd"] = uint64_t{get_bits<16, 16>(dw0)};
  // 0Ah Write Atomicity Normal (5.27.1.9)
  out["dn"] = uint64_t{get_bits<0, 0>(dw0)};
  // 0Bh Asynchronous Event Configuration (5.27.1.10)
  out["smart_warnings"] = uint64_t{get_bits<7, 0>(dw0)};
  out["ns_attribute_notices"] = uint64_t{get_bits<8, 8>(dw0)};
  out["fw_activation_notices"] = uint64_t{get_bits<9, 9>(dw0)};
  ctx.measure(fmt::format("Get Features {:02X}h SEL {}", fid, args.choice("sel")),
              cqe.status().ok() ? fmt::format("{:#010x}", dw0) : cqe.status().describe());
}

std::vector<ObservationSpec> observations() {
  using K = ValueKind;
  return {
      {"status", K::kStatus, "completion status"},
      {"dnr", K::kNumber, "1 when Do Not Retry is set"},
      {"value", K::kNumber, "completion DW0 (0 after an error)"},
      {"saveable", K::kNumber, "SEL supported: bit 0"},
      {"namespace_specific", K::kNumber, "SEL supported: bit 1"},
      {"changeable", K::kNumber, "SEL supported: bit 2"},
      {"ab", K::kNumber, "01h Arbitration Burst (bits 2:0)"},
      {"ps", K::kNumber, "02h Power State (bits 4:0)"},
      {"tmpth", K::kNumber, "04h Temperature Threshold, Kelvin (bits 15:0)"},
      {"tler", K::kNumber, "05h Time Limited Error Recovery, 100 ms units (bits 15:0)"},
      {"dulbe", K::kNumber, "05h Deallocated or Unwritten Logical Block Error Enable (bit 16)"},
      {"wce", K::kNumber, "06h Volatile Write Cache Enable (bit 0)"},
      {"nsqa", K::kNumber, "07h I/O SQs allocated (1-based)"},
      {"ncqa", K::kNumber, "07h I/O CQs allocated (1-based)"},
      {"thr", K::kNumber, "08h Aggregation Threshold (bits 7:0)"},
      {"time", K::kNumber, "08h Aggregation Time, 100 us units (bits 15:8)"},
      {"iv", K::kNumber, "09h Interrupt Vector (bits 15:0)"},
      {"cd", K::kNumber, "09h Coalescing Disable (bit 16)"},
      {"dn", K::kNumber, "0Ah Disable Normal (bit 0)"},
      {"smart_warnings", K::kNumber, "0Bh SMART / Health critical warnings enabled (bits 7:0)"},
      {"ns_attribute_notices", K::kNumber, "0Bh Namespace Attribute Notices (bit 8)"},
      {"fw_activation_notices", K::kNumber, "0Bh Firmware Activation Notices (bit 9)"},
      {"timestamp", K::kNumber, "0Eh Timestamp, milliseconds since 1970-01-01 UTC (data bytes 5:0)"},
      {"timestamp_synch", K::kNumber, "0Eh Synch (data byte 6 bit 0): 1 when the count stopped at some time"},
      {"timestamp_origin", K::kNumber, "0Eh Timestamp Origin (data byte 6 bits 3:1): 0 reset, 1 set by a host"},
  };
}

const StepRegistrar registrar{{
    .name = "get_features",
    .description = "Get Features of one FID and SEL; observes DW0 by the feature's field names",
    .params = {{.name = "fid", .description = "feature identifier", .max = 0xFF},
               {.name = "sel",
                .kind = ParamKind::kChoice,
                .default_value = "current",
                .description = "SEL: current, default, saved or supported (capabilities)",
                .choices = {"current", "default", "saved", "supported"}},
               {.name = "nsid", .default_value = "0", .description = "NSID", .max = 0xFFFFFFFF},
               {.name = "cdw11",
                .default_value = "0",
                .description = "CDW11 (TMPSEL/THSEL for 04h, IV for 09h)",
                .max = 0xFFFFFFFF}},
    .observations = observations(),
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
