// Reads: one Read exactly as asked (read_once), or a range split into
// commands of at most MDTS and 65536 blocks, posted in batches behind one
// doorbell write each (read). Both size blocks by the namespace's active
// format, resolved by the controller, so a format with metadata is refused
// before anything reaches the device.
#include <fmt/format.h>

#include "controller_submit.hpp"
#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/prp.hpp"
#include "queue_memory.hpp"

namespace nvqual {

uint32_t Controller::resolve_lba_size(const ReadRequest& request) {
  const std::optional<LbaFormat> format = active_format(request.nsid);
  if (!format) {
    if (!request.lba_size) {
      throw DriverError(ErrorKind::kInvalidArgument,
                        fmt::format("a read of namespace {}, which has no active LBA format (Identify Namespace "
                                    "refused the NSID or reports NSZE 0): give ReadRequest::lba_size to send it anyway",
                                    request.nsid));
    }
    return *request.lba_size;
  }
  const auto size = static_cast<uint32_t>(format->data_size());
  if (request.lba_size && *request.lba_size != size) {
    throw DriverError(
        ErrorKind::kInvalidArgument,
        fmt::format("a read of namespace {} with {}-byte blocks: its active LBA format has {}-byte blocks",
                    request.nsid, *request.lba_size, size));
  }
  return size;
}

spec::CompletionEntry Controller::read_once(QueuePair& queue, const ReadRequest& request, DmaBuffer& buffer,
                                            size_t offset) {
  if (request.blocks == 0 || request.blocks > cmd::kMaxBlocksPerRead) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("one Read moves 1..{} blocks (NLB is 16 bits), asked for {}", cmd::kMaxBlocksPerRead,
                                  request.blocks));
  }
  const size_t length = static_cast<size_t>(request.blocks) * resolve_lba_size(request);
  return execute(queue, cmd::read(request.nsid, request.slba, static_cast<uint32_t>(request.blocks)), buffer, length,
                 offset);
}

ReadResult Controller::read(QueuePair& queue, const ReadRequest& request, DmaBuffer& buffer, size_t offset) {
  require_enabled("a read");
  if (request.blocks == 0) throw DriverError(ErrorKind::kInvalidArgument, "a read of 0 blocks");
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

  // Batched: as many commands as the queue has room for, one doorbell, then
  // collect. Each batch is built whole (PRP lists allocated, which can fail)
  // before any of it is posted, so a failure leaves nothing on the queue; and
  // once rung, any failure stops the controller before the buffers can go.
  ReadResult result;
  uint64_t done = 0;
  while (done < request.blocks) {
    const uint64_t room = queue.free_slots();
    if (room == 0) {
      throw DriverError(ErrorKind::kQueueFull,
                        fmt::format("queue {} has no free slot for a read; {}", queue.qid(), queue.describe_state()));
    }
    std::vector<spec::SubmissionEntry> batch;
    std::vector<detail::PrpLists> lists;
    uint64_t next = done;
    while (next < request.blocks && batch.size() < room) {
      const uint64_t blocks = std::min(per_command, request.blocks - next);
      spec::SubmissionEntry sqe = cmd::read(request.nsid, request.slba + next, static_cast<uint32_t>(blocks));
      lists.push_back(fill_prps(sqe, buffer, blocks * lba_size, offset + next * lba_size));
      batch.push_back(sqe);
      next += blocks;
    }
    std::vector<uint16_t> cids(batch.size());
    std::optional<spec::CompletionEntry> first_failure;
    post_ring_collect(queue, batch, cids, detail::InFlight{&buffer, lists}, [&](const spec::CompletionEntry& cqe) {
      if (!cqe.status().ok() && !first_failure) first_failure = cqe;
      result.completion = cqe;
    });
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
