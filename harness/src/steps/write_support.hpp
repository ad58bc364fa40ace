// What the media-changing steps (write, write_zeroes, compare, deallocate,
// verify, flush) share: the request fields every one of them takes, and the
// block size to use for a namespace that may have none (an inactive NSID the
// device is expected to refuse).
#pragma once

#include <cstdint>

#include "nvqual/driver/write_stamp.hpp"
#include "step_support.hpp"

namespace nvqual::harness::steps {

struct BlockRange {
  uint16_t qid = 1;
  uint32_t nsid = 1;
  uint64_t slba = 0;
  uint64_t blocks = 1;
  uint32_t lba_size = 512;  // the namespace's active format, else the probed namespace's
  bool has_format = true;   // false: an NSID with no active format (inactive, 0, above NN)
};

// Reads qid, nsid, slba and blocks (when the step has them) and resolves the block size.
BlockRange block_range(StepContext& ctx, const StepArgs& args);

// The common parameters, with the defaults read.cpp uses.
ParamSpec qid_param();
ParamSpec nsid_param();
ParamSpec slba_param();
ParamSpec blocks_param(uint64_t max);
ParamSpec generation_param();

// The write stamp this case writes at range.slba with `generation` (the case's own seed).
write_stamp::Stamp stamp_for(const StepContext& ctx, const BlockRange& range, uint64_t generation);

// `entry` (its kind and contents) over range's blocks; nothing for no blocks.
void journal_range(StepContext& ctx, const BlockRange& range, MediaJournalEntry entry);

// Runs `send` (a media-changing request over `range`) and records in the
// media journal what the blocks then hold: `holds` when `send` returns a
// success status, else unknown (a split request may have changed part of the
// range; a failed one may have changed anything in it), and unknown too when
// `send` throws, unless the driver refused it before anything was posted.
// Returns send's status.
template <class Send>
spec::Status journaled(StepContext& ctx, const BlockRange& range, const MediaJournalEntry& holds, Send&& send) {
  try {
    const spec::Status status = send();
    journal_range(ctx, range, status.ok() ? holds : MediaJournalEntry{});
    return status;
  } catch (const DriverError& e) {
    if (e.kind() != ErrorKind::kMediaChangeRefused) journal_range(ctx, range, MediaJournalEntry{});
    throw;
  } catch (...) {
    journal_range(ctx, range, MediaJournalEntry{});
    throw;
  }
}

// The blocks a step moved or compared, as data for checks (written_by, every_byte, same_as).
DataPtr range_data(const BlockRange& range, std::span<const std::byte> bytes);

}  // namespace nvqual::harness::steps
