#include "nvqual/driver/queue_pair.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "nvqual/driver/queue_limits.hpp"

namespace nvqual {

namespace {
// Polls between register checks while waiting for a completion. Completions on
// a real device take microseconds; a short pause keeps a waiting thread cheap.
constexpr std::chrono::microseconds kWaitPause{2};
// CSTS is read at most this often while waiting, to notice CFS or a vanished device early.
constexpr std::chrono::milliseconds kCstsCheckInterval{10};

// Checked before anything is sized from the geometry (rings, tables).
const QueueGeometry& checked(const QueueGeometry& geometry, const Transport& transport) {
  const auto fits = [](uint32_t entries) {
    return entries >= queue_limits::kMinEntries && entries <= queue_limits::kMaxIoEntries;
  };
  if (!fits(geometry.sq_entries) || !fits(geometry.cq_entries)) {
    throw DriverError(
        ErrorKind::kInvalidArgument,
        fmt::format("queue {} needs {}..{} entries, got SQ {} CQ {}", geometry.qid, queue_limits::kMinEntries,
                    queue_limits::kMaxIoEntries, geometry.sq_entries, geometry.cq_entries));
  }
  // A CAP.DSTRD that puts this queue's doorbells past BAR0 (a corrupt or lying
  // CAP) would have every doorbell write land outside the controller, or on
  // another queue's doorbell. Computed in 64 bits: the 32-bit offset can wrap.
  const uint64_t cq_doorbell_end = spec::reg::kDoorbellBase +
                                   (2 * uint64_t{geometry.qid} + 2) * geometry.doorbell_stride;
  if (const uint64_t bar = transport.bar0_size(); bar != 0 && cq_doorbell_end > bar) {
    throw DriverError(ErrorKind::kProtocolViolation,
                      fmt::format("queue {}'s doorbells end at 0x{:x}, past BAR0's {} bytes: CAP.DSTRD's {}-byte "
                                  "doorbell stride does not fit this controller (NVMe Base 2.0, 3.1.3.1)",
                                  geometry.qid, cq_doorbell_end, bar, geometry.doorbell_stride));
  }
  return geometry;
}
}  // namespace

QueuePair::QueuePair(Transport& transport, Clock& clock, CommandLog* log, const QueueGeometry& geometry)
    : transport_(transport),
      clock_(clock),
      log_(log),
      geometry_(checked(geometry, transport)),
      sq_(transport, geometry.sq_entries * spec::kSubmissionEntrySize, geometry.alignment),
      cq_(transport, geometry.cq_entries * spec::kCompletionEntrySize, geometry.alignment),
      sq_doorbell_(spec::sq_tail_doorbell(geometry.qid, geometry.doorbell_stride)),
      cq_doorbell_(spec::cq_head_doorbell(geometry.qid, geometry.doorbell_stride)),
      slot_cid_(geometry.sq_entries, 0),
      submitted_(capacity()) {
  stash_.reserve(capacity());
  // Every slot starts host-owned with phase 0, stale for the first pass.
  auto* ring = cq_.as<spec::CompletionEntry>();
  for (uint32_t i = 0; i < geometry_.cq_entries; ++i) ring[i].dw3 = kHostOwnedCid;
}

void QueuePair::discard_unrung() noexcept {
  while (sq_tail_ != sq_tail_rung_) {
    if (sq_tail_ == 0) --sq_wraps_;  // the wrap is taken back with the entry
    sq_tail_ = sq_tail_ == 0 ? geometry_.sq_entries - 1 : sq_tail_ - 1;
    cids_.release(slot_cid_[sq_tail_]);
  }
}

void QueuePair::accept(const spec::CompletionEntry& cqe) {
  if (cqe.sqid() != geometry_.qid) {
    throw DriverError(ErrorKind::kProtocolViolation,
                      fmt::format("completion on CQ {} names SQ {} (CID {}): expected SQ {}", geometry_.qid, cqe.sqid(),
                                  cqe.cid(), geometry_.qid));
  }
  if (cqe.sqhd() >= geometry_.sq_entries) {
    throw DriverError(ErrorKind::kProtocolViolation,
                      fmt::format("completion for CID {} on queue {} reports SQ head {} beyond the {}-entry queue",
                                  cqe.cid(), geometry_.qid, cqe.sqhd(), geometry_.sq_entries));
  }
  // SQHD only moves forward, from the head the host last saw up to the tail it
  // rang (both wrap). Any other in-range value would hand the host slots the
  // device has not fetched yet, and the next post would overwrite a command.
  const uint32_t entries = geometry_.sq_entries;
  const uint32_t advance = (cqe.sqhd() + entries - sq_head_) % entries;
  const uint32_t rung = (sq_tail_rung_ + entries - sq_head_) % entries;
  if (advance > rung) {
    throw DriverError(ErrorKind::kProtocolViolation,
                      fmt::format("completion for CID {} on queue {} reports SQ head {}, outside {}..{} (from the "
                                  "head last reported to the tail rung): the controller cannot have fetched that far",
                                  cqe.cid(), geometry_.qid, cqe.sqhd(), sq_head_, sq_tail_rung_));
  }
  if (!cids_.release(cqe.cid())) {
    throw DriverError(ErrorKind::kProtocolViolation,
                      fmt::format("completion on queue {} for CID {} which is not outstanding (duplicate or "
                                  "invented completion)",
                                  geometry_.qid, cqe.cid()));
  }
  submitted_.erase(cqe.cid());
  sq_head_ = cqe.sqhd();
  if (log_ != nullptr) log_->record_completion(geometry_.qid, cqe, log_time());
}

spec::CompletionEntry QueuePair::execute(const spec::SubmissionEntry& sqe, std::chrono::nanoseconds timeout) {
  const uint16_t cid = post(sqe);
  ring();
  return wait(cid, timeout);
}

spec::CompletionEntry QueuePair::wait(uint16_t cid, std::chrono::nanoseconds timeout) {
  const auto take_stashed = [&]() -> std::optional<spec::CompletionEntry> {
    const auto it = std::find_if(stash_.begin(), stash_.end(), [&](const auto& c) { return c.cid() == cid; });
    if (it == stash_.end()) return std::nullopt;
    const spec::CompletionEntry found = *it;
    stash_.erase(it);
    return found;
  };
  if (auto done = take_stashed()) return *done;
  if (!cids_.outstanding(cid)) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("waiting on queue {} for CID {} which was never submitted", geometry_.qid, cid));
  }
  const auto submitted = submitted_.get(cid);
  if (!submitted) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("waiting on queue {} for CID {} which was posted but not rung: call ring() first",
                                  geometry_.qid, cid));
  }

  const auto deadline = *submitted + timeout;
  // CSTS is an MMIO read, too slow for every poll; a deadline that has passed
  // already (the caller waited for other commands first) is noticed at once.
  auto next_csts_check = clock_.now() + kCstsCheckInterval;
  for (;;) {
    poll([&](const spec::CompletionEntry& cqe) { stash_.push_back(cqe); });
    if (auto done = take_stashed()) return *done;

    const auto now = clock_.now();
    if (now >= next_csts_check || now >= deadline) {
      next_csts_check = now + kCstsCheckInterval;
      const spec::Csts csts{transport_.read32(spec::reg::kCsts)};
      if (csts.all_ones()) {
        throw DriverError(ErrorKind::kDeviceGone,
                          fmt::format("CSTS reads FFFFFFFFh while waiting for CID {} on queue {}: the device is no "
                                      "longer reachable (surprise removal or link down)",
                                      cid, geometry_.qid));
      }
      if (csts.cfs() != 0) {
        throw DriverError(
            ErrorKind::kControllerFatal,
            fmt::format("controller fatal status (CSTS {:#010x}) while waiting for CID {} on queue {}; {}", csts.raw,
                        cid, geometry_.qid, describe_state()));
      }
      if (now >= deadline) {
        check_wrong_phase_at_head(cid);
        throw DriverError(
            ErrorKind::kCommandTimeout,
            fmt::format("{} on queue {} got no completion within {} ms of its submission; {}; CSTS {:#010x} (RDY={} "
                        "CFS={} SHST={})",
                        describe_command(cid), geometry_.qid,
                        std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count(), describe_state(),
                        csts.raw, csts.rdy(), csts.cfs(), csts.shst()));
      }
    }
    clock_.pause(kWaitPause);
  }
}

void QueuePair::check_wrong_phase_at_head(uint16_t waited_cid) const {
  spec::CompletionEntry& slot = cq_.as<spec::CompletionEntry>()[cq_head_];
  // The device may be writing this slot: the phase word is read as poll() reads it.
  const uint32_t dw3 = std::atomic_ref<uint32_t>(slot.dw3).load(std::memory_order_acquire);
  const spec::CompletionEntry cqe{0, 0, slot.dw2, dw3};
  if (cqe.phase() == expected_phase_ || !cids_.outstanding(cqe.cid()) || cqe.sqid() != geometry_.qid) return;
  throw DriverError(ErrorKind::kProtocolViolation,
                    fmt::format("completion with wrong phase tag: CID {} at CQ head {} on queue {} carries phase {}, "
                                "expected {} (left unconsumed); no completion for {} within its deadline; {}",
                                cqe.cid(), cq_head_, geometry_.qid, cqe.phase() ? 1 : 0, expected_phase_ ? 1 : 0,
                                describe_command(waited_cid), describe_state()));
}

std::string QueuePair::describe_command(uint16_t cid) const {
  // The newest slot that held the CID: older uses of the same CID lie further back.
  const auto* ring = sq_.as<spec::SubmissionEntry>();
  for (uint32_t back = 1; back <= geometry_.sq_entries; ++back) {
    const uint32_t slot = (sq_tail_ + geometry_.sq_entries - back) % geometry_.sq_entries;
    if (slot_cid_[slot] == cid && ring[slot].cid() == cid) {
      return fmt::format("{} (opcode {:02x}h, nsid {}) CID {}", opcode_name(geometry_.qid, ring[slot].opcode()),
                         ring[slot].opcode(), ring[slot].nsid, cid);
    }
  }
  return fmt::format("CID {}", cid);
}

std::string QueuePair::describe_state() const {
  return fmt::format(
      "SQ {}: head {} tail {} (doorbell {}) of {}; CQ {}: head {} expected phase {} of {}; {} outstanding",
      geometry_.qid, sq_head_, sq_tail_, sq_tail_rung_, geometry_.sq_entries, geometry_.qid, cq_head_,
      expected_phase_ ? 1 : 0, geometry_.cq_entries, outstanding());
}

void QueuePair::throw_queue_full() const {
  throw DriverError(ErrorKind::kQueueFull, fmt::format("queue {} is full ({} of {} commands outstanding); {}",
                                                       geometry_.qid, outstanding(), capacity(), describe_state()));
}

}  // namespace nvqual
