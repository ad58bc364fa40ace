// Asynchronous events (NVMe Base 2.0, 5.2) and Abort (5.1).
//
// AERs are held until an event is raised. An event is reported once per
// type until the host acknowledges it by reading the log page the
// completion names with RAE clear; events of a masked type wait queued.
// The only event this controller raises is the SMART / Health temperature
// threshold crossing (5.27.1.3), when Asynchronous Event Configuration bit 1
// enables it. Abort aborts a held AER (it completes 00/07); any other command
// has completed already when Abort runs, so "not aborted" is the answer, and
// an Abort never stays outstanding, so the ACL limit (01/03) is never reached.
#include "command_fields.hpp"
#include "device.hpp"

namespace nvqual::sim {

namespace {

constexpr uint8_t kEventSmartHealth = 1;
constexpr uint8_t kEventNotice = 2;
constexpr uint8_t kInfoTemperatureThreshold = 0x01;
constexpr uint8_t kLidSmart = 0x02;
constexpr uint8_t kFidAsyncEventConfig = 0x0B;
constexpr uint32_t kAecTemperature = 1u << 1;  // SMART / Health critical warning bit 1
constexpr spec::Status kAsyncEventLimitExceeded = spec::Status::make(0x1, 0x05, false);

// 2.0 Figure 147: event type 2:0, event information 15:8, log page identifier 23:16.
uint32_t event_dw0(uint8_t type, uint8_t info, uint8_t lid) {
  uint32_t dw0 = spec::detail::set_bits<2, 0>(uint32_t{0}, type);
  dw0 = spec::detail::set_bits<15, 8>(dw0, info);
  return spec::detail::set_bits<23, 16>(dw0, lid);
}
uint8_t event_type(uint32_t dw0) { return static_cast<uint8_t>(spec::detail::get_bits<2, 0>(dw0)); }

}  // namespace

uint32_t Device::self_report_mask(const Profile& profile) {
  uint32_t mask = 0;
  for (const Fault& fault : profile.faults) {
    if (const auto* f = std::get_if<SelfReportFault>(&fault)) mask |= 1u << static_cast<unsigned>(f->effect);
  }
  return mask;
}

CommandResult Device::async_event_request(const spec::SubmissionEntry& sqe) {
  // 5.2: AERL is 0-based; one more than AERL+1 outstanding is refused.
  if (held_aers_.size() > profile_.controller.aerl && !self_report(SelfReportEffect::kAerLimitIgnored)) {
    CommandResult r;
    r.status = kAsyncEventLimitExceeded;
    return r;
  }
  held_aers_.push_back(sqe);
  deliver_events();
  CommandResult r;
  r.post = false;  // completed by deliver_events or an Abort, or never
  return r;
}

void Device::raise_event(uint8_t type, uint8_t info, uint8_t lid) {
  pending_events_.push_back(event_dw0(type, info, lid));
  if (self_report(SelfReportEffect::kAerDuplicateEvent)) pending_events_.push_back(event_dw0(type, info, lid));
  deliver_events();
}

void Device::deliver_events() {
  if (self_report(SelfReportEffect::kAerNeverCompletes)) return;
  for (auto it = pending_events_.begin(); it != pending_events_.end() && !held_aers_.empty();) {
    const uint8_t type = event_type(*it);
    if ((masked_event_types_ >> type) & 1u) {
      ++it;
      continue;
    }
    CommandResult r;
    r.dw0 = *it;
    if (self_report(SelfReportEffect::kAerWrongType)) r.dw0 = spec::detail::set_bits<2, 0>(r.dw0, kEventNotice);
    masked_event_types_ = static_cast<uint8_t>(masked_event_types_ | (1u << type));
    const spec::SubmissionEntry aer = held_aers_.front();
    held_aers_.erase(held_aers_.begin());
    it = pending_events_.erase(it);
    post_completion(0, aer, r, CompletionFaults{});
  }
}

void Device::log_read_without_rae(uint8_t lid) {
  if (lid != kLidSmart) return;  // the only log this controller's events name
  masked_event_types_ = static_cast<uint8_t>(masked_event_types_ & ~(1u << kEventSmartHealth));
  deliver_events();
}

void Device::check_temperature_event() {
  const bool beyond = temperature_beyond_thresholds();
  if (!beyond) {
    temperature_reported_ = false;  // back inside the thresholds: the next crossing is a new event
    return;
  }
  const auto aec = features_.find(kFidAsyncEventConfig);
  const bool enabled = aec != features_.end() && (aec->second & kAecTemperature) != 0;
  if (!enabled || temperature_reported_) return;
  temperature_reported_ = true;
  raise_event(kEventSmartHealth, kInfoTemperatureThreshold, kLidSmart);
}

CommandResult Device::abort_command(const spec::SubmissionEntry& sqe) {
  const auto f = fields::Abort::of(sqe);
  CommandResult r;
  if (self_report(SelfReportEffect::kAbortIgnored)) return r;  // claims "aborted" (DW0 bit 0 clear), does nothing
  r.dw0 = fields::Abort::not_aborted_result();
  if (f.sqid != 0) return r;
  for (auto it = held_aers_.begin(); it != held_aers_.end(); ++it) {
    if (it->cid() != f.cid) continue;
    const spec::SubmissionEntry victim = *it;
    held_aers_.erase(it);
    CommandResult aborted;
    aborted.status = spec::status::kAbortRequested;
    post_completion(0, victim, aborted, CompletionFaults{});
    r.dw0 = 0;  // aborted
    return r;
  }
  return r;
}

void Device::clear_async_events() {
  held_aers_.clear();
  pending_events_.clear();
  masked_event_types_ = 0;
  temperature_reported_ = false;
}

}  // namespace nvqual::sim
