// read_reserved_registers: reads every dword of BAR0 the spec reserves below
// the doorbells and counts those that are not zero (NVMe Base 2.0, 3.1.3,
// Figure 35: reserved offsets read 0); Controller::read_reserved_registers
// names the ranges. 32-bit aligned reads only: defined behaviour everywhere.
#include <fmt/format.h>

#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

void run(StepContext& ctx, const StepArgs&, Observations& out) {
  uint64_t read = 0;
  uint64_t nonzero = 0;
  uint64_t first_offset = ~uint64_t{0};
  uint64_t first_value = 0;
  for (const Controller::ReservedRead& r : ctx.controller().read_reserved_registers()) {
    ++read;
    if (r.value == 0) continue;
    if (nonzero++ == 0) {
      first_offset = r.offset;
      first_value = r.value;
    }
  }
  out["dwords"] = read;
  out["nonzero"] = nonzero;
  out["first_nonzero_offset"] = first_offset;
  out["first_nonzero_value"] = first_value;
  ctx.measure("reserved registers", nonzero == 0 ? fmt::format("{} dwords read, all zero", read)
                                                 : fmt::format("{} of {} dwords not zero; first at {:#x}: {:#010x}",
                                                               nonzero, read, first_offset, first_value));
}

const StepRegistrar registrar{{
    .name = "read_reserved_registers",
    .description = "Reads the reserved BAR0 offsets (18h, 6Ch-DFFh) and counts those not reading 0",
    .params = {},
    .observations =
        {
            {"dwords", ValueKind::kNumber, "reserved dwords read"},
            {"nonzero", ValueKind::kNumber, "reserved dwords that did not read 0"},
            {"first_nonzero_offset", ValueKind::kNumber, "the first such offset (2^64-1: none)"},
            {"first_nonzero_value", ValueKind::kNumber, "what it read"},
        },
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
