// identify_raw: Identify with any CNS/NSID/CNTID, for reserved CNS values and
// invalid NSIDs (NVMe Base 2.0, 5.17: reserved CNS -> 00/02).
#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/identify.hpp"
#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  const auto cns = static_cast<uint8_t>(args.number("cns", ctx.variables()));
  const auto nsid = static_cast<uint32_t>(args.number("nsid", ctx.variables()));
  // Poisoned: a structure the controller never wrote must not read as an all-zero one.
  IdentifyBuffer buffer(ctx);
  const auto cqe = ctx.controller().admin(cmd::identify_raw(cns, nsid), buffer.dma(), kIdentifyPageSize);
  out["unwritten_bytes"] = buffer.settle(cqe.status());
  out["status"] = cqe.status();
  out["nonzero_bytes"] = nonzero_bytes(buffer.page());
}

const StepRegistrar registrar{{
    .name = "identify_raw",
    .description = "Identify with an arbitrary CNS and NSID; observes the status and whether data came back",
    .params = {{.name = "cns", .description = "CNS value (CDW10 7:0)", .max = 0xFF},
               {.name = "nsid", .default_value = "0", .description = "NSID", .max = 0xFFFFFFFF}},
    .observations =
        {
            {"status", ValueKind::kStatus, "completion status"},
            unwritten_bytes_observation(),
            {"nonzero_bytes", ValueKind::kNumber, "bytes of the page that are not zero"},
        },
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
