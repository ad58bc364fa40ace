// The admin command set (NVMe Base 2.0, section 5) with the statuses a
// strict controller returns. Runs with mutex_ held (queue tables change).
#include <algorithm>

#include <fmt/format.h>

#include "command_fields.hpp"
#include "device.hpp"
#include "nvqual/driver/command_log.hpp"
#include "prp_walker.hpp"

namespace nvqual::sim {

namespace {

using spec::AdminOpcode;
using spec::SubmissionEntry;
namespace st = spec::status;

constexpr spec::Status kFeatureNotSaveable = spec::Status::make(0x1, 0x0D);

// Errors of the command itself: retrying the same command cannot succeed
// (DNR), except a data transfer error, which a retry might not meet.
CommandResult rejected(spec::Status s) {
  CommandResult r;
  r.status = spec::Status::make(s.sct(), s.sc(), !s.same_code(st::kDataTransferError));
  return r;
}

}  // namespace

CommandResult Device::execute_admin(const SubmissionEntry& sqe) {
  if (sqe.fuse() != 0) return rejected(st::kInvalidField);  // Identify FUSES=0: no fused operations
  if (sqe.psdt() != 0) return rejected(st::kInvalidField);  // admin commands use PRPs on PCIe
  switch (static_cast<AdminOpcode>(sqe.opcode())) {
    case AdminOpcode::kDeleteIoSq: return delete_io_sq(sqe);
    case AdminOpcode::kCreateIoSq: return create_io_sq(sqe);
    case AdminOpcode::kGetLogPage: return get_log_page(sqe);
    case AdminOpcode::kDeleteIoCq: return delete_io_cq(sqe);
    case AdminOpcode::kCreateIoCq: return create_io_cq(sqe);
    case AdminOpcode::kIdentify: return identify(sqe);
    case AdminOpcode::kAbort: return abort_command(sqe);
    case AdminOpcode::kSetFeatures: return set_features(sqe);
    case AdminOpcode::kGetFeatures: return get_features(sqe);
    case AdminOpcode::kAsyncEventRequest: return async_event_request(sqe);
    default:
      // Media-changing and optional commands (Format, Firmware, Sanitize,
      // Namespace Management, Self-test...) are not supported: OACS says so.
      return rejected(st::kInvalidOpcode);
  }
}

CommandResult Device::transfer_to_host(const SubmissionEntry& sqe, std::span<const std::byte> data, size_t length,
                                       uint64_t page_size) {
  thread_local std::vector<std::span<std::byte>> segments;
  const std::lock_guard dma(dma_mutex_);
  const PrpOutcome outcome = walk_prps(iova_, sqe.prp1, sqe.prp2, length, page_size, segments);
  if (!outcome.ok()) {
    violation(fmt::format("{} (CID {}): {}", opcode_name(0, sqe.opcode()), sqe.cid(), outcome.violation));
    return rejected(outcome.status);
  }
  if (skip_admin_transfer_) return {};  // no-data-transfer fault: success, host memory untouched
  if (transfer_faults_.prp1_only(true) && segments.size() > 1) segments.resize(1);  // prp1-only fault
  // Data first, zeros after it (a transfer longer than the structure).
  size_t done = 0;
  for (const auto& segment : segments) {
    const size_t from_data = done < data.size() ? std::min(segment.size(), data.size() - done) : 0;
    std::copy_n(data.data() + done, from_data, segment.data());
    std::fill(segment.begin() + static_cast<std::ptrdiff_t>(from_data), segment.end(), std::byte{0});
    done += segment.size();
  }
  hostile_.admin_data(segments);  // hostile mode: Identify and log data may lie
  return {};
}

// ---- queues (5.4 - 5.7) ---------------------------------------------------

CommandResult Device::create_io_cq(const SubmissionEntry& sqe) {
  const auto f = fields::CreateIoCq::of(sqe);
  if (f.qid == 0 || f.qid > granted_cqs_ || cq(f.qid) != nullptr) return rejected(st::kInvalidQueueIdentifier);
  if (f.qsize == 0 || f.qsize > regs_.cap.mqes()) return rejected(st::kInvalidQueueSize);
  if (sqe.prp1 % page_size_ != 0) {
    violation(
        fmt::format("Create I/O CQ {}: PRP1 0x{:x} is not aligned to the {}-byte memory page; a queue base "
                    "must be page aligned",
                    f.qid, sqe.prp1, page_size_));
    return rejected(st::kPrpOffsetInvalid);
  }
  if (!f.pc && regs_.cap.cqr() != 0) return rejected(st::kInvalidField);
  if (f.ien && f.iv >= profile_.queues.interrupt_vectors) return rejected(st::kInvalidInterruptVector);
  const uint32_t entries = uint32_t{f.qsize} + 1;
  QueueMemoryResult mapped;
  {
    const std::lock_guard dma(dma_mutex_);
    mapped = map_queue_memory(iova_, sqe.prp1, size_t{entries} * sizeof(spec::CompletionEntry), f.pc, page_size_);
  }
  if (!mapped.status.ok()) {
    violation(fmt::format("Create I/O CQ {}: {}", f.qid, mapped.violation));
    return rejected(mapped.status);
  }
  auto q = std::make_unique<CompletionQueue>(f.qid, entries, sqe.prp1, std::move(mapped.memory), doorbells_[f.qid]);
  q->interrupts = f.ien;
  q->vector = f.iv;
  cqs_[f.qid] = std::move(q);
  io_queues_created_ = true;
  return {};
}

CommandResult Device::create_io_sq(const SubmissionEntry& sqe) {
  const auto f = fields::CreateIoSq::of(sqe);
  if (f.qid == 0 || f.qid > granted_sqs_ || sq(f.qid) != nullptr) return rejected(st::kInvalidQueueIdentifier);
  // 2.0 5.5: CQID 0 (the admin CQ) is an invalid identifier; a CQ that does not exist is an invalid CQ.
  if (f.cqid == 0) return rejected(st::kInvalidQueueIdentifier);
  if (cq(f.cqid) == nullptr) return rejected(st::kCompletionQueueInvalid);
  if (f.qsize == 0 || f.qsize > regs_.cap.mqes()) return rejected(st::kInvalidQueueSize);
  if (sqe.prp1 % page_size_ != 0) {
    violation(
        fmt::format("Create I/O SQ {}: PRP1 0x{:x} is not aligned to the {}-byte memory page; a queue base "
                    "must be page aligned",
                    f.qid, sqe.prp1, page_size_));
    return rejected(st::kPrpOffsetInvalid);
  }
  if (!f.pc && regs_.cap.cqr() != 0) return rejected(st::kInvalidField);
  const uint32_t entries = uint32_t{f.qsize} + 1;
  QueueMemoryResult mapped;
  {
    const std::lock_guard dma(dma_mutex_);
    mapped = map_queue_memory(iova_, sqe.prp1, size_t{entries} * sizeof(SubmissionEntry), f.pc, page_size_);
  }
  if (!mapped.status.ok()) {
    violation(fmt::format("Create I/O SQ {}: {}", f.qid, mapped.violation));
    return rejected(mapped.status);
  }
  sqs_[f.qid] = std::make_unique<SubmissionQueue>(f.qid, f.cqid, entries, sqe.prp1, std::move(mapped.memory),
                                                  doorbells_[f.qid]);
  ++cqs_[f.cqid]->attached_sqs;
  io_queues_created_ = true;
  return {};
}

CommandResult Device::delete_io_sq(const SubmissionEntry& sqe) {
  const uint16_t qid = fields::delete_qid(sqe);
  if (qid == 0 || sq(qid) == nullptr) return rejected(st::kInvalidQueueIdentifier);
  // 5.6: commands of the queue are completed (here: aborted) before the deletion completes.
  abort_in_flight(qid);
  --cqs_[sqs_[qid]->cqid]->attached_sqs;
  sqs_[qid].reset();
  return {};
}

CommandResult Device::delete_io_cq(const SubmissionEntry& sqe) {
  const uint16_t qid = fields::delete_qid(sqe);
  if (qid == 0 || cq(qid) == nullptr) return rejected(st::kInvalidQueueIdentifier);
  if (cqs_[qid]->attached_sqs != 0) return rejected(st::kInvalidQueueDeletion);
  cqs_[qid].reset();
  return {};
}

// ---- Identify (5.17) ----------------------------------------------------------

CommandResult Device::identify(const SubmissionEntry& sqe) {
  const auto f = fields::Identify::of(sqe);
  const uint32_t nsid = sqe.nsid;
  const uint32_t nn = profile_.controller.nn;
  std::vector<std::byte> built;
  const std::vector<std::byte>* page = nullptr;
  switch (static_cast<spec::Cns>(f.cns)) {
    case spec::Cns::kNamespace:
      // FFFFFFFFh would ask for common capabilities, which needs Namespace Management (OACS bit 3).
      if (nsid == 0 || nsid > nn) return rejected(st::kInvalidNamespace);
      page = identify_.namespace_page(nsid);
      if (page == nullptr) {  // 5.17.2.1: an inactive NSID returns a zero-filled structure
        built.assign(kIdentifyPageSize, std::byte{0});
        page = &built;
      }
      break;
    case spec::Cns::kController: page = &identify_.controller(); break;
    case spec::Cns::kActiveNamespaceList:
      if (nsid >= 0xFFFFFFFE) return rejected(st::kInvalidNamespace);
      built = identify_.active_list(nsid);
      page = &built;
      break;
    case spec::Cns::kNamespaceDescriptorList:
      page = identify_.descriptors(nsid);
      if (page == nullptr) return rejected(st::kInvalidNamespace);
      break;
    default: return rejected(st::kInvalidField);
  }
  return transfer_to_host(sqe, *page, kIdentifyPageSize, page_size_);
}

// ---- Get Log Page (5.16) ------------------------------------------------------

std::vector<std::byte> Device::error_log_bytes() const {
  std::vector<ErrorLogEntry> entries(error_log_.begin(), error_log_.end());
  entries.resize(size_t{profile_.controller.elpe} + 1);  // unused entries are zero
  return encode_error_log(entries);
}

std::vector<std::byte> Device::smart_log_bytes() const {
  const HealthProfile& h = profile_.health;
  SmartLog log;
  // Figure 207 Critical Warning: bit 0 spare below threshold, bit 1 temperature.
  uint8_t warning = 0;
  if (h.available_spare < h.spare_threshold) warning = spec::detail::set_bits<0, 0>(warning, 1);
  if (temperature_beyond_thresholds()) warning = spec::detail::set_bits<1, 1>(warning, 1);
  log.critical_warning = warning;
  log.composite_temperature = h.temperature;
  log.avail_spare = h.available_spare;
  log.spare_thresh = h.spare_threshold;
  log.percent_used = h.percentage_used;
  if (!self_report(SelfReportEffect::kSmartCountersFrozen)) {
    log.data_units_read = Uint128{(units_read_ + 999) / 1000, 0};  // thousands of 512-byte units, rounded up
    log.host_reads = Uint128{host_reads_, 0};
  }
  if (self_report(SelfReportEffect::kMediaErrorsGrow)) log.media_errors = Uint128{host_reads_, 0};
  log.power_cycles = Uint128{h.power_cycles, 0};
  log.power_on_hours = Uint128{h.power_on_hours, 0};
  log.num_err_log_entries = Uint128{error_count_, 0};
  log.temp_sensor[0] = h.temperature;
  return encode_smart_log(log);
}

std::vector<std::byte> Device::firmware_slot_log_bytes() const {
  FirmwareSlotLog log;
  log.afi = 0x01;  // running from slot 1, no pending activation
  log.frs[0] = profile_.controller.firmware;
  return encode_firmware_slot_log(log);
}

CommandResult Device::get_log_page(const SubmissionEntry& sqe) {
  const auto f = fields::GetLogPage::of(sqe);
  std::vector<std::byte> log;
  switch (static_cast<spec::LogPage>(f.lid)) {
    case spec::LogPage::kErrorInformation: log = error_log_bytes(); break;
    case spec::LogPage::kSmartHealth:
      // Per-namespace SMART data needs LPA bit 0; controller-wide is NSID 0 or FFFFFFFFh.
      if (sqe.nsid != 0 && sqe.nsid != 0xFFFFFFFF) {
        if ((profile_.controller.lpa & 0x1) == 0) return rejected(st::kInvalidField);
        if (media(sqe.nsid) == nullptr) return rejected(st::kInvalidNamespace);
      }
      log = smart_log_bytes();
      break;
    case spec::LogPage::kFirmwareSlot: log = firmware_slot_log_bytes(); break;
    case spec::LogPage::kChangedNamespaceList:
      if ((profile_.controller.oaes & 0x100) == 0) return rejected(st::kInvalidLogPage);  // no NS attribute notices
      log = changed_namespace_log_bytes();
      break;
    case spec::LogPage::kCommandsSupportedAndEffects:
      if ((profile_.controller.lpa & 0x2) == 0) return rejected(st::kInvalidLogPage);
      log = effects_log_bytes();
      break;
    default: return rejected(st::kInvalidLogPage);
  }
  if (f.offset % 4 != 0 || f.offset >= log.size()) return rejected(st::kInvalidField);
  const uint64_t bytes = f.dwords * 4;
  const uint64_t limit = max_transfer_bytes();
  if (limit != 0 && bytes > limit) return rejected(st::kInvalidField);
  const std::span<const std::byte> from_offset = std::span<const std::byte>(log).subspan(f.offset);
  CommandResult r = transfer_to_host(sqe, from_offset, bytes, page_size_);
  if (r.status.ok() && !f.rae) log_read_without_rae(f.lid);
  return r;
}

// ---- Features (5.27, 5.28) ------------------------------------------------------

namespace {
constexpr uint8_t kFidArbitration = 0x01;
constexpr uint8_t kFidPowerManagement = 0x02;
constexpr uint8_t kFidTemperature = 0x04;
constexpr uint8_t kFidErrorRecovery = 0x05;
constexpr uint8_t kFidVolatileWriteCache = 0x06;
constexpr uint8_t kFidNumberOfQueues = 0x07;
constexpr uint8_t kFidInterruptCoalescing = 0x08;
constexpr uint8_t kFidInterruptVector = 0x09;
constexpr uint8_t kFidWriteAtomicity = 0x0A;
constexpr uint8_t kFidAsyncEvent = 0x0B;
constexpr uint8_t kFidTimestamp = 0x0E;
constexpr size_t kTimestampBytes = 8;
}  // namespace

// The granted counts, 0-based, as Number of Queues reports them (overstated
// by the overstate-queues fault; Create I/O SQ/CQ still use the real grant).
uint32_t Device::reported_queue_counts() const {
  const auto reported = [&](uint16_t granted) {
    return static_cast<uint16_t>(std::min<uint32_t>(uint32_t{granted} - 1 + faults_.overstated_queues(), 0xFFFE));
  };
  return fields::NumberOfQueues{reported(granted_sqs_), reported(granted_cqs_)}.encode();
}

CommandResult Device::get_features(const SubmissionEntry& sqe) {
  const auto f = fields::Features::of(sqe);
  if (f.select > fields::Features::kSelectCapabilities) return rejected(st::kInvalidField);
  uint32_t key = f.fid;
  uint32_t default_value = 0;
  switch (f.fid) {
    case kFidArbitration:
    case kFidPowerManagement:
    case kFidErrorRecovery:
    case kFidInterruptCoalescing:
    case kFidWriteAtomicity:
    case kFidAsyncEvent: break;
    case kFidVolatileWriteCache:
      if ((profile_.controller.vwc & 0x1) == 0) return rejected(st::kInvalidField);
      default_value = 1;  // WCE: the cache is enabled until a host disables it
      break;
    case kFidTimestamp: {
      if (!timestamp_supported()) return rejected(st::kInvalidField);
      if (f.select == fields::Features::kSelectCapabilities) {
        CommandResult r;
        r.dw0 = fields::feature_capabilities(false, false, true);
        return r;
      }
      // Not saveable: default and saved read 0 (origin 000b); current counts on.
      std::array<std::byte, kTimestampBytes> data{};
      if (f.select == fields::Features::kSelectCurrent) data = timestamp_data();
      return transfer_to_host(sqe, data, kTimestampBytes, page_size_);
    }
    case kFidTemperature: {
      const auto t = fields::TemperatureThreshold::of(sqe.cdw11);
      key = fields::feature_key(f.fid, t.selector());
      const bool composite_over = t.sensor == 0 && t.type == 0;
      default_value = t.with_kelvin(composite_over ? profile_.controller.wctemp : 0);
      break;
    }
    case kFidNumberOfQueues: {
      const uint16_t max = static_cast<uint16_t>(profile_.queues.max_io_queues - 1);
      default_value = fields::NumberOfQueues{max, max}.encode();
      CommandResult r;
      r.dw0 = f.select == fields::Features::kSelectCurrent ? reported_queue_counts() : default_value;
      if (f.select == fields::Features::kSelectCapabilities) r.dw0 = fields::feature_capabilities(false, false, true);
      return r;
    }
    case kFidInterruptVector: {
      const uint16_t iv = fields::interrupt_vector(sqe.cdw11);
      if (iv >= profile_.queues.interrupt_vectors) return rejected(st::kInvalidField);
      key = fields::feature_key(f.fid, iv);
      default_value = iv;
      break;
    }
    default: return rejected(st::kInvalidField);
  }
  CommandResult r;
  if (f.select == fields::Features::kSelectCapabilities) {
    r.dw0 = fields::feature_capabilities(feature_saveable(f.fid), false, true);
  } else if (f.select == fields::Features::kSelectCurrent) {
    const auto it = features_.find(key);
    r.dw0 = it != features_.end() ? it->second : saved_feature(key, default_value);
  } else if (f.select == fields::Features::kSelectSaved) {
    r.dw0 = saved_feature(key, default_value);  // never saved: the default
  } else {
    r.dw0 = default_value;
  }
  return r;
}

CommandResult Device::set_features(const SubmissionEntry& sqe) {
  const auto f = fields::Features::of(sqe);
  if (f.save && !feature_saveable(f.fid)) return rejected(kFeatureNotSaveable);
  if (self_report(SelfReportEffect::kFeaturesForget) && f.fid != kFidNumberOfQueues) return {};
  switch (f.fid) {
    case kFidNumberOfQueues: {
      // 5.27.1.5: fixed once I/O queues exist; counts are 0-based; FFFFh is invalid.
      if (io_queues_created_) return rejected(st::kCommandSequenceError);
      const auto asked = fields::NumberOfQueues::of(sqe.cdw11);
      if (asked.sqs == 0xFFFF || asked.cqs == 0xFFFF) return rejected(st::kInvalidField);
      const uint32_t max = profile_.queues.max_io_queues;
      granted_sqs_ = static_cast<uint16_t>(std::min<uint32_t>(uint32_t{asked.sqs} + 1, max));
      granted_cqs_ = static_cast<uint16_t>(std::min<uint32_t>(uint32_t{asked.cqs} + 1, max));
      CommandResult r;
      r.dw0 = reported_queue_counts();
      return r;
    }
    case kFidPowerManagement:
      if (fields::power_state(sqe.cdw11) > 0) return rejected(st::kInvalidField);  // NPSS=0: only PS0
      features_[f.fid] = sqe.cdw11;
      return {};
    case kFidVolatileWriteCache:
      if ((profile_.controller.vwc & 0x1) == 0) return rejected(st::kInvalidField);
      features_[f.fid] = sqe.cdw11 & 0x1;  // WCE; bits 31:1 are reserved
      write_cache_enabled_.store((sqe.cdw11 & 0x1) != 0, std::memory_order_release);
      return {};
    case kFidTimestamp: {
      if (!timestamp_supported()) return rejected(st::kInvalidField);
      std::array<std::byte, kTimestampBytes> data{};
      spec::Status failure;
      if (!gather_from_host(sqe, page_size_, data, failure)) return rejected(failure);
      set_timestamp(data);
      return {};
    }
    case kFidTemperature: {
      const auto t = fields::TemperatureThreshold::of(sqe.cdw11);
      if (t.type > 1 || t.sensor > 8) return rejected(st::kInvalidField);
      features_[fields::feature_key(f.fid, t.selector())] = sqe.cdw11;
      if (f.save) saved_features_[fields::feature_key(f.fid, t.selector())] = sqe.cdw11;
      check_temperature_event();
      return {};
    }
    case kFidInterruptVector: {
      const uint16_t iv = fields::interrupt_vector(sqe.cdw11);
      if (iv >= profile_.queues.interrupt_vectors) return rejected(st::kInvalidField);
      features_[fields::feature_key(f.fid, iv)] = sqe.cdw11;
      return {};
    }
    case kFidArbitration:
    case kFidErrorRecovery:
    case kFidInterruptCoalescing:
    case kFidWriteAtomicity: features_[f.fid] = sqe.cdw11; return {};
    case kFidAsyncEvent:
      features_[f.fid] = sqe.cdw11;
      check_temperature_event();
      return {};
    default: return rejected(st::kInvalidField);
  }
}

}  // namespace nvqual::sim
