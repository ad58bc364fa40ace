// deallocate: Dataset Management with AD (deallocate) for one range of blocks
// (NVM Command Set 1.0, 3.2.3). What a deallocated block then reads is what
// DLFEAT bits 2:0 promise (Identify Namespace byte 33, NVM 1.0 4.1.5.1):
// 001b all 00h, 010b all FFh, 000b nothing said.
#include <fmt/format.h>

#include "nvqual/driver/commands.hpp"
#include "write_support.hpp"

namespace nvqual::harness::steps {
namespace {

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  const BlockRange range = block_range(ctx, args);
  if (range.blocks > 0xFFFFFFFF) {
    throw CaseInputError(fmt::format("one DSM range holds at most 2^32-1 blocks, asked for {}", range.blocks));
  }
  const cmd::DsmRange dsm{.attributes = 0, .blocks = static_cast<uint32_t>(range.blocks), .slba = range.slba};
  // What DLFEAT bits 2:0 promise a deallocated block reads, known for the namespace under test only.
  MediaJournalEntry holds{.holds = MediaJournalEntry::Holds::kDeallocated};
  const auto dlfeat = ctx.variables().find("dlfeat");
  if (range.nsid == ctx.nsid() && dlfeat != ctx.variables().end()) {
    if ((dlfeat->second & 0x7) == 1) holds.deallocated_byte = 0x00;
    if ((dlfeat->second & 0x7) == 2) holds.deallocated_byte = 0xFF;
  }
  out["status"] = journaled(ctx, range, holds, [&] {
    return ctx.controller().deallocate(ctx.controller().io_queue(range.qid), range.nsid, std::span(&dsm, 1)).status();
  });
}

const StepRegistrar registrar{{
    .name = "deallocate",
    .description = "Dataset Management, deallocate one range of blocks; observes status",
    .params = {qid_param(), nsid_param(), slba_param(), blocks_param(0xFFFFFFFF)},
    .observations = {{"status", ValueKind::kStatus, "the Dataset Management completion's status"}},
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
