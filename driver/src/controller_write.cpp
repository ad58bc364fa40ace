// Writes and the commands that check them (NVM Command Set 1.0, 3.2): Write,
// Write Zeroes, Dataset Management (deallocate), and the non-changing Compare,
// Verify and Flush. A media-changing request is checked whole against the
// media-change policy before any of it is posted, so a split write cannot
// stop half way at the edge of the scratch range; the submit path then checks
// each command again (controller_submit.cpp), as for any raw command.
#include <array>

#include <fmt/format.h>

#include "controller_submit.hpp"
#include "nvqual/driver/commands.hpp"
#include "queue_memory.hpp"

namespace nvqual {

namespace {
ReadRequest as_read(uint32_t nsid, uint64_t slba, uint64_t blocks) {
  ReadRequest request;
  request.nsid = nsid;
  request.slba = slba;
  request.blocks = blocks;
  return request;
}
}  // namespace

void Controller::require_media_change_allowed(const char* what, uint32_t nsid, uint64_t slba, uint64_t blocks) const {
  const std::string why = media_change_refusal(nsid, slba, blocks);
  if (!why.empty()) {
    throw DriverError(ErrorKind::kMediaChangeRefused,
                      fmt::format("refusing {} of {} blocks at LBA {} of nsid {}: {}", what, blocks, slba, nsid, why));
  }
}

ReadResult Controller::write(QueuePair& queue, const WriteRequest& request, DmaBuffer& buffer, size_t offset) {
  require_enabled("a write");
  require_media_change_allowed("a Write", request.nsid, request.slba, request.blocks);
  const uint32_t lba_size = check_data_request(as_read(request.nsid, request.slba, request.blocks), buffer, offset);
  return split_transfer(queue, cmd::write(request.nsid, 0, 1, request.fua), request.slba, request.blocks,
                        blocks_per_data_command(lba_size), lba_size, &buffer, offset);
}

spec::CompletionEntry Controller::write_once(QueuePair& queue, const WriteRequest& request, DmaBuffer& buffer,
                                             size_t offset) {
  if (request.blocks == 0 || request.blocks > cmd::kMaxBlocksPerRead) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("one Write moves 1..{} blocks (NLB is 16 bits), asked for {}", cmd::kMaxBlocksPerRead,
                                  request.blocks));
  }
  // An NSID without a format (inactive, out of range) is sized by the caller's
  // buffer: the device is expected to refuse it, and the guard decides first.
  const std::optional<LbaFormat> format = active_format(request.nsid);
  const size_t lba_size = format ? format->data_size() : buffer.size() / request.blocks;
  return execute(queue, cmd::write(request.nsid, request.slba, static_cast<uint32_t>(request.blocks), request.fua),
                 buffer, static_cast<size_t>(request.blocks) * lba_size, offset);
}

ReadResult Controller::write_zeroes(QueuePair& queue, const WriteZeroesRequest& request) {
  require_enabled("a Write Zeroes");
  if (request.blocks == 0) throw DriverError(ErrorKind::kInvalidArgument, "a Write Zeroes of 0 blocks");
  require_media_change_allowed("a Write Zeroes", request.nsid, request.slba, request.blocks);
  // No data moves, so MDTS does not apply (NVM 1.0 3.2.8); NLB's 16 bits do.
  return split_transfer(queue, cmd::write_zeroes(request.nsid, 0, 1, request.deallocate, request.fua), request.slba,
                        request.blocks, cmd::kMaxBlocksPerRead, 0, nullptr, 0);
}

ReadResult Controller::compare(QueuePair& queue, const ReadRequest& request, DmaBuffer& buffer, size_t offset) {
  require_enabled("a compare");
  const uint32_t lba_size = check_data_request(request, buffer, offset);
  return split_transfer(queue, cmd::compare(request.nsid, 0, 1), request.slba, request.blocks,
                        blocks_per_data_command(lba_size), lba_size, &buffer, offset);
}

ReadResult Controller::verify(QueuePair& queue, const ReadRequest& request) {
  require_enabled("a verify");
  if (request.blocks == 0) throw DriverError(ErrorKind::kInvalidArgument, "a Verify of 0 blocks");
  return split_transfer(queue, cmd::verify(request.nsid, 0, 1), request.slba, request.blocks, cmd::kMaxBlocksPerRead, 0,
                        nullptr, 0);
}

spec::CompletionEntry Controller::flush(QueuePair& queue, uint32_t nsid) { return execute(queue, cmd::flush(nsid)); }

spec::CompletionEntry Controller::deallocate(QueuePair& queue, uint32_t nsid, std::span<const cmd::DsmRange> ranges) {
  require_enabled("a deallocate");
  if (ranges.empty() || ranges.size() > cmd::kMaxDsmRanges) {
    throw DriverError(ErrorKind::kInvalidArgument, fmt::format("one Dataset Management carries 1..{} ranges, asked "
                                                               "for {}",
                                                               cmd::kMaxDsmRanges, ranges.size()));
  }
  for (const auto& range : ranges) {
    if (range.blocks != 0) require_media_change_allowed("a deallocate", nsid, range.slba, range.blocks);
  }
  const size_t bytes = ranges.size() * 16;
  // At most 4096 bytes: one page, no PRP list; from the arena, so no mapping per call.
  DmaBuffer list(dma_memory(), page_size_, page_size_);
  for (size_t i = 0; i < ranges.size(); ++i) {
    cmd::encode_dsm_range(ranges[i], std::span<std::byte, 16>(list.data() + i * 16, 16));
  }
  return execute(queue, cmd::dataset_management(nsid, static_cast<uint32_t>(ranges.size())), list, bytes, 0);
}

}  // namespace nvqual
