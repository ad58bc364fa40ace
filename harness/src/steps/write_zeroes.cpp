// write_zeroes: Write Zeroes over blocks of a namespace (NVM Command Set 1.0,
// 3.2.8), optionally with DEAC (the controller may deallocate instead, when
// DLFEAT bit 3 says so) and FUA. No data moves, so the driver splits at 65536
// blocks only. Reading the blocks back (`every_byte: 0`) shows they are zeros.
#include "write_support.hpp"

namespace nvqual::harness::steps {
namespace {

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  const BlockRange range = block_range(ctx, args);
  WriteZeroesRequest request;
  request.nsid = range.nsid;
  request.slba = range.slba;
  request.blocks = range.blocks;
  request.deallocate = args.flag("deac");
  request.fua = args.flag("fua");
  ReadResult result;
  // Zeroes also with DEAC: a Write Zeroes reads back zeros either way (NVM 1.0 3.2.8).
  out["status"] = journaled(ctx, range, MediaJournalEntry{.holds = MediaJournalEntry::Holds::kZeroes}, [&] {
    result = ctx.controller().write_zeroes(ctx.controller().io_queue(range.qid), request);
    return result.completion.status();
  });
  out["commands"] = uint64_t{result.commands};
}

const StepRegistrar registrar{{
    .name = "write_zeroes",
    .description = "Write Zeroes over blocks (DEAC, FUA optional); observes status",
    .params = {qid_param(),
               nsid_param(),
               slba_param(),
               blocks_param(1u << 20),
               {.name = "deac",
                .kind = ParamKind::kFlag,
                .default_value = "false",
                .description = "DEAC: the controller may deallocate the blocks (DLFEAT bit 3)"},
               {.name = "fua", .kind = ParamKind::kFlag, .default_value = "false", .description = "Force Unit Access"}},
    .observations =
        {
            {"status", ValueKind::kStatus, "the first failing completion's status, else the last one's"},
            {"commands", ValueKind::kNumber, "Write Zeroes commands issued (host side: not a check)"},
        },
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
