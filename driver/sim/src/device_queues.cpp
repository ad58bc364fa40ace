// Doorbells (NVMe Base 2.0, 3.1.3 / PCIe transport 3.1.2), command fetch,
// in-flight commands and completion posting (4.6, 3.3.1).
#include <algorithm>

#include <fmt/format.h>

#include "device.hpp"

namespace nvqual::sim {

namespace {
const char* not_ready_reason(bool enabled) {
  return enabled ? "CC.EN=1 but CSTS.RDY=0: wait for RDY=1 first" : "CC.EN=0: the controller is disabled";
}
}  // namespace

bool Device::doorbell_fast_path(uint32_t offset, uint32_t value) {
  if (!accepting_.load(std::memory_order_acquire)) return false;
  const uint32_t relative = offset - spec::reg::kDoorbellBase;
  const uint32_t index = relative / doorbell_stride_;
  if (relative % doorbell_stride_ != 0 || index / 2 > profile_.queues.max_io_queues) return false;
  DoorbellState& d = doorbells_[index / 2];
  if (index % 2 == 0) {
    const uint32_t n = d.sq_entries.load(std::memory_order_acquire);
    if (n == 0 || value >= n) return false;
    const uint32_t tail = d.sq_tail.load(std::memory_order_relaxed);
    const uint32_t head = d.sq_head.load(std::memory_order_acquire);
    if ((tail + n - head) % n + (value + n - tail) % n >= n) return false;  // overrun: let the locked path say so
    d.sq_tail.store(value, std::memory_order_seq_cst);
    sq_doorbell_writes_.fetch_add(1, std::memory_order_relaxed);
    // A flag already set means the device thread has yet to clear it, and it
    // reads the tail after clearing it: no need to notify again.
    if (!d.drain_pending.load(std::memory_order_seq_cst) &&
        !d.drain_pending.exchange(true, std::memory_order_seq_cst)) {
      thread_->notify();
    }
    return true;
  }
  const uint32_t n = d.cq_entries.load(std::memory_order_acquire);
  if (n == 0 || value >= n) return false;
  const uint32_t head = d.cq_head.load(std::memory_order_relaxed);
  const uint32_t posted = (d.cq_tail.load(std::memory_order_acquire) + n - head) % n;
  if ((value + n - head) % n > posted) return false;  // maybe not posted yet: the locked path decides
  d.cq_head.store(value, std::memory_order_seq_cst);
  cq_doorbell_writes_.fetch_add(1, std::memory_order_relaxed);
  if (d.cq_pending.load(std::memory_order_seq_cst)) {
    thread_->post([this, qid = static_cast<uint16_t>(index / 2)] {
      const std::lock_guard lock(mutex_);
      if (CompletionQueue* q = cq(qid)) flush_completions(*q);
    });
  }
  return true;
}

void Device::doorbell_write(uint32_t offset, uint32_t value, Lock& lock) {
  const uint32_t relative = offset - spec::reg::kDoorbellBase;
  if (relative % doorbell_stride_ != 0) {
    violation(fmt::format("write of {} at 0x{:x} falls between doorbells (stride {} bytes from CAP.DSTRD); ignored",
                          value, offset, doorbell_stride_));
    return;
  }
  const uint32_t index = relative / doorbell_stride_;
  const uint32_t qid = index / 2;
  const bool completion = index % 2 != 0;
  if (qid > profile_.queues.max_io_queues) {
    violation(
        fmt::format("{} doorbell write at 0x{:x} is for queue {}, beyond the {} I/O queues this controller "
                    "supports; ignored",
                    completion ? "CQ head" : "SQ tail", offset, qid, profile_.queues.max_io_queues));
    return;
  }
  if (completion) {
    cq_doorbell_writes_.fetch_add(1, std::memory_order_relaxed);
    cq_head_written(static_cast<uint16_t>(qid), value);
  } else {
    sq_doorbell_writes_.fetch_add(1, std::memory_order_relaxed);
    sq_tail_written(static_cast<uint16_t>(qid), value, lock);
  }
}

void Device::sq_tail_written(uint16_t qid, uint32_t value, Lock& lock) {
  // After a fatal error the host learns of it only by reading CSTS: not its mistake.
  if (regs_.csts.cfs() != 0) return;
  if (phase_ != Phase::kReady) {
    violation(fmt::format("SQ {} tail doorbell written ({}) while the controller is not ready ({}); ignored", qid,
                          value, not_ready_reason(regs_.cc.en() != 0)));
    return;
  }
  if (regs_.csts.shst() != spec::Csts::kShstNormal) {
    violation(
        fmt::format("SQ {} tail doorbell written ({}) after a shutdown notification (CSTS.SHST={}); reset the "
                    "controller before submitting again; ignored",
                    qid, value, regs_.csts.shst()));
    return;
  }
  SubmissionQueue* q = sq(qid);
  if (q == nullptr) {
    violation(fmt::format("SQ {} tail doorbell written ({}), but SQ {} does not exist; ignored", qid, value, qid));
    return;
  }
  if (value >= q->entries) {
    violation(fmt::format("SQ {} tail doorbell value {} is beyond the queue size ({} entries); ignored", qid, value,
                          q->entries));
    return;
  }
  const uint32_t n = q->entries;
  const uint32_t queued = (q->tail() + n - q->head()) % n;
  const uint32_t added = (value + n - q->tail()) % n;
  if (queued + added >= n) {
    violation(
        fmt::format("SQ {} tail doorbell {} overruns the controller's head ({}): {} entries queued plus {} new "
                    "exceed the {} a {}-entry queue holds; ignored",
                    qid, value, q->head(), queued, added, n - 1, n));
    return;
  }
  q->doorbell.sq_tail.store(value, std::memory_order_seq_cst);
  schedule_drain(qid, lock);
}

void Device::cq_head_written(uint16_t qid, uint32_t value) {
  if (regs_.csts.cfs() != 0) return;
  if (phase_ != Phase::kReady) {
    violation(fmt::format("CQ {} head doorbell written ({}) while the controller is not ready ({}); ignored", qid,
                          value, not_ready_reason(regs_.cc.en() != 0)));
    return;
  }
  CompletionQueue* q = cq(qid);
  if (q == nullptr) {
    violation(fmt::format("CQ {} head doorbell written ({}), but CQ {} does not exist; ignored", qid, value, qid));
    return;
  }
  if (value >= q->entries) {
    violation(fmt::format("CQ {} head doorbell value {} is beyond the queue size ({} entries); ignored", qid, value,
                          q->entries));
    return;
  }
  const uint32_t released = (value + q->entries - q->head()) % q->entries;
  if (released > q->posted()) {
    violation(
        fmt::format("CQ {} head doorbell {} releases entries the controller has not posted (head {}, {} "
                    "posted); ignored",
                    qid, value, q->head(), q->posted()));
    return;
  }
  q->doorbell.cq_head.store(value, std::memory_order_seq_cst);
  flush_completions(*q);
}

void Device::flush_completions(CompletionQueue& q) { counters_.completions_posted += q.flush(); }

void Device::schedule_drain(uint16_t qid, Lock& lock) {
  if (mode_ == Mode::kInline) {
    drain(qid, lock);
    return;
  }
  if (!doorbells_[qid].drain_pending.exchange(true, std::memory_order_seq_cst)) thread_->notify();
}

size_t Device::scan_doorbells() {
  Lock lock(mutex_);
  size_t drained = 0;
  for (uint32_t qid = 0; qid <= profile_.queues.max_io_queues; ++qid) {
    DoorbellState& d = doorbells_[qid];
    // Clear the flag before reading the tail: a doorbell after this sees it clear and notifies again.
    if (d.drain_pending.load(std::memory_order_relaxed) && d.drain_pending.exchange(false, std::memory_order_seq_cst)) {
      drain(static_cast<uint16_t>(qid), lock);
      ++drained;
    }
  }
  return drained;
}

void Device::drain(uint16_t qid, Lock& lock) {
  for (;;) {
    if (!processing_allowed()) return;
    SubmissionQueue* q = sq(qid);
    if (q == nullptr || q->head() == q->tail()) return;
    switch (faults_.before_command(commands_started_)) {
      case FaultPlan::Stop::kGone:
        gone_ = true;
        update_accepting();
        return;
      case FaultPlan::Stop::kFatal:
        regs_.csts = regs_.csts.set_cfs(1);
        update_accepting();
        return;
      case FaultPlan::Stop::kNone: break;
    }
    const spec::SubmissionEntry sqe = q->fetch();
    ++commands_started_;
    (qid == 0 ? counters_.admin_commands : counters_.io_commands)[sqe.opcode()]++;
    const size_t slot = start_command(qid, sqe);
    const auto delay = in_flight_[slot].faults.delay;  // slow-completion
    const auto latency = profile_.timing.command_latency + delay;
    if (mode_ == Mode::kInline && delay.count() > 0) {
      // Inline commands run inside the doorbell write: the device spends the
      // delay there, on its Clock (a VirtualClock moves on at once), so the
      // host sees the completion that much later than its submission.
      const auto until = clock_.now() + delay;
      while (clock_.now() < until) clock_.pause(until - clock_.now());
    }
    if (mode_ == Mode::kThreaded && latency.count() > 0) {
      InFlight& c = in_flight_[slot];
      if (!c.timer) c.timer = std::make_unique<DeviceThread::Timer>(*thread_);
      c.timer->start(latency, [this, slot, id = c.id] {
        Lock timer_lock(mutex_);
        if (slot < in_flight_.size() && in_flight_[slot].id == id) run_command(slot, timer_lock);
      });
      continue;
    }
    run_command(slot, lock);
  }
}

void Device::update_accepting() {
  accepting_.store(
      phase_ == Phase::kReady && !gone_ && regs_.csts.cfs() == 0 && regs_.csts.shst() == spec::Csts::kShstNormal,
      std::memory_order_release);
}

size_t Device::start_command(uint16_t sqid, const spec::SubmissionEntry& sqe) {
  size_t slot;
  if (free_slots_.empty()) {
    slot = in_flight_.size();
    in_flight_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  InFlight& c = in_flight_[slot];
  c.id = next_command_id_++;
  c.sqid = sqid;
  c.sqe = sqe;
  c.faults = faults_.for_command(sqid, sqe);
  c.page_size = page_size_;
  c.transferring = false;
  ++in_flight_count_;
  counters_.max_in_flight = std::max<uint64_t>(counters_.max_in_flight, in_flight_count_);
  return slot;
}

void Device::run_command(size_t slot, Lock& lock) {
  // Copies: in_flight_ may grow (and move) while the lock is released.
  const uint64_t id = in_flight_[slot].id;
  const uint16_t sqid = in_flight_[slot].sqid;
  const spec::SubmissionEntry sqe = in_flight_[slot].sqe;
  const uint64_t page_size = in_flight_[slot].page_size;
  const std::optional<spec::Status> replaced = in_flight_[slot].faults.status;
  CommandResult result;
  if (replaced) {
    result.status = *replaced;  // the fault replaces the command: nothing runs
  } else if (sqid == 0) {
    // Admin commands run under the lock, one at a time: the flag cannot leak into another command.
    skip_admin_transfer_ = in_flight_[slot].faults.no_data;
    result = execute_admin(sqe);
    skip_admin_transfer_ = false;
  } else {
    in_flight_[slot].transferring = true;
    ++transfers_running_;
    lock.unlock();
    result = execute_io(sqe, page_size, sqid);
    lock.lock();
    --transfers_running_;
    in_flight_[slot].transferring = false;
    transfers_done_.notify_all();
  }
  finish_command(slot, id, result);
}

void Device::finish_command(size_t slot, uint64_t id, const CommandResult& result) {
  if (in_flight_[slot].id != id) return;  // discarded by a reset or an SQ deletion
  const uint16_t sqid = in_flight_[slot].sqid;
  const spec::SubmissionEntry sqe = in_flight_[slot].sqe;
  const CompletionFaults faults = in_flight_[slot].faults;
  release_slot(slot);
  if (result.bytes_read != 0) {
    units_read_ += result.bytes_read / 512;
    ++host_reads_;
  }
  if (result.post) post_completion(sqid, sqe, result, faults);
}

void Device::release_slot(size_t slot) {
  InFlight& c = in_flight_[slot];
  if (c.timer) c.timer->cancel();
  c.id = 0;
  free_slots_.push_back(slot);
  --in_flight_count_;
}

void Device::post_completion(uint16_t sqid, const spec::SubmissionEntry& sqe, const CommandResult& result,
                             const CompletionFaults& faults) {
  SubmissionQueue* q = sq(sqid);
  CompletionQueue* target = q != nullptr ? cq(q->cqid) : nullptr;
  if (target == nullptr) return;  // the queue went away (reset): the command vanishes with it
  if (faults.drop) {
    ++counters_.completions_dropped;
    return;
  }
  spec::CompletionEntry cqe{};
  cqe.dw0 = result.dw0;
  const uint16_t outside = static_cast<uint16_t>(std::min<uint32_t>(q->entries, 0xFFFF));
  uint32_t sqhd = q->head();
  if (sqid == 0 && stale_admin_sqhd_) {  // stale-sqhd-after-reset: the head before this command's fetch
    sqhd = (sqhd + q->entries - 1) % q->entries;
    stale_admin_sqhd_ = false;
  }
  if (faults.stale_sqhd) sqhd = (sqhd + q->entries - 1) % q->entries;  // stale-sqhd
  cqe.set_sqhd(faults.wrong_sqhd ? faults.sqhd.value_or(outside) : static_cast<uint16_t>(sqhd));
  cqe.set_sqid(faults.sqid.value_or(sqid));
  cqe.set_cid(sqe.cid());
  cqe.set_status(result.status);
  if (!result.status.ok()) record_error(sqid, sqe, result, target->phase());
  PendingCompletion completion{cqe, faults.wrong_phase};
  hostile_.completion(completion);  // hostile mode: any field may lie
  counters_.completions_posted += target->deliver(completion);
  if (faults.duplicate) counters_.completions_posted += target->deliver({cqe, false});
}

void Device::record_error(uint16_t sqid, const spec::SubmissionEntry& sqe, const CommandResult& result, bool phase) {
  ErrorLogEntry e;
  e.error_count = ++error_count_;
  e.sqid = sqid;
  e.cid = self_report(SelfReportEffect::kErrorLogWrongCid) ? static_cast<uint16_t>(sqe.cid() + 1) : sqe.cid();
  e.phase_tag = phase;
  e.status = result.status;
  e.parm_error_location = 0xFFFF;
  e.lba = result.lba;
  e.nsid = sqe.nsid;
  if (self_report(SelfReportEffect::kErrorLogMissesFailures)) return;  // counted (SMART), never written
  error_log_.push_front(e);
  if (error_log_.size() > size_t{profile_.controller.elpe} + 1) error_log_.pop_back();
}

void Device::abort_in_flight(uint16_t sqid) {
  for (size_t slot = 0; slot < in_flight_.size(); ++slot) {
    InFlight& c = in_flight_[slot];
    if (c.id == 0 || c.sqid != sqid || c.transferring) continue;
    const spec::SubmissionEntry sqe = c.sqe;
    release_slot(slot);
    CommandResult aborted;
    aborted.status = spec::Status::make(spec::status::kAbortedSqDeletion.sct(), spec::status::kAbortedSqDeletion.sc());
    post_completion(sqid, sqe, aborted, CompletionFaults{});
  }
}

void Device::discard_in_flight() {
  for (size_t slot = 0; slot < in_flight_.size(); ++slot) {
    if (in_flight_[slot].id != 0) release_slot(slot);
  }
}

}  // namespace nvqual::sim
