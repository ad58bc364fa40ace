// get_log_page: Get Log Page (NVMe Base 2.0, 5.16) of any LID, NSID, length
// (NUMD), byte offset (LPO) and RAE, into a poisoned buffer. The logs nvqual
// knows are decoded field by field with nvme-cli's names: 01h Error
// Information (5.16.1.2), 02h SMART / Health Information (5.16.1.3), 03h
// Firmware Slot Information (5.16.1.4), 04h Changed Namespace List
// (5.16.1.5), 05h Commands Supported and Effects (5.16.1.6). Fields of a log
// not read are observed as 0.
//
// Error log entries are reconciled with what nvqual saw fail in this case: an
// entry newer than the case's first Error log read must name (SQID, CID) a
// command that completed with an error; failures no entry records are listed
// as a measurement, since the spec leaves part of what to log to the device.
#include <algorithm>

#include <fmt/format.h>

#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/log_pages.hpp"
#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

constexpr uint8_t kLidError = 0x01;
constexpr uint8_t kLidSmart = 0x02;
constexpr uint8_t kLidFirmware = 0x03;
constexpr uint8_t kLidChangedNs = 0x04;
constexpr uint8_t kLidEffects = 0x05;
constexpr size_t kEffectsIocs = 1024;  // IOCS0 offset in the effects log

// The size of the logs nvqual knows; 0 for any other LID (its bytes are not judged).
size_t log_size(uint8_t lid, const Variables& v) {
  switch (lid) {
    case kLidError: return 64 * (v.at("elpe") + 1);
    case kLidSmart:
    case kLidFirmware: return 512;
    case kLidChangedNs:
    case kLidEffects: return 4096;
    default: return 0;
  }
}

uint32_t le32(std::span<const std::byte> b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v |= uint32_t{std::to_integer<uint8_t>(b[at + i])} << (8 * i);
  return v;
}

void observe_smart(std::span<const std::byte> log, Observations& out) {
  const SmartLog s = parse_smart_log(log);
  out["critical_warning"] = uint64_t{s.critical_warning};
  out["temperature"] = uint64_t{s.composite_temperature};
  out["avail_spare"] = uint64_t{s.avail_spare};
  out["spare_thresh"] = uint64_t{s.spare_thresh};
  out["spare_below_threshold"] = s.avail_spare < s.spare_thresh ? 1u : 0u;
  out["percent_used"] = uint64_t{s.percent_used};
  out["data_units_read"] = s.data_units_read.saturated_64();
  out["data_units_written"] = s.data_units_written.saturated_64();
  out["host_read_commands"] = s.host_reads.saturated_64();
  out["host_write_commands"] = s.host_writes.saturated_64();
  out["controller_busy_time"] = s.ctrl_busy_time.saturated_64();
  out["power_cycles"] = s.power_cycles.saturated_64();
  out["power_on_hours"] = s.power_on_hours.saturated_64();
  out["unsafe_shutdowns"] = s.unsafe_shutdowns.saturated_64();
  out["media_errors"] = s.media_errors.saturated_64();
  out["num_err_log_entries"] = s.num_err_log_entries.saturated_64();
  out["warning_temp_time"] = uint64_t{s.warning_temp_time};
  out["critical_comp_time"] = uint64_t{s.critical_comp_time};
}

// Reconciles the entries with this case's failures (the command log keeps every one).
void observe_errors(StepContext& ctx, std::span<const std::byte> log, Observations& out) {
  const auto entries = parse_error_log(log.first(log.size() / 64 * 64));
  uint64_t used = 0;
  uint64_t newest = 0;
  const ErrorLogEntry* newest_entry = nullptr;
  for (const auto& e : entries) {
    if (!e.used()) continue;
    ++used;
    if (e.error_count > newest) {
      newest = e.error_count;
      newest_entry = &e;
    }
  }
  out["entries"] = used;
  out["error_count"] = newest;
  out["sqid"] = newest_entry != nullptr ? uint64_t{newest_entry->sqid} : 0;
  out["cmdid"] = newest_entry != nullptr ? uint64_t{newest_entry->cid} : 0;
  out["status_field"] = newest_entry != nullptr ? newest_entry->status : spec::status::kSuccess;

  // The first Error log read of the case is the baseline; later reads judge the entries after it.
  const auto& vars = ctx.variables();
  const bool have_baseline = vars.count("error_count_baseline") != 0;
  if (!have_baseline) ctx.set_variable("error_count_baseline", newest);
  const uint64_t baseline = have_baseline ? ctx.variables().at("error_count_baseline") : newest;
  const auto& failures = ctx.controller().command_log().failures();
  uint64_t new_entries = 0;
  uint64_t unmatched = 0;
  for (const auto& e : entries) {
    if (!e.used() || e.error_count <= baseline) continue;
    ++new_entries;
    const bool seen = std::any_of(failures.begin(), failures.end(), [&](const CommandRecord& f) {
      return f.qid == e.sqid && f.completion && f.completion->cid() == e.cid;
    });
    if (!seen) {
      ++unmatched;
      ctx.measure("error log entry matching no failure",
                  fmt::format("count {} SQID {} CID {} status {}", e.error_count, e.sqid, e.cid, e.status.describe()));
    }
  }
  std::string unlogged;
  uint64_t unlogged_count = 0;
  for (const auto& f : failures) {
    if (!f.completion || f.completion->cid() == 0xFFFF) continue;
    const bool logged = std::any_of(entries.begin(), entries.end(), [&](const ErrorLogEntry& e) {
      return e.used() && e.error_count > baseline && e.sqid == f.qid && e.cid == f.completion->cid();
    });
    if (logged) continue;
    ++unlogged_count;
    unlogged += fmt::format("{}SQID {} CID {} ({})", unlogged.empty() ? "" : ", ", f.qid, f.completion->cid(),
                            f.completion->status().describe());
  }
  if (have_baseline && unlogged_count != 0) ctx.measure("failures no error log entry records", unlogged);
  out["new_entries"] = new_entries;
  out["unmatched_entries"] = unmatched;
  out["failures_unlogged"] = have_baseline ? unlogged_count : 0;
}

void observe_effects(std::span<const std::byte> log, Observations& out) {
  uint64_t admin = 0;
  uint64_t io = 0;
  for (size_t op = 0; op < 256; ++op) {
    admin += le32(log, op * 4) & 1u;
    io += le32(log, kEffectsIocs + op * 4) & 1u;
  }
  out["admin_commands_supported"] = admin;
  out["io_commands_supported"] = io;
  // CSUPP (bit 0) of the commands every NVM controller has.
  const auto csupp = [&](size_t at) { return uint64_t{le32(log, at) & 1u}; };
  out["acs_get_log_page"] = csupp(0x02 * 4);
  out["acs_identify"] = csupp(0x06 * 4);
  out["acs_get_features"] = csupp(0x0A * 4);
  out["iocs_read"] = csupp(kEffectsIocs + 0x02 * 4);
}

void zero_all(Observations& out, const std::vector<ObservationSpec>& specs) {
  for (const auto& s : specs) {
    if (s.kind == ValueKind::kNumber) out[s.name] = uint64_t{0};
    if (s.kind == ValueKind::kStatus) out[s.name] = spec::status::kSuccess;
  }
}

std::vector<ObservationSpec> observations();

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  const auto& v = ctx.variables();
  const auto lid = static_cast<uint8_t>(args.number("lid", v));
  const auto nsid = static_cast<uint32_t>(args.number("nsid", v));
  const uint64_t offset = args.number("offset", v);
  const size_t known = log_size(lid, v);
  const uint64_t bytes = args.has("bytes") && args.number("bytes", v) != 0 ? args.number("bytes", v)
                         : known != 0                                      ? known
                                                                           : 4096;
  if (bytes % 4 != 0 || bytes / 4 > (uint64_t{1} << 32)) {
    throw CaseInputError(fmt::format("bytes {} is not a multiple of 4 up to 2^34: NUMD counts dwords", bytes));
  }
  DmaBuffer buffer = buffer_for(ctx, bytes);
  const std::span<std::byte> whole(buffer.data(), bytes);
  poison(ctx, whole);
  const std::vector<std::byte> poisoned(whole.begin(), whole.end());
  const auto cqe = ctx.controller().admin(
      cmd::get_log_page(lid, nsid, static_cast<uint32_t>(bytes / 4), offset, args.flag("rae")), buffer, bytes);
  zero_all(out, observations());
  out["status"] = cqe.status();
  out["dnr"] = cqe.status().dnr() ? 1u : 0u;
  // The log's bytes from `offset` that came back: beyond the log's end a device may leave the buffer alone.
  const size_t expected = !cqe.status().ok() || known <= offset ? 0 : std::min<size_t>(bytes, known - offset);
  uint64_t unwritten = 0;
  for (size_t i = 0; i + 8 <= expected; i += 8) {
    if (std::equal(whole.begin() + i, whole.begin() + i + 8, poisoned.begin() + i)) unwritten += 8;
  }
  out["unwritten_bytes"] = unwritten;
  std::vector<std::byte> log(whole.begin(), whole.begin() + expected);
  out["nonzero_bytes"] = nonzero_bytes(log);
  out["data"] = page_data(log);
  if (expected == 0 || offset != 0) return;  // a partial log is compared as data, not decoded
  if (lid == kLidSmart && log.size() >= 512) observe_smart(log, out);
  if (lid == kLidError) observe_errors(ctx, log, out);
  if (lid == kLidFirmware && log.size() >= 512) {
    const FirmwareSlotLog fw = parse_firmware_slot_log(log);
    out["afi"] = uint64_t{fw.afi};
    const unsigned active = fw.afi & 0x7u;
    out["active_slot"] = uint64_t{active};
    out["active_frs_printable"] = active >= 1 && active <= 7 && !fw.frs[active - 1].empty() &&
                                          std::all_of(fw.frs[active - 1].begin(), fw.frs[active - 1].end(),
                                                      [](char c) { return c >= 0x20 && c <= 0x7E; })
                                      ? 1u
                                      : 0u;
  }
  if (lid == kLidChangedNs) {
    uint64_t listed = 0;
    for (size_t at = 0; at + 4 <= log.size(); at += 4) {
      const uint32_t id = le32(log, at);
      if (id == 0) break;
      ++listed;
    }
    out["changed_namespaces"] = listed;
  }
  if (lid == kLidEffects) observe_effects(log, out);
}

std::vector<ObservationSpec> observations() {
  using K = ValueKind;
  return {
      {"status", K::kStatus, "completion status"},
      {"dnr", K::kNumber, "1 when Do Not Retry is set"},
      unwritten_bytes_observation(),
      {"nonzero_bytes", K::kNumber, "bytes of the returned log that are not zero"},
      {"data", K::kData, "the log's bytes from the offset (for same_as)"},
      // 02h SMART / Health Information (nvme-cli smart-log names)
      {"critical_warning", K::kNumber, "02h byte 0: bit 0 spare, 1 temperature, 2 reliability, 3 read-only"},
      {"temperature", K::kNumber, "02h composite temperature, Kelvin"},
      {"avail_spare", K::kNumber, "02h available spare, percent"},
      {"spare_thresh", K::kNumber, "02h available spare threshold, percent"},
      {"spare_below_threshold", K::kNumber, "02h 1 when available spare is below its threshold"},
      {"percent_used", K::kNumber, "02h percentage used"},
      {"data_units_read", K::kNumber, "02h thousands of 512-byte units read"},
      {"data_units_written", K::kNumber, "02h thousands of 512-byte units written"},
      {"host_read_commands", K::kNumber, "02h host read commands"},
      {"host_write_commands", K::kNumber, "02h host write commands"},
      {"controller_busy_time", K::kNumber, "02h minutes busy"},
      {"power_cycles", K::kNumber, "02h power cycles"},
      {"power_on_hours", K::kNumber, "02h power-on hours"},
      {"unsafe_shutdowns", K::kNumber, "02h unsafe shutdowns"},
      {"media_errors", K::kNumber, "02h media and data integrity errors"},
      {"num_err_log_entries", K::kNumber, "02h number of error information log entries (lifetime)"},
      {"warning_temp_time", K::kNumber, "02h minutes at or above WCTEMP"},
      {"critical_comp_time", K::kNumber, "02h minutes at or above CCTEMP"},
      // 01h Error Information (nvme-cli error-log names, newest entry)
      {"entries", K::kNumber, "01h entries in use (error count not 0)"},
      {"error_count", K::kNumber, "01h newest entry's error count"},
      {"sqid", K::kNumber, "01h newest entry's SQID"},
      {"cmdid", K::kNumber, "01h newest entry's CID"},
      {"status_field", K::kStatus, "01h newest entry's status"},
      {"new_entries", K::kNumber, "01h entries newer than the case's first Error log read"},
      {"unmatched_entries", K::kNumber, "01h new entries naming no (SQID, CID) nvqual saw fail in this case"},
      {"failures_unlogged", K::kNumber, "01h failures of this case no new entry records (listed as a measurement)"},
      // 03h Firmware Slot Information
      {"afi", K::kNumber, "03h active firmware info"},
      {"active_slot", K::kNumber, "03h AFI bits 2:0: the slot running"},
      {"active_frs_printable", K::kNumber, "03h 1 when the running slot's revision is non-empty printable ASCII"},
      // 04h Changed Namespace List
      {"changed_namespaces", K::kNumber, "04h NSIDs listed before the first 0"},
      // 05h Commands Supported and Effects
      {"admin_commands_supported", K::kNumber, "05h admin opcodes with CSUPP set"},
      {"io_commands_supported", K::kNumber, "05h I/O opcodes with CSUPP set"},
      {"acs_get_log_page", K::kNumber, "05h ACS 02h CSUPP"},
      {"acs_identify", K::kNumber, "05h ACS 06h CSUPP"},
      {"acs_get_features", K::kNumber, "05h ACS 0Ah CSUPP"},
      {"iocs_read", K::kNumber, "05h IOCS 02h CSUPP"},
  };
}

const StepRegistrar registrar{{
    .name = "get_log_page",
    .description = "Get Log Page of any LID/NSID/length/offset/RAE; decodes 01h-05h by field name",
    .params = {{.name = "lid", .description = "log page identifier", .max = 0xFF},
               {.name = "nsid", .default_value = "0xFFFFFFFF", .description = "NSID", .max = 0xFFFFFFFF},
               {.name = "bytes",
                .default_value = "0",
                .description = "transfer length (NUMD + 1 dwords); 0: the log's size",
                .max = 1u << 24},
               {.name = "offset", .default_value = "0", .description = "LPO, bytes", .max = 0xFFFFFFFF},
               {.name = "rae",
                .kind = ParamKind::kFlag,
                .default_value = "false",
                .description = "Retain Asynchronous Event (CDW10 bit 15)"}},
    .observations = observations(),
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
