// The CC/CSTS state machine a register write drives (NVMe Base 2.0: 3.5
// initialization, 3.6 shutdown, 3.7.2 controller reset, 3.7.3 function-level
// reset). Latencies are measured on the injected Clock and applied lazily on
// each access, so a VirtualClock that the driver's waits advance makes every
// wait instant.
#include <fmt/format.h>

#include "device.hpp"

namespace nvqual::sim {

namespace {

using spec::Cc;
using spec::Csts;

// CC with every reserved bit cleared (bits 3:1 and 31:25 read 0).
Cc defined_fields(Cc v) {
  return Cc{}
      .set_en(v.en())
      .set_css(v.css())
      .set_mps(v.mps())
      .set_ams(v.ams())
      .set_shn(v.shn())
      .set_iosqes(v.iosqes())
      .set_iocqes(v.iocqes())
      .set_crime(v.crime());
}

}  // namespace

void Device::write_cc(Cc written, Lock& lock) {
  const Cc old = regs_.cc;
  Cc value = defined_fields(written);
  if (value.raw != written.raw) {
    violation(fmt::format("CC written with 0x{:x}: reserved bits 3:1 or 31:25 set; they read 0", written.raw));
  }
  if (value.crime() != 0 && (regs_.cap.crms() & 0x2) == 0) {
    violation("CC.CRIME=1 but CAP.CRMS.CRIMS=0 (ready-independent-of-media not supported); CRIME reads 0");
    value = value.set_crime(0);
  }
  const auto now = clock_.now();

  if (old.en() != 0 && value.en() != 0) {
    // Enabled: only SHN may change. 3.1.3.5: MPS, AMS, CSS change only while EN=0.
    struct Field {
      const char* name;
      uint32_t before, after;
    };
    const Field fixed[] = {{"CSS", old.css(), value.css()},          {"MPS", old.mps(), value.mps()},
                           {"AMS", old.ams(), value.ams()},          {"IOSQES", old.iosqes(), value.iosqes()},
                           {"IOCQES", old.iocqes(), value.iocqes()}, {"CRIME", old.crime(), value.crime()}};
    for (const auto& f : fixed) {
      if (f.before != f.after) {
        violation(fmt::format("CC.{} changed from {} to {} while CC.EN=1; ignored (change it only while disabled)",
                              f.name, f.before, f.after));
      }
    }
    regs_.cc = old.set_shn(value.shn());
    if (value.shn() != Cc::kShnNone && old.shn() == Cc::kShnNone) start_shutdown();
    advance(lock);
    return;
  }

  if (old.en() == 0 && value.en() == 0) {
    regs_.cc = value;
    if (value.shn() != Cc::kShnNone && old.shn() == Cc::kShnNone) start_shutdown();
    advance(lock);
    return;
  }

  if (old.en() != 0) {  // 1 -> 0: controller reset
    const auto waited = now - phase_since_;
    if (phase_ == Phase::kEnabling && !faults_.never_ready() && waited < regs_.cap.ready_timeout()) {
      violation(fmt::format(
          "CC.EN cleared {} us after it was set, while CSTS.RDY=0 and before CAP.TO ({} ms) "
          "expired; wait for RDY=1 (or CFS=1) before disabling",
          std::chrono::duration_cast<std::chrono::microseconds>(waited).count(), regs_.cap.ready_timeout().count()));
    }
    const bool was_ready = phase_ == Phase::kReady;
    controller_reset(lock);
    regs_.cc = value;
    phase_ = was_ready ? Phase::kDisabling : Phase::kDisabled;
    phase_since_ = now;
    advance(lock);
    return;
  }

  // 0 -> 1: enable.
  if (phase_ == Phase::kDisabling) {
    violation("CC.EN set to 1 while CSTS.RDY is still 1 from the previous disable; wait for RDY=0 first");
  }
  regs_.cc = value;
  phase_since_ = now;
  if (faults_.fatal_at_enable()) {
    regs_.csts = regs_.csts.set_cfs(1);
    phase_ = Phase::kEnableFailed;
    update_accepting();
    return;
  }
  phase_ = enable_checks_pass() ? Phase::kEnabling : Phase::kEnableFailed;
  advance(lock);
}

// 3.5.1: what the host must have programmed before EN=1. A failure keeps
// CSTS.RDY at 0 (as QEMU does), after recording why.
bool Device::enable_checks_pass() {
  const Cc cc = regs_.cc;
  const spec::Cap cap = regs_.cap;
  bool ok = true;
  const auto fail = [&](std::string why) {
    violation("CC.EN=1 with " + why + "; the controller stays not ready");
    ok = false;
  };
  if (cc.mps() < cap.mpsmin() || cc.mps() > cap.mpsmax()) {
    fail(fmt::format("CC.MPS={} outside CAP.MPSMIN..MPSMAX ({}..{})", cc.mps(), cap.mpsmin(), cap.mpsmax()));
  }
  if (!cap.offers_cc_css(cc.css()))
    fail(fmt::format("CC.CSS={} that CAP.CSS (0x{:x}) does not offer", cc.css(), cap.css()));
  const bool ams_ok = cc.ams() == Cc::kAmsRoundRobin || (cc.ams() == 1 && (cap.ams() & 0x1) != 0) ||
                      (cc.ams() == 7 && (cap.ams() & 0x2) != 0);
  if (!ams_ok) fail(fmt::format("CC.AMS={} that CAP.AMS (0x{:x}) does not offer", cc.ams(), cap.ams()));
  if (cc.iosqes() != Cc::kSqEntrySizeLog2 || cc.iocqes() != Cc::kCqEntrySizeLog2) {
    violation(
        fmt::format("CC.EN=1 with CC.IOSQES={} and CC.IOCQES={}; set 6 and 4 (64- and 16-byte entries, "
                    "Identify SQES/CQES) before enabling",
                    cc.iosqes(), cc.iocqes()));
  }
  if (regs_.aqa.asqs() == 0 || regs_.aqa.acqs() == 0) {
    fail(fmt::format("AQA 0x{:x}: an admin queue needs at least 2 entries (ASQS and ACQS are 0-based)", regs_.aqa.raw));
  }
  if (regs_.asq.raw == 0) fail("ASQ=0; program the admin submission queue base first");
  if (regs_.acq.raw == 0) fail("ACQ=0; program the admin completion queue base first");
  const uint64_t page = cc.page_size();
  if (regs_.asq.raw % page != 0)
    fail(fmt::format("ASQ 0x{:x} not aligned to the {}-byte memory page (CC.MPS)", regs_.asq.raw, page));
  if (regs_.acq.raw % page != 0)
    fail(fmt::format("ACQ 0x{:x} not aligned to the {}-byte memory page (CC.MPS)", regs_.acq.raw, page));
  if (!ok) return false;

  QueueMemoryResult sq_memory, cq_memory;
  {
    const std::lock_guard dma(dma_mutex_);
    sq_memory = map_queue_memory(iova_, regs_.asq.address(), size_t{regs_.aqa.sq_entries()} * 64, true, page);
    cq_memory = map_queue_memory(iova_, regs_.acq.address(), size_t{regs_.aqa.cq_entries()} * 16, true, page);
  }
  if (!sq_memory.status.ok()) fail("the admin submission " + sq_memory.violation);
  if (!cq_memory.status.ok()) fail("the admin completion " + cq_memory.violation);
  if (!ok) return false;

  page_size_ = page;
  cqs_[0] = std::make_unique<CompletionQueue>(0, regs_.aqa.cq_entries(), regs_.acq.address(),
                                              std::move(cq_memory.memory), doorbells_[0]);
  cqs_[0]->attached_sqs = 1;
  sqs_[0] = std::make_unique<SubmissionQueue>(0, 0, regs_.aqa.sq_entries(), regs_.asq.address(),
                                              std::move(sq_memory.memory), doorbells_[0]);
  return true;
}

void Device::start_shutdown() {
  regs_.csts = regs_.csts.set_shst(Csts::kShstOccurring);
  // A normal shutdown commits the volatile write cache (NVM Base 2.0, 3.6.2).
  if (!has_write_fault(WriteMediaEffect::kFlushDoesNothing)) {
    for (auto& ns : media_) ns.written().flush();
  }
  shutdown_pending_ = true;
  shutdown_since_ = clock_.now();
}

void Device::controller_reset(Lock& lock) {
  accepting_.store(false, std::memory_order_release);  // doorbells take the locked path from here
  // Let running data transfers end: after a reset the controller must not
  // touch host memory, so the host may free it.
  transfers_done_.wait(lock, [&] { return transfers_running_ == 0; });
  discard_in_flight();
  // power-loss fault: the reset stands for a power cycle, and the cache is gone.
  if (has_write_fault(WriteMediaEffect::kPowerLoss)) {
    for (auto& ns : media_) ns.written().lose_unflushed();
  }
  stale_admin_sqhd_ = faults_.stale_sqhd_after_reset();
  faults_.on_reset();
  for (auto& q : sqs_) q.reset();
  for (auto& q : cqs_) q.reset();
  granted_sqs_ = profile_.queues.max_io_queues;
  granted_cqs_ = profile_.queues.max_io_queues;
  io_queues_created_ = false;
  features_.clear();
  // Volatile Write Cache and Timestamp go back to their defaults too: WCE on,
  // the Timestamp 0 with origin 000b ("initialized to 0 by a Controller Level Reset").
  write_cache_enabled_.store(true, std::memory_order_release);
  timestamp_base_ms_ = 0;
  timestamp_since_ = clock_.now();
  timestamp_set_by_host_ = false;
  clear_async_events();
  shutdown_pending_ = false;
  regs_.intms = 0;
  regs_.csts = Csts{}.set_nssro(regs_.csts.nssro());  // NSSRO survives a controller reset
  ++counters_.resets;
}

bool Device::function_level_reset() {
  Lock lock(mutex_);
  // A device that fell off the bus cannot be reset: say so, as VFIO_DEVICE_RESET
  // fails there, rather than claim a reset that stopped nothing.
  if (gone_) return false;
  controller_reset(lock);
  power_on_registers();
  update_accepting();
  return true;
}

}  // namespace nvqual::sim
