// Bring-up and stop on request: disable, enable, reset, shutdown, and the
// bounded ready waits they share (NVMe Base 2.0, 3.5.1 initialization, 3.6
// shutdown). What happens when a stop fails is the stop ladder's job.
#include <algorithm>

#include <fmt/format.h>

#include "csts_wait.hpp"
#include "nvqual/driver/controller.hpp"
#include "nvqual/driver/queue_limits.hpp"
#include "queue_memory.hpp"
#include "stop_ladder.hpp"

namespace nvqual {

using std::chrono::nanoseconds;

nanoseconds Controller::ready_bound() { return ready_bound_for(cap_checked()); }

nanoseconds Controller::ready_bound_for(spec::Cap cap) {
  return detail::ready_bound_for(transport_, cap, options_.ready_slack);
}

template <typename Predicate>
nanoseconds Controller::wait_for_csts(Predicate done, nanoseconds bound, ErrorKind on_timeout, const char* what) {
  return detail::wait_for_csts(transport_, clock_, done, bound, on_timeout, what, state_);
}

Transition Controller::disable() {
  require_usable();
  const nanoseconds bound = ready_bound();
  spec::Cc config = cc();
  check_not_gone(config.raw, "CC");
  const spec::Csts status = csts();
  check_not_gone(status.raw, "CSTS");

  // EN=1 but not yet ready: the controller is still coming up. Clearing EN now
  // is undefined on some devices; wait for RDY=1 (or CFS) first. If it never
  // gets there, EN=0 is still the safest thing left: a controller left
  // enabled could go on to DMA into memory the host reuses. So the failure is
  // kept, the disable below still runs, and the failure is reported after.
  std::optional<DriverError> never_ready;
  if (config.en() == 1 && status.rdy() == 0 && status.cfs() == 0) {
    try {
      wait_for_csts([](spec::Csts s) { return s.rdy() == 1 || s.cfs() == 1; }, bound, ErrorKind::kReadyTimeout,
                    "waiting for a controller that was still coming up (CC.EN=1, CSTS.RDY=0) before disabling it");
    } catch (const DriverError& e) {
      if (e.kind() == ErrorKind::kDeviceGone) throw;  // nothing left to write to
      never_ready = e;
    }
  }
  const auto start = clock_.now();
  if (config.en() == 1) transport_.write32(spec::reg::kCc, config.set_en(0).raw);
  // EN=0 and RDY=1 is the other odd entry state (a shutdown or reset in flight): the same wait covers it.
  try {
    wait_for_csts([](spec::Csts s) { return s.rdy() == 0; }, bound, ErrorKind::kReadyTimeout,
                  "disabling the controller (CC.EN=0, waiting for CSTS.RDY=0)");
  } catch (const DriverError& e) {
    if (e.kind() == ErrorKind::kDeviceGone) throw;
    // EN=0 was not honoured in time: escalate (function-level reset, then
    // NSSR); that either stops the controller or marks it unusable.
    escalate_reset();
    const std::string text = never_ready
                                 ? fmt::format("{}; then, with CC.EN cleared anyway: {}", never_ready->what(), e.what())
                                 : e.what();
    throw DriverError(e.kind(), text + ladder_->escalation_note());
  }
  if (never_ready) {
    drop_queues();
    throw DriverError(never_ready->kind(),
                      fmt::format("{}; CC.EN was cleared anyway and CSTS.RDY read 0 within {} ms, so the controller "
                                  "is stopped",
                                  never_ready->what(), detail::ms_of(clock_.now() - start)));
  }
  const Transition result{clock_.now() - start, bound};
  last_disable_ = result;
  drop_queues();
  return result;
}

Transition Controller::enable() {
  require_usable();
  if (enabled()) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("enable() on an enabled controller (controller state {}): call reset() instead",
                                  to_string(state_)));
  }
  const spec::Cap first = cap_checked();
  const spec::Cc current = cc();
  check_not_gone(current.raw, "CC");
  if (current.en() == 1 || csts().rdy() == 1) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      "enable() needs a disabled controller (CC.EN=0, CSTS.RDY=0): call disable() or reset() first");
  }
  if (first.mpsmin() > first.mpsmax()) {
    throw DriverError(ErrorKind::kUnsupported, fmt::format("CAP.MPSMIN {} is above CAP.MPSMAX {}: no valid page size",
                                                           first.mpsmin(), first.mpsmax()));
  }
  if (!first.supports_nvm_command_set() && !first.supports_io_command_sets()) {
    throw DriverError(
        ErrorKind::kUnsupported,
        fmt::format("CAP.CSS {:#x} offers neither the NVM command set nor I/O command sets", first.css()));
  }
  const uint32_t sq_entries = options_.admin_queue_entries;
  const uint32_t cq_entries = options_.admin_cq_entries.value_or(sq_entries);
  for (uint32_t entries : {sq_entries, cq_entries}) {
    if (entries < queue_limits::kMinEntries || entries > spec::Aqa::kMaxEntries) {
      throw DriverError(ErrorKind::kInvalidArgument,
                        fmt::format("admin queue depth {} is outside {}..{} (AQA)", entries, queue_limits::kMinEntries,
                                    spec::Aqa::kMaxEntries));
    }
  }

  // The host page is 4 KiB; use it if the controller allows, else its smallest page.
  const uint32_t mps = static_cast<uint32_t>(first.mpsmin());
  const uint32_t css = first.supports_io_command_sets() ? spec::Cc::kCssAllIoSets : spec::Cc::kCssNvm;
  const spec::Cc config = spec::Cc{}
                              .set_css(css)
                              .set_mps(mps)
                              .set_ams(spec::Cc::kAmsRoundRobin)
                              .set_shn(spec::Cc::kShnNone)
                              .set_iosqes(spec::Cc::kSqEntrySizeLog2)
                              .set_iocqes(spec::Cc::kCqEntrySizeLog2);
  // CAP may change after the first CC write (NVMe Base 2.0, 3.5.1; in 2.0
  // CAP.TO follows CC.CRIME). As Linux's nvme_enable_ctrl does: write CC with
  // EN=0, read it back so the write has landed, then read CAP again and take
  // the ready bound and the queue limits from what it says now.
  transport_.write32(spec::reg::kCc, config.raw);
  check_not_gone(cc().raw, "CC");
  const spec::Cap cap = cap_checked();
  const nanoseconds bound = ready_bound_for(cap);
  page_size_ = uint64_t{1} << (12 + mps);
  cap_at_enable_ = cap;

  // Nothing above may throw once the admin queue exists: the state is
  // kEnabling from here, so every later failure goes through the catch below.
  queues_->admin = std::make_unique<QueuePair>(
      transport_, clock_, &log_,
      QueueGeometry{0, sq_entries, cq_entries, cap.doorbell_stride_bytes(), static_cast<size_t>(page_size_)});
  state_ = ControllerState::kEnabling;
  try {
    transport_.write32(spec::reg::kAqa, spec::Aqa::for_entries(sq_entries, cq_entries).raw);
    transport_.write64(spec::reg::kAsq, queues_->admin->sq_iova());
    transport_.write64(spec::reg::kAcq, queues_->admin->cq_iova());
    // Some controllers miss an EN write that closely follows a disable; a short pause is common practice.
    clock_.pause(options_.enable_pause);
    const auto start = clock_.now();
    transport_.write32(spec::reg::kCc, config.set_en(1).raw);
    wait_for_csts([](spec::Csts s) { return s.rdy() == 1; }, bound, ErrorKind::kReadyTimeout,
                  "enabling the controller (CC.EN=1, waiting for CSTS.RDY=1)");
    const spec::Csts ready = csts();
    if (ready.cfs() != 0) {
      throw DriverError(ErrorKind::kControllerFatal,
                        fmt::format("enabling the controller on {} (controller state {}): ready but with controller "
                                    "fatal status; {}",
                                    transport_.name(), to_string(state_), detail::csts_text(ready)));
    }
    const Transition result{clock_.now() - start, bound};
    last_enable_ = result;
    ++counts_.enables;
    counts_.slowest_enable = std::max(counts_.slowest_enable, result.latency);
    state_ = ControllerState::kReady;
    return result;
  } catch (...) {
    disable_after_failure();
    throw;
  }
}

Transition Controller::reset() {
  disable();
  return enable();
}

Transition Controller::shutdown() {
  require_usable();
  const spec::Cc config = cc();
  check_not_gone(config.raw, "CC");
  if (config.en() == 0 && !enabled()) {
    drop_queues();
    return {};
  }
  // RTD3E (microseconds) is the device's own estimate; many report 0 or too
  // little, so a floor applies (NVMe Base 2.0, 3.6.1).
  nanoseconds bound = options_.shutdown_floor;
  if (identity_ && identity_->rtd3e != 0) {
    bound = std::max<nanoseconds>(bound, std::chrono::microseconds(identity_->rtd3e));
  }
  // A controller found enabled without our queues has no admin queue to name:
  // its state stays kDisabled, the wait's message still says what it waits for.
  if (enabled()) state_ = ControllerState::kShuttingDown;
  const auto start = clock_.now();
  transport_.write32(spec::reg::kCc, config.set_shn(spec::Cc::kShnNormal).raw);
  wait_for_csts([](spec::Csts s) { return s.shst() == spec::Csts::kShstComplete; }, bound, ErrorKind::kShutdownTimeout,
                "shutting down (CC.SHN=01b, waiting for CSTS.SHST=10b)");
  const Transition result{clock_.now() - start, bound};
  last_shutdown_ = result;
  disable();
  return result;
}

}  // namespace nvqual
