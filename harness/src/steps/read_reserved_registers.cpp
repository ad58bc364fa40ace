// read_reserved_registers: reads every dword of BAR0 the spec reserves below
// the doorbells and counts those that are not zero (NVMe Base 2.0, 3.1.3,
// Figure 35: reserved offsets read 0). The ranges are reserved in every
// version from 1.0 to 2.0: 18h-1Bh, and 6Ch-DFFh (after CRTO, before PMRCAP).
// Optional registers (BPINFO..NSSD, CRTO, PMR*) are not reserved and are
// left alone. 32-bit aligned reads only: they are defined behaviour everywhere.
#include <fmt/format.h>

#include "nvqual/driver/spec/registers.hpp"
#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

struct Range {
  uint32_t first;
  uint32_t last;  // inclusive, dword aligned
};
constexpr Range kReserved[] = {{0x18, 0x18}, {0x6C, 0xDFC}};

void run(StepContext& ctx, const StepArgs&, Observations& out) {
  Transport& transport = ctx.controller().transport();
  uint64_t read = 0;
  uint64_t nonzero = 0;
  uint64_t first_offset = ~uint64_t{0};
  uint64_t first_value = 0;
  for (const Range& range : kReserved) {
    for (uint32_t offset = range.first; offset <= range.last; offset += 4) {
      const uint32_t value = transport.read32(offset);
      ++read;
      if (value == 0) continue;
      if (nonzero++ == 0) {
        first_offset = offset;
        first_value = value;
      }
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
