// A submission queue and its completion queue (NVMe Base 2.0, 3.3), polled.
//
// Posting and ringing are separate: post() stores entries, ring() writes the SQ
// tail doorbell once for all of them (batched doorbells). Ordering: the entry
// is stored, then a release fence, then the doorbell. Completions: the phase
// tag is loaded with acquire before the rest of the entry is read.
//
// Phase convention: `expected_phase_` is the value a new entry carries. It
// starts at 1 on a new CQ and flips each time the head wraps to slot 0.
//
// CQ slots the host owns (never written yet, or consumed) carry CID FFFFh,
// which is never handed out: a slot at the head with the stale phase but an
// outstanding CID was then written by the device, with the wrong phase tag.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "nvqual/driver/cid_allocator.hpp"
#include "nvqual/driver/clock.hpp"
#include "nvqual/driver/command_log.hpp"
#include "nvqual/driver/dma_buffer.hpp"
#include "nvqual/driver/errors.hpp"
#include "nvqual/driver/spec/queue_entries.hpp"
#include "nvqual/driver/spec/registers.hpp"
#include "nvqual/driver/submission_times.hpp"
#include "nvqual/driver/transport.hpp"

namespace nvqual {

struct QueueGeometry {
  uint16_t qid = 0;
  uint32_t sq_entries = 2;
  uint32_t cq_entries = 2;
  uint32_t doorbell_stride = 4;  // bytes, from CAP.DSTRD
  size_t alignment = 4096;       // controller memory page size
};

class QueuePair {
 public:
  // Allocates both rings (zeroed) from the transport. The controller must not
  // be told about them until this returns.
  QueuePair(Transport& transport, Clock& clock, CommandLog* log, const QueueGeometry& geometry);

  uint16_t qid() const { return geometry_.qid; }
  const QueueGeometry& geometry() const { return geometry_; }
  uint64_t sq_iova() const { return sq_.iova(); }
  uint64_t cq_iova() const { return cq_.iova(); }

  // Commands that may be outstanding at once: one SQ slot and one CQ slot always stay empty.
  uint32_t capacity() const { return std::min(geometry_.sq_entries, geometry_.cq_entries) - 1; }
  uint32_t outstanding() const { return cids_.outstanding_count(); }
  bool full() const { return sq_next(sq_tail_) == sq_head_ || outstanding() >= capacity(); }
  // Commands post() accepts now: free SQ slots (from the last SQHD), limited by capacity.
  uint32_t free_slots() const {
    const uint32_t sq_free = (sq_head_ + geometry_.sq_entries - sq_tail_ - 1) % geometry_.sq_entries;
    return std::min(sq_free, capacity() - std::min(capacity(), outstanding()));
  }

  // Stores the entry with a fresh CID; does not ring. Throws kQueueFull.
  uint16_t post(spec::SubmissionEntry sqe) {
    if (full()) throw_queue_full();
    const auto cid = cids_.allocate();
    if (!cid) throw_queue_full();
    sqe.set_cid(*cid);
    sq_.as<spec::SubmissionEntry>()[sq_tail_] = sqe;
    slot_cid_[sq_tail_] = *cid;
    sq_tail_ = sq_next(sq_tail_);
    if (sq_tail_ == 0) ++sq_wraps_;
    if (log_ != nullptr) log_->record_submission(qid(), sqe, log_time());
    return *cid;
  }

  // Writes the SQ tail doorbell if anything was posted since the last ring.
  // The commands it covers are submitted now: their deadlines start here (one
  // coarse clock read per doorbell, not per command).
  void ring() {
    if (sq_tail_ == sq_tail_rung_) return;
    const Clock::time_point now = clock_.coarse_now();
    for (uint32_t slot = sq_tail_rung_; slot != sq_tail_; slot = sq_next(slot)) submitted_.set(slot_cid_[slot], now);
    std::atomic_thread_fence(std::memory_order_release);
    transport_.write32(sq_doorbell_, sq_tail_);
    sq_tail_rung_ = sq_tail_;
  }

  // Withdraws the entries posted since the last ring and frees their CIDs:
  // the device has not been told about them. For callers whose batch fails
  // before its doorbell, so no stale entry is submitted by a later ring.
  void discard_unrung() noexcept;

  // Consumes every completion whose phase matches, calling on_complete for
  // each, then writes the CQ head doorbell once. Throws kProtocolViolation on a
  // completion that names another SQ, an SQHD outside the queue or outside the
  // window from the last reported head to the rung tail, or a CID that is not
  // outstanding.
  template <typename OnComplete>
  uint32_t poll(OnComplete&& on_complete) {
    uint32_t consumed = 0;
    auto* ring = cq_.as<spec::CompletionEntry>();
    for (;;) {
      spec::CompletionEntry& slot = ring[cq_head_];
      const uint32_t dw3 = std::atomic_ref<uint32_t>(slot.dw3).load(std::memory_order_acquire);
      spec::CompletionEntry cqe{0, 0, 0, dw3};
      if (cqe.phase() != expected_phase_) break;
      cqe.dw0 = slot.dw0;
      cqe.dw1 = slot.dw1;
      cqe.dw2 = slot.dw2;
      // Back to the host: only a device write can put an outstanding CID here again.
      std::atomic_ref<uint32_t>(slot.dw3).store(dw3 | kHostOwnedCid, std::memory_order_relaxed);
      if (++cq_head_ == geometry_.cq_entries) {
        cq_head_ = 0;
        expected_phase_ = !expected_phase_;
        ++cq_wraps_;
      }
      accept(cqe);
      ++consumed;
      on_complete(cqe);
    }
    if (consumed != 0) {
      std::atomic_thread_fence(std::memory_order_release);  // the marks land before the device may reuse the slots
      transport_.write32(cq_doorbell_, cq_head_);
    }
    return consumed;
  }

  // Post + ring + wait for that CID. The deadline is measured on the clock.
  spec::CompletionEntry execute(const spec::SubmissionEntry& sqe, std::chrono::nanoseconds timeout);
  // Waits for a posted and rung CID until `timeout` after its submission (the
  // ring() that covered it), not after this call; completions of other CIDs
  // that arrive meanwhile are kept for their own wait(). Throws kCommandTimeout
  // with the command, CID, queue state and CSTS; kDeviceGone / kControllerFatal
  // if CSTS says so; kInvalidArgument for a CID never posted, or posted but not rung.
  // At the deadline, an entry at the CQ head with an outstanding CID but the
  // stale phase is kProtocolViolation ("completion with wrong phase tag"), not a timeout.
  spec::CompletionEntry wait(uint16_t cid, std::chrono::nanoseconds timeout);

  // For a controller that could not be stopped: both rings are given up to
  // the transport unfreed (DmaBuffer::abandon). The queue is unusable after.
  void abandon_memory() noexcept {
    sq_.abandon();
    cq_.abandon();
    list_pages_.abandon();
  }
  size_t memory_bytes() const { return sq_.size() + cq_.size() + list_pages_.size(); }
  // PRP list pages for the Controller's own transfers on this queue, one page
  // per command a batch can hold (as SPDK's trackers carry theirs): laid out
  // by Controller::fill_prps, allocated once from the controller's arena on
  // the first transfer that needs a list, and freed with the queue.
  DmaBuffer& list_pages() { return list_pages_; }
  // Where this queue's commands are logged (nullptr: nowhere). A queue driven
  // from its own thread gets its own log: CommandLog is not thread-safe.
  void set_command_log(CommandLog* log) { log_ = log; }

  // "SQ 1: head 3 tail 4 (doorbell 4) of 16; CQ 1: head 2 phase 1 of 16; 1 outstanding".
  std::string describe_state() const;

  // Times each ring wrapped to slot 0 (the CQ's phase flips with each of its wraps).
  uint64_t sq_wraps() const { return sq_wraps_; }
  uint64_t cq_wraps() const { return cq_wraps_; }
  bool expected_phase() const { return expected_phase_; }

 private:
  // Admin commands are logged with times (their latency matters in a report);
  // I/O commands are not: two clock reads would double the driver's cost per read.
  Clock::time_point log_time() const { return geometry_.qid == 0 ? clock_.now() : Clock::time_point{}; }
  uint32_t sq_next(uint32_t index) const { return index + 1 == geometry_.sq_entries ? 0 : index + 1; }
  void accept(const spec::CompletionEntry& cqe);
  std::string describe_command(uint16_t cid) const;
  [[noreturn]] void throw_queue_full() const;
  // Throws kProtocolViolation when the CQ head slot holds an outstanding CID
  // with the stale phase (see the top of this file); reads it, consumes nothing.
  void check_wrong_phase_at_head(uint16_t waited_cid) const;

  // CID FFFFh: never allocated (cid_allocator.hpp); marks a slot the host owns.
  static constexpr uint32_t kHostOwnedCid = 0xFFFF;

  Transport& transport_;
  Clock& clock_;
  CommandLog* log_;
  QueueGeometry geometry_;
  DmaBuffer sq_;
  DmaBuffer cq_;
  DmaBuffer list_pages_;
  uint32_t sq_doorbell_;
  uint32_t cq_doorbell_;
  uint32_t sq_tail_ = 0;       // next slot the host writes
  uint32_t sq_tail_rung_ = 0;  // tail value last written to the doorbell
  uint32_t sq_head_ = 0;       // from the newest completion's SQHD
  uint32_t cq_head_ = 0;
  bool expected_phase_ = true;
  uint64_t sq_wraps_ = 0;
  uint64_t cq_wraps_ = 0;
  CidAllocator cids_;
  std::vector<uint16_t> slot_cid_;            // CID last posted in each SQ slot
  SubmissionTimes submitted_;                 // ring() time of each outstanding CID
  std::vector<spec::CompletionEntry> stash_;  // completed, not yet claimed by wait()
};

}  // namespace nvqual
