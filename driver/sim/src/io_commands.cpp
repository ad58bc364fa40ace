// The NVM command set (NVM Command Set 1.0, section 3). Runs without mutex_:
// it reads only the immutable profile and media, and takes dma_mutex_ to
// move data. Read lives here; the commands that write or check written media
// are in io_write_commands.cpp.
#include <fmt/format.h>

#include "command_fields.hpp"
#include "device.hpp"
#include "prp_walker.hpp"

namespace nvqual::sim {

namespace {

using spec::NvmOpcode;
namespace st = spec::status;

CommandResult rejected(spec::Status s, uint64_t lba = 0) {
  CommandResult r;
  r.status = spec::Status::make(s.sct(), s.sc(), !s.same_code(st::kDataTransferError));
  r.lba = lba;
  return r;
}

}  // namespace

CommandResult Device::execute_io(const spec::SubmissionEntry& sqe, uint64_t page_size, uint16_t sqid) {
  if (sqe.fuse() != 0) return rejected(st::kInvalidField);  // FUSES=0
  if (sqe.psdt() != 0) return rejected(st::kInvalidField);  // SGLS=0: PRPs only
  switch (static_cast<NvmOpcode>(sqe.opcode())) {
    case NvmOpcode::kRead: break;
    case NvmOpcode::kFlush: return flush(sqe);
    case NvmOpcode::kWrite: return write(sqe, page_size);
    case NvmOpcode::kCompare: return compare(sqe, page_size);
    case NvmOpcode::kWriteZeroes: return write_zeroes(sqe);
    case NvmOpcode::kDatasetManagement: return dataset_management(sqe, page_size);
    case NvmOpcode::kVerify: return verify(sqe);
    default: return rejected(st::kInvalidOpcode);
  }

  const NamespaceMedia* ns = media(sqe.nsid);
  if (ns == nullptr) return rejected(st::kInvalidNamespace);
  const auto range = fields::BlockRange::of(sqe);
  const uint64_t bytes = uint64_t{range.blocks} * ns->lba_size();
  const uint64_t limit = max_transfer_bytes();
  if (limit != 0 && bytes > limit) return rejected(st::kInvalidField, range.slba);
  // Written so that SLBA + NLB cannot overflow.
  if (range.slba >= ns->size_blocks() || range.blocks > ns->size_blocks() - range.slba) {
    return rejected(st::kLbaOutOfRange, range.slba);
  }

  // The pattern is built before taking the DMA lock: that is the costly part.
  thread_local std::vector<std::byte> staging;
  thread_local std::vector<std::span<std::byte>> segments;
  staging.resize(bytes);
  if (!ns->read(range.slba, staging)) return rejected(st::kUnrecoveredReadError, range.slba);

  const std::lock_guard dma(dma_mutex_);
  // bad-read-transfer / prp1-only faults: the Read still succeeds.
  const ReadTransferPlan plan = transfer_faults_.for_read(sqid);
  const uint64_t prp1 = plan.drop_prp1_offset ? sqe.prp1 & ~(page_size - 1) : sqe.prp1;
  const PrpOutcome outcome = walk_prps(iova_, prp1, sqe.prp2, bytes, page_size, segments);
  if (!outcome.ok()) {
    violation(fmt::format("Read (CID {}, NSID {}, SLBA {}, {} blocks): {}", sqe.cid(), sqe.nsid, range.slba,
                          range.blocks, outcome.violation));
    return rejected(outcome.status, range.slba);
  }
  if (transfer_faults_.prp1_only(false) && segments.size() > 1) segments.resize(1);
  TransferFaults::corrupt(plan, staging);
  hostile_.read_data(staging);  // hostile mode: read data may lie
  if (!plan.skip) scatter(staging, segments);
  CommandResult r;
  r.bytes_read = bytes;
  return r;
}

}  // namespace nvqual::sim
