#include "write_support.hpp"

#include "nvqual/driver/queue_limits.hpp"

namespace nvqual::harness::steps {

BlockRange block_range(StepContext& ctx, const StepArgs& args) {
  const auto& v = ctx.variables();
  BlockRange range;
  range.qid = static_cast<uint16_t>(args.number("qid", v));
  range.nsid = static_cast<uint32_t>(args.number("nsid", v));
  if (args.has("slba")) range.slba = args.number("slba", v);
  if (args.has("blocks")) range.blocks = args.number("blocks", v);
  const std::optional<LbaFormat> format = ctx.controller().active_format(range.nsid);
  range.has_format = format.has_value();
  range.lba_size = format ? static_cast<uint32_t>(format->data_size()) : ctx.lba_size();
  return range;
}

ParamSpec qid_param() {
  return {.name = "qid",
          .default_value = "1",
          .description = "I/O queue pair to use",
          .min = 1,
          .max = queue_limits::kMaxQid};
}
ParamSpec nsid_param() {
  return {.name = "nsid", .default_value = "nsid", .description = "namespace ID", .max = 0xFFFFFFFF};
}
ParamSpec slba_param() { return {.name = "slba", .default_value = "scratch_first", .description = "first LBA"}; }
ParamSpec blocks_param(uint64_t max) {
  return {.name = "blocks", .default_value = "1", .description = "logical blocks (1-based)", .min = 1, .max = max};
}
ParamSpec generation_param() {
  return {.name = "generation",
          .default_value = "1",
          .description = "write generation in the write stamp (a later write of the same blocks uses a higher one)",
          .min = 1,
          .max = 0xFFFFFFFF};
}

write_stamp::Stamp stamp_for(const StepContext& ctx, const BlockRange& range, uint64_t generation) {
  return write_stamp::Stamp{
      .lba = range.slba, .nsid = range.nsid, .generation = static_cast<uint32_t>(generation), .seed = ctx.write_seed()};
}

void journal_range(StepContext& ctx, const BlockRange& range, MediaJournalEntry entry) {
  if (range.blocks == 0) return;
  entry.nsid = range.nsid;
  entry.first_lba = range.slba;
  entry.last_lba = range.slba + range.blocks - 1;
  ctx.record_media_change(std::move(entry));
}

DataPtr range_data(const BlockRange& range, std::span<const std::byte> bytes) {
  auto data = std::make_shared<DataBlock>();
  data->bytes.assign(bytes.begin(), bytes.end());
  data->first_lba = range.slba;
  data->nsid = range.nsid;
  data->lba_size = range.lba_size;
  return data;
}

}  // namespace nvqual::harness::steps
