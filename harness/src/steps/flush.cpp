// flush: one Flush for a namespace (NVMe Base 2.0 7.1, NVM Command Set 1.0
// 3.2.2): everything written before it is on non-volatile media when it
// completes. Mandatory whatever VWC says; with VWC bit 0 clear it has nothing
// to do but must still succeed.
#include "write_support.hpp"

namespace nvqual::harness::steps {
namespace {

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  const BlockRange range = block_range(ctx, args);
  out["status"] = ctx.controller().flush(ctx.controller().io_queue(range.qid), range.nsid).status();
}

const StepRegistrar registrar{{
    .name = "flush",
    .description = "Flush a namespace's volatile write cache; observes status",
    .params = {qid_param(), nsid_param()},
    .observations = {{"status", ValueKind::kStatus, "the Flush completion's status"}},
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
