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
  const uint32_t lba_size = check_data_request(request, buffer, offset);
  return split_transfer(queue, cmd::read(request.nsid, 0, 1), request.slba, request.blocks,
                        blocks_per_data_command(lba_size), lba_size, &buffer, offset);
}

}  // namespace nvqual
