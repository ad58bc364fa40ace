// The NVM commands that write or check written media (NVM Command Set 1.0,
// 3.2): Write, Compare, Write Zeroes, Dataset Management, Verify and Flush,
// each gated on the ONCS bit the profile reports (Write and Flush are
// mandatory), with the statuses a controller returns, and the write-media
// faults applied where the device does the work.
#include <algorithm>

#include <fmt/format.h>

#include "command_fields.hpp"
#include "device.hpp"
#include "prp_walker.hpp"

namespace nvqual::sim {

namespace {

namespace st = spec::status;
constexpr spec::Status kCompareFailure = spec::Status::make(0x2, 0x85);  // Media and Data Integrity Errors
constexpr uint32_t kEveryNamespace = 0xFFFFFFFF;

// ONCS bits (NVMe Base 2.0, Figure 275).
constexpr uint16_t kOncsCompare = 1u << 0;
constexpr uint16_t kOncsDsm = 1u << 2;
constexpr uint16_t kOncsWriteZeroes = 1u << 3;
constexpr uint16_t kOncsVerify = 1u << 7;

CommandResult rejected(spec::Status s, uint64_t lba = 0) {
  CommandResult r;
  r.status = spec::Status::make(s.sct(), s.sc(), true);
  r.lba = lba;
  return r;
}

bool fua(const spec::SubmissionEntry& sqe) { return (sqe.cdw12 >> 30) & 1u; }

// 00/0B for an inactive NSID, 00/80 for blocks past NSZE, else nullopt.
std::optional<CommandResult> check_range(const NamespaceMedia* ns, const fields::BlockRange& range) {
  if (ns == nullptr) return rejected(st::kInvalidNamespace);
  // Written so that SLBA + NLB cannot overflow.
  if (range.slba >= ns->size_blocks() || range.blocks > ns->size_blocks() - range.slba) {
    return rejected(st::kLbaOutOfRange, range.slba);
  }
  return std::nullopt;
}

}  // namespace

bool Device::gather_from_host(const spec::SubmissionEntry& sqe, uint64_t page_size, std::span<std::byte> out,
                              spec::Status& failure) {
  thread_local std::vector<std::span<std::byte>> segments;
  const std::lock_guard dma(dma_mutex_);
  const PrpOutcome outcome = walk_prps(iova_, sqe.prp1, sqe.prp2, out.size(), page_size, segments);
  if (!outcome.ok()) {
    violation(fmt::format("{} (CID {}, NSID {}): {}",
                          spec::nvm_opcode_changes_media(sqe.opcode()) ? "write" : "compare", sqe.cid(), sqe.nsid,
                          outcome.violation));
    failure = outcome.status;
    return false;
  }
  // prp1-only fault: only what PRP1 covers arrives; the rest of the block reads as zeros.
  if (transfer_faults_.prp1_only(false) && segments.size() > 1) {
    segments.resize(1);
    std::fill(out.begin(), out.end(), std::byte{0});
  }
  gather(segments, out);
  return true;
}

CommandResult Device::write(const spec::SubmissionEntry& sqe, uint64_t page_size) {
  const NamespaceMedia* ns = media(sqe.nsid);
  const auto range = fields::BlockRange::of(sqe);
  if (ns == nullptr) return rejected(st::kInvalidNamespace);
  const uint64_t bytes = uint64_t{range.blocks} * ns->lba_size();
  if (const uint64_t limit = max_transfer_bytes(); limit != 0 && bytes > limit) {
    return rejected(st::kInvalidField, range.slba);
  }
  if (auto refused = check_range(ns, range)) {
    // write-beyond-nsze: the device claims success for blocks it does not have.
    if (has_write_fault(WriteMediaEffect::kWriteBeyondNsze) && refused->status.same_code(st::kLbaOutOfRange)) return {};
    return *refused;
  }
  thread_local std::vector<std::byte> staging;
  staging.resize(bytes);
  spec::Status failure;
  if (!gather_from_host(sqe, page_size, staging, failure)) return rejected(failure, range.slba);
  if (has_write_fault(WriteMediaEffect::kLostWrite)) return {};
  if (has_write_fault(WriteMediaEffect::kStaleOverwrite) && ns->written().written(range.slba, range.blocks)) return {};
  uint64_t slba = range.slba;
  if (has_write_fault(WriteMediaEffect::kMisdirectedWrite) && range.slba + range.blocks < ns->size_blocks()) ++slba;
  const bool durable = !volatile_cache() || (fua(sqe) && !has_write_fault(WriteMediaEffect::kFlushDoesNothing));
  ns->written().write(slba, staging, durable);
  return {};
}

CommandResult Device::compare(const spec::SubmissionEntry& sqe, uint64_t page_size) {
  if ((profile_.controller.oncs & kOncsCompare) == 0) return rejected(st::kInvalidOpcode);
  const NamespaceMedia* ns = media(sqe.nsid);
  const auto range = fields::BlockRange::of(sqe);
  if (auto refused = check_range(ns, range)) return *refused;
  const uint64_t bytes = uint64_t{range.blocks} * ns->lba_size();
  if (const uint64_t limit = max_transfer_bytes(); limit != 0 && bytes > limit) {
    return rejected(st::kInvalidField, range.slba);
  }
  thread_local std::vector<std::byte> host;
  thread_local std::vector<std::byte> stored;
  host.resize(bytes);
  stored.resize(bytes);
  spec::Status failure;
  if (!gather_from_host(sqe, page_size, host, failure)) return rejected(failure, range.slba);
  if (!ns->read(range.slba, stored)) return rejected(st::kUnrecoveredReadError, range.slba);
  if (has_write_fault(WriteMediaEffect::kCompareAlwaysMatches) || host == stored) {
    CommandResult matched;
    matched.bytes_read = bytes;  // SMART counts a Compare's blocks as read (NVM Command Set 1.0, 4.1.4.2)
    return matched;
  }
  // The first mismatching block goes into the error log's LBA.
  const auto at = std::mismatch(host.begin(), host.end(), stored.begin()).first - host.begin();
  CommandResult r = rejected(kCompareFailure, range.slba + static_cast<uint64_t>(at) / ns->lba_size());
  r.status = spec::Status::make(kCompareFailure.sct(), kCompareFailure.sc(), false);  // no DNR: QEMU's too
  return r;
}

CommandResult Device::write_zeroes(const spec::SubmissionEntry& sqe) {
  if ((profile_.controller.oncs & kOncsWriteZeroes) == 0) return rejected(st::kInvalidOpcode);
  const NamespaceMedia* ns = media(sqe.nsid);
  const auto range = fields::BlockRange::of(sqe);
  if (auto refused = check_range(ns, range)) return *refused;
  if (has_write_fault(WriteMediaEffect::kZeroesLeaveData)) return {};
  // DEAC (CDW12 bit 25) deallocates when DLFEAT bit 3 says the namespace can;
  // a deallocated block then reads as DLFEAT 2:0 promises.
  const bool deac = ((sqe.cdw12 >> 25) & 1u) != 0 && (ns->dlfeat() & 0x08) != 0;
  const bool durable = !volatile_cache() || (fua(sqe) && !has_write_fault(WriteMediaEffect::kFlushDoesNothing));
  ns->written().fill(range.slba, range.blocks, deac ? WrittenMedia::Kind::kDeallocated : WrittenMedia::Kind::kZeroes,
                     durable);
  return {};
}

CommandResult Device::dataset_management(const spec::SubmissionEntry& sqe, uint64_t page_size) {
  if ((profile_.controller.oncs & kOncsDsm) == 0) return rejected(st::kInvalidOpcode);
  const NamespaceMedia* ns = media(sqe.nsid);
  if (ns == nullptr) return rejected(st::kInvalidNamespace);
  const size_t ranges = (sqe.cdw10 & 0xFF) + 1;  // NR, 0-based
  std::vector<std::byte> list(ranges * 16);
  spec::Status failure;
  if (!gather_from_host(sqe, page_size, list, failure)) return rejected(failure);
  const bool deallocate = ((sqe.cdw11 >> 2) & 1u) != 0;  // AD
  const auto le = [&](size_t at, size_t width) {
    uint64_t v = 0;
    for (size_t i = 0; i < width; ++i) v |= uint64_t{std::to_integer<uint8_t>(list[at + i])} << (8 * i);
    return v;
  };
  // Every range is checked before any is applied: 00/80 changes nothing.
  for (size_t i = 0; i < ranges; ++i) {
    const uint64_t blocks = le(i * 16 + 4, 4);
    const uint64_t slba = le(i * 16 + 8, 8);
    if (blocks != 0 && (slba >= ns->size_blocks() || blocks > ns->size_blocks() - slba)) {
      return rejected(st::kLbaOutOfRange, slba);
    }
  }
  if (!deallocate || has_write_fault(WriteMediaEffect::kDeallocateKeepsData)) return {};
  for (size_t i = 0; i < ranges; ++i) {
    // Deallocation is durable: it is mapping, not cached data (as QEMU's discard).
    ns->written().fill(le(i * 16 + 8, 8), le(i * 16 + 4, 4), WrittenMedia::Kind::kDeallocated, true);
  }
  return {};
}

CommandResult Device::verify(const spec::SubmissionEntry& sqe) {
  if ((profile_.controller.oncs & kOncsVerify) == 0) return rejected(st::kInvalidOpcode);
  const NamespaceMedia* ns = media(sqe.nsid);
  const auto range = fields::BlockRange::of(sqe);
  if (auto refused = check_range(ns, range)) return *refused;
  thread_local std::vector<std::byte> stored;
  stored.resize(uint64_t{range.blocks} * ns->lba_size());
  if (!ns->read(range.slba, stored)) return rejected(st::kUnrecoveredReadError, range.slba);
  return {};
}

CommandResult Device::flush(const spec::SubmissionEntry& sqe) {
  // NSID FFFFFFFFh flushes every namespace (NVM 1.0, 3.2.2).
  if (sqe.nsid != kEveryNamespace && media(sqe.nsid) == nullptr) return rejected(st::kInvalidNamespace);
  if (has_write_fault(WriteMediaEffect::kFlushDoesNothing)) return {};
  for (const auto& ns : media_) {
    if (sqe.nsid == kEveryNamespace || ns.nsid() == sqe.nsid) ns.written().flush();
  }
  return {};
}

}  // namespace nvqual::sim
