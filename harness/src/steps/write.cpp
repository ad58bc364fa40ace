// write: logical blocks to a namespace through an I/O queue (NVM Command Set
// 1.0, 3.2.7), each block carrying the write stamp (write_stamp.hpp) of its
// LBA, the NSID, `generation` and this case's seed, so a later read verifies
// itself (`written_by:` names this step's saved data). Modes: `split` lets the
// driver split at MDTS and batch; `once` sends exactly one Write as asked
// (boundary and status checks). The data sits at `buffer_offset` in its
// buffer, so PRP1 carries that offset and long transfers need PRP lists. The
// driver refuses the write before anything is posted unless the media-change
// policy allows every block (docs/data-integrity.md).
#include <fmt/format.h>

#include "nvqual/driver/commands.hpp"
#include "write_support.hpp"

namespace nvqual::harness::steps {
namespace {

constexpr uint64_t kMaxBlocksPerCommand = cmd::kMaxBlocksPerRead;  // NLB is 16 bits (NVM 1.0 3.2.7)

std::optional<ArgProblem> check_args(const StepArgs& args) {
  const auto blocks = args.constant("blocks");
  if (args.choice("mode") == "once" && blocks && *blocks > kMaxBlocksPerCommand) {
    return ArgProblem{"blocks", fmt::format("{} blocks in mode once is more than one Write carries: expected 1..{} "
                                            "(NLB is 16 bits, NVM 1.0 3.2.7), or mode split",
                                            *blocks, kMaxBlocksPerCommand)};
  }
  return std::nullopt;
}

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  const auto& v = ctx.variables();
  Controller& controller = ctx.controller();
  const BlockRange range = block_range(ctx, args);
  const uint64_t offset = args.number("buffer_offset", v);
  require_dword_aligned(offset, "buffer_offset");
  if (args.choice("mode") == "once" && range.blocks > kMaxBlocksPerCommand) {
    throw CaseInputError(fmt::format("{} blocks in mode once is more than one Write carries (1..{})", range.blocks,
                                     kMaxBlocksPerCommand));
  }
  const size_t bytes = range.blocks * range.lba_size;
  DmaBuffer buffer = buffer_for(ctx, bytes, offset);
  const std::span<std::byte> data(buffer.data() + offset, bytes);
  const write_stamp::Stamp stamp = stamp_for(ctx, range, args.number("generation", v));
  write_stamp::fill(data, range.lba_size, stamp);

  WriteRequest request;
  request.nsid = range.nsid;
  request.slba = range.slba;
  request.blocks = range.blocks;
  request.fua = args.flag("fua");
  QueuePair& queue = controller.io_queue(range.qid);
  uint64_t commands = 1;
  const MediaJournalEntry holds{
      .holds = MediaJournalEntry::Holds::kWriteStamp, .generation = stamp.generation, .seed = stamp.seed};
  out["status"] = journaled(ctx, range, holds, [&] {
    if (args.choice("mode") != "split") return controller.write_once(queue, request, buffer, offset).status();
    const ReadResult result = controller.write(queue, request, buffer, offset);
    commands = result.commands;
    return result.completion.status();
  });
  out["commands"] = commands;
  out["data"] = range_data(range, data);
}

const StepRegistrar registrar{{
    .name = "write",
    .description = "Write blocks carrying the write stamp through an I/O queue (modes split, once); observes status "
                   "and the data written",
    .params = {qid_param(),
               nsid_param(),
               slba_param(),
               blocks_param(1u << 20),
               buffer_offset_param(),
               generation_param(),
               {.name = "fua",
                .kind = ParamKind::kFlag,
                .default_value = "false",
                .description = "Force Unit Access: on non-volatile media before it completes"},
               {.name = "mode",
                .kind = ParamKind::kChoice,
                .default_value = "split",
                .description = "split (driver splits at MDTS), once (one command as asked)",
                .choices = {"split", "once"}}},
    .observations =
        {
            {"status", ValueKind::kStatus, "the first failing completion's status, else the last one's"},
            {"commands", ValueKind::kNumber, "Write commands issued (host side: not a check)"},
            {"data", ValueKind::kData, "the blocks written (save it for written_by)"},
        },
    .run = run,
    .check_args = check_args,
}};

}  // namespace
}  // namespace nvqual::harness::steps
