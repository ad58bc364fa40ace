// read_offset_sweep: reads the same blocks with PRP1 at every dword offset in a
// range and compares each with a read at offset 0 (NVMe Base 2.0, 4.1.1: PRP1
// may carry a dword-aligned offset; the data must not depend on it). Every
// buffer is poisoned before its read, and the step reports how many offsets it
// covered, so neither a missed transfer nor an empty range can pass.
#include <fmt/format.h>

#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/queue_limits.hpp"
#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

using queue_limits::kMaxQid;

std::optional<ArgProblem> check_args(const StepArgs& args) {
  const auto from = args.constant("from");
  const auto to = args.constant("to");
  if (from && to && *from > *to) {
    return ArgProblem{"from", fmt::format("the PRP1 offset range {}..{} is empty: expected from <= to (the sweep "
                                          "would compare nothing)",
                                          *from, *to)};
  }
  return std::nullopt;
}

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  const auto& v = ctx.variables();
  Controller& controller = ctx.controller();
  QueuePair& queue = controller.io_queue(static_cast<uint16_t>(args.number("qid", v)));
  ReadRequest request;
  request.nsid = ctx.nsid();
  request.slba = args.number("slba", v);
  request.blocks = args.number("blocks", v);
  // The controller resolves the format (and refuses one with metadata).
  const std::optional<LbaFormat> format = controller.active_format(request.nsid);
  if (!format) throw CaseInputError(fmt::format("namespace {} has no active LBA format to read", request.nsid));
  const auto lba_size = static_cast<uint32_t>(format->data_size());
  const uint64_t from = args.number("from", v);
  const uint64_t to = args.number("to", v);
  const uint64_t stride = args.number("stride", v);
  require_dword_aligned(from, "from");
  require_dword_aligned(stride, "stride");
  // An empty range would read only the reference and agree with itself.
  if (from > to) {
    throw CaseInputError(
        fmt::format("the PRP1 offset range {}..{} is empty: the sweep would compare nothing", from, to));
  }
  const size_t length = request.blocks * lba_size;

  DmaBuffer reference_buffer = buffer_for(ctx, length);
  poison(ctx, std::span<std::byte>(reference_buffer.data(), reference_buffer.size()));
  spec::CompletionEntry first = controller.read(queue, request, reference_buffer).completion;
  auto reference = std::make_shared<DataBlock>();
  reference->bytes.assign(reference_buffer.data(), reference_buffer.data() + length);
  reference->first_lba = request.slba;
  reference->nsid = request.nsid;
  reference->lba_size = lba_size;

  spec::Status status = first.status();
  uint64_t reads = 1;
  uint64_t offsets = 0;
  uint64_t mismatches = 0;
  uint64_t first_bad = ~uint64_t{0};
  DmaBuffer buffer = buffer_for(ctx, length, to);
  for (uint64_t offset = from; status.ok() && offset <= to; offset += stride) {
    ctx.checkpoint();
    poison(ctx, std::span<std::byte>(buffer.data(), buffer.size()));  // stale bytes must not pass
    const ReadResult r = controller.read(queue, request, buffer, offset);
    ++reads;
    ++offsets;
    if (!r.ok()) {
      status = r.completion.status();
      first_bad = std::min(first_bad, offset);
      break;
    }
    if (!std::equal(reference->bytes.begin(), reference->bytes.end(), buffer.data() + offset)) {
      ++mismatches;
      first_bad = std::min(first_bad, offset);
    }
  }
  out["status"] = status;
  out["reads"] = reads;
  out["offsets"] = offsets;
  out["mismatches"] = mismatches;
  out["first_bad_offset"] = first_bad;
  out["data"] = DataPtr(std::move(reference));
  ctx.measure("PRP1 offset sweep", fmt::format("{} offsets of {}..{} step {} read and compared; {} disagreed", offsets,
                                               from, to, stride, mismatches));
}

const StepRegistrar registrar{{
    .name = "read_offset_sweep",
    .description = "Reads the same blocks with PRP1 at each dword offset in [from, to] and compares with offset 0",
    .params =
        {{.name = "qid", .default_value = "1", .description = "I/O queue pair", .min = 1, .max = kMaxQid},
         {.name = "slba", .default_value = "0", .description = "first LBA"},
         {.name = "blocks",
          .default_value = "1",
          .description = "blocks per read",
          .min = 1,
          .max = cmd::kMaxBlocksPerRead},
         {.name = "from", .default_value = "4", .description = "first PRP1 offset", .max = 65536, .multiple_of = 4},
         {.name = "to", .default_value = "page_size - 4", .description = "last PRP1 offset", .max = 65536},
         {.name = "stride",
          .default_value = "4",
          .description = "offset step (dword multiple)",
          .min = 4,
          .max = 65536,
          .multiple_of = 4}},
    .observations =
        {
            {"status", ValueKind::kStatus, "the first failing status, else success"},
            {"reads", ValueKind::kNumber, "reads issued, the reference included"},
            {"offsets", ValueKind::kNumber,
             "offsets read and compared (check it: a sweep that covers none proves nothing)"},
            {"mismatches", ValueKind::kNumber, "offsets whose data differed from the offset-0 read"},
            {"first_bad_offset", ValueKind::kNumber, "the first offset that failed or differed (2^64-1: none)"},
            {"data", ValueKind::kData, "the offset-0 reference read"},
        },
    .run = run,
    .check_args = check_args,
}};

}  // namespace
}  // namespace nvqual::harness::steps
