// read: logical blocks from a namespace through an I/O queue (NVM Command Set
// 1.0, 3.2.6). Modes: `split` lets the driver split at MDTS and batch the
// commands; `once` sends exactly one Read as asked (boundary and error checks);
// `chunks` sends one Read per `chunk` blocks, one after another (to compare
// with a whole read). The data lands at `buffer_offset` in its buffer, so PRP1
// carries that offset and long transfers need PRP lists. The buffer is
// poisoned first (a pattern unique to this read), so a Read that reports
// success without moving data never agrees with another read.
// `max_latency` is the longest submit-to-completion time of one read call,
// on the controller's Clock (a simulator's VirtualClock makes it exact): in
// modes once and chunks that is one command, the bound the Error Recovery
// feature's TLER sets (Base 2.0 5.27.1.5); in split mode it is the batch.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/queue_limits.hpp"
#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

using queue_limits::kMaxQid;

// One Read carries at most this many blocks (NLB is a 0-based 16-bit field, NVM 1.0 3.2.6).
constexpr uint64_t kMaxBlocksPerCommand = cmd::kMaxBlocksPerRead;

std::optional<ArgProblem> check_args(const StepArgs& args) {
  const auto blocks = args.constant("blocks");
  if (args.choice("mode") == "once" && blocks && *blocks > kMaxBlocksPerCommand) {
    return ArgProblem{"blocks", fmt::format("{} blocks in mode once is more than one Read carries: expected 1..{} "
                                            "(NLB is 16 bits, NVM 1.0 3.2.6), or mode split or chunks",
                                            *blocks, kMaxBlocksPerCommand)};
  }
  return std::nullopt;
}

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  const auto& v = ctx.variables();
  Controller& controller = ctx.controller();
  const auto qid = static_cast<uint16_t>(args.number("qid", v));
  ReadRequest request;
  request.nsid = static_cast<uint32_t>(args.number("nsid", v));
  request.slba = args.number("slba", v);
  request.blocks = args.number("blocks", v);
  // The controller resolves the namespace's active format (and refuses one
  // with metadata before anything reaches the device). An NSID with none
  // (nsid 0, nn + 1: cases that check the device refuses them) is read with
  // the probed namespace's block size, for the device to answer.
  const std::optional<LbaFormat> format = controller.active_format(request.nsid);
  if (!format) request.lba_size = ctx.lba_size();
  const uint32_t lba_size = format ? static_cast<uint32_t>(format->data_size()) : ctx.lba_size();
  const uint64_t offset = args.number("buffer_offset", v);
  require_dword_aligned(offset, "buffer_offset");
  DmaBuffer buffer = buffer_for(ctx, request.blocks * lba_size, offset);
  QueuePair& queue = controller.io_queue(qid);
  poison(ctx, std::span<std::byte>(buffer.data(), buffer.size()));

  spec::CompletionEntry completion;
  uint64_t commands = 0;
  const std::string& mode = args.choice("mode");
  Clock& clock = controller.clock();
  Clock::duration max_latency{0};
  const auto timed = [&](auto&& call) {
    const Clock::time_point start = clock.now();
    call();
    max_latency = std::max(max_latency, clock.now() - start);
  };
  if (mode == "split") {
    timed([&] {
      const ReadResult result = controller.read(queue, request, buffer, offset);
      completion = result.completion;
      commands = result.commands;
    });
  } else if (mode == "once") {
    timed([&] { completion = controller.read_once(queue, request, buffer, offset); });
    commands = 1;
  } else {
    const uint64_t chunk = args.number("chunk", v);
    for (uint64_t done = 0; done < request.blocks; done += chunk) {
      ctx.checkpoint();
      ReadRequest part = request;
      part.slba = request.slba + done;
      part.blocks = std::min(chunk, request.blocks - done);
      timed([&] { completion = controller.read_once(queue, part, buffer, offset + done * lba_size); });
      ++commands;
      if (!completion.status().ok()) break;
    }
  }
  auto data = std::make_shared<DataBlock>();
  data->bytes.assign(buffer.data() + offset, buffer.data() + offset + request.blocks * lba_size);
  data->first_lba = request.slba;
  data->nsid = request.nsid;
  data->lba_size = lba_size;
  out["status"] = completion.status();
  out["commands"] = commands;
  out["max_latency"] = std::chrono::duration_cast<std::chrono::nanoseconds>(max_latency);
  out["data"] = DataPtr(std::move(data));
}

const StepRegistrar registrar{{
    .name = "read",
    .description = "Read blocks through an I/O queue (modes split, once, chunks); observes status and data",
    .params =
        {{.name = "qid", .default_value = "1", .description = "I/O queue pair to use", .min = 1, .max = kMaxQid},
         {.name = "nsid", .default_value = "nsid", .description = "namespace ID", .max = 0xFFFFFFFF},
         {.name = "slba", .default_value = "0", .description = "first LBA"},
         {.name = "blocks", .default_value = "1", .description = "logical blocks (1-based)", .min = 1, .max = 1u << 20},
         buffer_offset_param(),
         {.name = "mode",
          .kind = ParamKind::kChoice,
          .default_value = "split",
          .description = "split (driver splits at MDTS), once (one command as asked), chunks",
          .choices = {"split", "once", "chunks"}},
         {.name = "chunk",
          .default_value = "1",
          .description = "blocks per command in chunks mode",
          .min = 1,
          .max = kMaxBlocksPerCommand}},
    .observations =
        {
            {"status", ValueKind::kStatus, "the first failing completion's status, else the last one's"},
            {"commands", ValueKind::kNumber, "Read commands issued (host side: not a check)"},
            {"data", ValueKind::kData, "the blocks read"},
            {"max_latency", ValueKind::kDuration,
             "the longest submission-to-completion time of one Read (of the whole batch in mode split)"},
        },
    .run = run,
    .check_args = check_args,
}};

}  // namespace
}  // namespace nvqual::harness::steps
