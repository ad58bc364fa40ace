// compare: Compare blocks of a namespace with the write stamp this case wrote
// there with `generation` (NVM Command Set 1.0, 3.2.1). A match completes
// 00/00; with `mismatch: true` one byte of the last block is flipped first, so
// the controller must answer 02/85 Compare Failure: a Compare that always
// succeeds fails that case. Split at MDTS like a Read.
#include "write_support.hpp"

namespace nvqual::harness::steps {
namespace {

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  const auto& v = ctx.variables();
  const BlockRange range = block_range(ctx, args);
  const uint64_t offset = args.number("buffer_offset", v);
  require_dword_aligned(offset, "buffer_offset");
  const size_t bytes = range.blocks * range.lba_size;
  DmaBuffer buffer = buffer_for(ctx, bytes, offset);
  const std::span<std::byte> data(buffer.data() + offset, bytes);
  write_stamp::fill(data, range.lba_size, stamp_for(ctx, range, args.number("generation", v)));
  // The last byte of the last block: past the stamp's header, so only the
  // derived bytes differ (a controller comparing headers only still sees it).
  if (args.flag("mismatch")) data[bytes - 1] ^= std::byte{0x01};

  ReadRequest request;
  request.nsid = range.nsid;
  request.slba = range.slba;
  request.blocks = range.blocks;
  if (!range.has_format) request.lba_size = range.lba_size;
  const ReadResult result = ctx.controller().compare(ctx.controller().io_queue(range.qid), request, buffer, offset);
  out["status"] = result.completion.status();
  out["commands"] = uint64_t{result.commands};
}

const StepRegistrar registrar{{
    .name = "compare",
    .description = "Compare blocks with the write stamp of `generation` (mismatch flips one byte); observes status",
    .params = {qid_param(),
               nsid_param(),
               slba_param(),
               blocks_param(1u << 20),
               buffer_offset_param(),
               generation_param(),
               {.name = "mismatch",
                .kind = ParamKind::kFlag,
                .default_value = "false",
                .description = "flip one byte of the last block, so the blocks differ from the media"}},
    .observations =
        {
            {"status", ValueKind::kStatus, "the first failing completion's status, else the last one's"},
            {"commands", ValueKind::kNumber, "Compare commands issued (host side: not a check)"},
        },
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
