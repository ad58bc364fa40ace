// The splitting shared by every LBA command (Read, Write, Compare, Write
// Zeroes, Verify): commands of at most MDTS and 65536 blocks, posted in
// batches behind one doorbell write each. Each batch is built whole (PRP
// lists allocated, which can fail) before any of it is posted, so a failure
// leaves nothing on the queue; once rung, any failure stops the controller
// before the buffers can go (post_ring_collect).
#include <fmt/format.h>

#include "controller_submit.hpp"
#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/prp.hpp"
#include "nvqual/driver/spec/bits.hpp"
#include "queue_memory.hpp"

namespace nvqual {

uint32_t Controller::check_data_request(const ReadRequest& request, const DmaBuffer& buffer, size_t offset) {
  if (request.blocks == 0) throw DriverError(ErrorKind::kInvalidArgument, "a transfer of 0 blocks");
  const uint32_t lba_size = resolve_lba_size(request);
  if (lba_size < 512 || (lba_size & (lba_size - 1)) != 0) {
    throw DriverError(ErrorKind::kInvalidArgument, fmt::format("LBA size {} is not a power of two >= 512", lba_size));
  }
  // Divided, not multiplied: blocks x lba_size can wrap 64 bits and pass.
  if (offset > buffer.size() || request.blocks > (buffer.size() - offset) / lba_size) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("{} blocks of {} bytes at offset {} do not fit a {}-byte buffer", request.blocks,
                                  lba_size, offset, buffer.size()));
  }
  prp::require_dword_aligned(offset);
  return lba_size;
}

uint64_t Controller::blocks_per_data_command(uint32_t lba_size) const {
  uint64_t per_command = cmd::kMaxBlocksPerRead;
  if (const uint64_t mdts_bytes = max_transfer_bytes(); mdts_bytes != 0) {
    // A dword-aligned PRP1 offset can make a transfer touch one more page than
    // its length suggests; keep each command within MDTS by length, as the spec counts it.
    per_command = std::min<uint64_t>(per_command, mdts_bytes / lba_size);
    if (per_command == 0) {
      throw DriverError(
          ErrorKind::kUnsupported,
          fmt::format("MDTS allows {} bytes per command, less than one {}-byte block", mdts_bytes, lba_size));
    }
  }
  return per_command;
}

ReadResult Controller::split_transfer(QueuePair& queue, const spec::SubmissionEntry& base, uint64_t slba,
                                      uint64_t blocks, uint64_t per_command, uint32_t lba_size, DmaBuffer* buffer,
                                      size_t offset) {
  ReadResult result;
  uint64_t done = 0;
  while (done < blocks) {
    const uint64_t room = queue.free_slots();
    if (room == 0) {
      throw DriverError(ErrorKind::kQueueFull,
                        fmt::format("queue {} has no free slot for {}; {}", queue.qid(),
                                    opcode_name(queue.qid(), base.opcode()), queue.describe_state()));
    }
    // Reused storage (cleared, not freed): a steady run allocates nothing.
    std::vector<spec::SubmissionEntry>& batch = batch_scratch_;
    std::vector<detail::PrpLists>& lists = lists_scratch_;
    batch.clear();
    lists.clear();
    uint64_t next = done;
    while (next < blocks && batch.size() < room) {
      const uint64_t count = std::min(per_command, blocks - next);
      spec::SubmissionEntry sqe = base;
      sqe.cdw10 = static_cast<uint32_t>(slba + next);
      sqe.cdw11 = static_cast<uint32_t>((slba + next) >> 32);
      sqe.cdw12 = spec::detail::set_bits<15, 0>(sqe.cdw12, static_cast<uint32_t>(count - 1));
      if (buffer != nullptr) {
        lists.push_back(fill_prps(queue, batch.size(), sqe, *buffer, count * lba_size, offset + next * lba_size));
      }
      batch.push_back(sqe);
      next += count;
    }
    cids_scratch_.resize(std::max(cids_scratch_.size(), batch.size()));
    const std::span<uint16_t> cids(cids_scratch_.data(), batch.size());
    std::optional<spec::CompletionEntry> first_failure;
    post_ring_collect(queue, batch, cids, detail::InFlight{buffer, lists}, [&](const spec::CompletionEntry& cqe) {
      if (!cqe.status().ok() && !first_failure) first_failure = cqe;
      result.completion = cqe;
    });
    lists.clear();  // the batch completed: its own list pages (if any) go back
    done = next;
    result.commands += static_cast<uint32_t>(batch.size());
    if (first_failure) {
      result.completion = *first_failure;
      return result;
    }
  }
  return result;
}

}  // namespace nvqual
