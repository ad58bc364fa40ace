// verify: Verify blocks of a namespace (NVM Command Set 1.0, 3.2.9): the
// controller checks it can read them back (ECC, protection information)
// without moving data. Split at 65536 blocks (no data, so no MDTS).
#include "write_support.hpp"

namespace nvqual::harness::steps {
namespace {

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  const BlockRange range = block_range(ctx, args);
  ReadRequest request;
  request.nsid = range.nsid;
  request.slba = range.slba;
  request.blocks = range.blocks;
  if (!range.has_format) request.lba_size = range.lba_size;
  const ReadResult result = ctx.controller().verify(ctx.controller().io_queue(range.qid), request);
  out["status"] = result.completion.status();
  out["commands"] = uint64_t{result.commands};
}

const StepRegistrar registrar{{
    .name = "verify",
    .description = "Verify blocks (the controller reads them internally, no data moves); observes status",
    .params = {qid_param(), nsid_param(), slba_param(), blocks_param(1u << 20)},
    .observations =
        {
            {"status", ValueKind::kStatus, "the first failing completion's status, else the last one's"},
            {"commands", ValueKind::kNumber, "Verify commands issued (host side: not a check)"},
        },
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
