#include "log_output.hpp"

#include <fmt/format.h>

#include "nvqual/driver/command_log.hpp"
#include "nvqual/driver/log_page_layout.hpp"

namespace nvqual::app {
namespace {

// nlohmann::json has no integer wider than 64 bits: a decimal string beyond.
nlohmann::json counter(const Uint128& v) {
  if (v.fits_64()) return v.lo;
  return v.to_decimal();
}

uint32_t le32_at(std::span<const std::byte> log, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v |= static_cast<uint32_t>(log[at + i]) << (8 * i);
  return v;
}

uint64_t le64_at(std::span<const std::byte> log, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v |= static_cast<uint64_t>(log[at + i]) << (8 * i);
  return v;
}

// A firmware revision as nvme-cli shows it (util_fw_to_string): the 8 bytes,
// each one that is not a graphic ASCII character (the space padding too) as '.'.
std::string revision_text(std::span<const std::byte> raw, size_t at) {
  std::string text(8, '.');
  for (size_t i = 0; i < 8; ++i) {
    const auto c = static_cast<char>(raw[at + i]);
    if (c >= '!' && c <= '~') text[i] = c;
  }
  return text;
}

// A temperature in Kelvin as nvme-cli shows it: "40 C (313 Kelvin)".
std::string temperature(uint16_t kelvin) { return fmt::format("{} C ({} Kelvin)", int{kelvin} - 273, kelvin); }

void row(std::string& out, std::string_view name, const std::string& value) {
  out += fmt::format("{:<40}: {}\n", name, value);
}

constexpr size_t kEffectsIocsOffset = 1024;  // 2.0 Figure 210: ACS0..255 then IOCS0..255
constexpr uint32_t kCsupp = 1u << 0;
constexpr size_t kChangedNamespaceMax = 1024;  // 2.0 5.16.1.5: 1024 NSIDs

}  // namespace

nlohmann::json smart_log_json(const SmartLog& s) {
  nlohmann::json j = nlohmann::json::object();
  j["critical_warning"] = s.critical_warning;
  j["temperature"] = s.composite_temperature;  // Kelvin, as nvme-cli
  j["avail_spare"] = s.avail_spare;
  j["spare_thresh"] = s.spare_thresh;
  j["percent_used"] = s.percent_used;
  j["endurance_grp_critical_warning_summary"] = s.endurance_group_summary;
  j["data_units_read"] = counter(s.data_units_read);
  j["data_units_written"] = counter(s.data_units_written);
  j["host_read_commands"] = counter(s.host_reads);
  j["host_write_commands"] = counter(s.host_writes);
  j["controller_busy_time"] = counter(s.ctrl_busy_time);
  j["power_cycles"] = counter(s.power_cycles);
  j["power_on_hours"] = counter(s.power_on_hours);
  j["unsafe_shutdowns"] = counter(s.unsafe_shutdowns);
  j["media_errors"] = counter(s.media_errors);
  j["num_err_log_entries"] = counter(s.num_err_log_entries);
  j["warning_temp_time"] = s.warning_temp_time;
  j["critical_comp_time"] = s.critical_comp_time;
  // nvme-cli prints only the sensors that report (0 = not implemented).
  for (size_t i = 0; i < s.temp_sensor.size(); ++i) {
    if (s.temp_sensor[i] != 0) j[fmt::format("temperature_sensor_{}", i + 1)] = s.temp_sensor[i];
  }
  j["thm_temp1_trans_count"] = s.thm_temp1_trans_count;
  j["thm_temp2_trans_count"] = s.thm_temp2_trans_count;
  j["thm_temp1_total_time"] = s.thm_temp1_total_time;
  j["thm_temp2_total_time"] = s.thm_temp2_total_time;
  return j;
}

std::string format_smart_log(const SmartLog& s, const std::string& device, uint32_t nsid) {
  std::string out = fmt::format("Smart Log for NVME device:{} namespace-id:{:x}\n", device, nsid);
  row(out, "critical_warning", fmt::format("{:#x}", s.critical_warning));
  row(out, "temperature", temperature(s.composite_temperature));
  row(out, "available_spare", fmt::format("{}%", s.avail_spare));
  row(out, "available_spare_threshold", fmt::format("{}%", s.spare_thresh));
  row(out, "percentage_used", fmt::format("{}%", s.percent_used));
  row(out, "endurance group critical warning summary", fmt::format("{:#x}", s.endurance_group_summary));
  row(out, "data_units_read", s.data_units_read.to_decimal());
  row(out, "data_units_written", s.data_units_written.to_decimal());
  row(out, "host_read_commands", s.host_reads.to_decimal());
  row(out, "host_write_commands", s.host_writes.to_decimal());
  row(out, "controller_busy_time", s.ctrl_busy_time.to_decimal());
  row(out, "power_cycles", s.power_cycles.to_decimal());
  row(out, "power_on_hours", s.power_on_hours.to_decimal());
  row(out, "unsafe_shutdowns", s.unsafe_shutdowns.to_decimal());
  row(out, "media_errors", s.media_errors.to_decimal());
  row(out, "num_err_log_entries", s.num_err_log_entries.to_decimal());
  row(out, "Warning Temperature Time", std::to_string(s.warning_temp_time));
  row(out, "Critical Composite Temperature Time", std::to_string(s.critical_comp_time));
  for (size_t i = 0; i < s.temp_sensor.size(); ++i) {
    if (s.temp_sensor[i] != 0) row(out, fmt::format("Temperature Sensor {}", i + 1), temperature(s.temp_sensor[i]));
  }
  row(out, "Thermal Management T1 Trans Count", std::to_string(s.thm_temp1_trans_count));
  row(out, "Thermal Management T2 Trans Count", std::to_string(s.thm_temp2_trans_count));
  row(out, "Thermal Management T1 Total Time", std::to_string(s.thm_temp1_total_time));
  row(out, "Thermal Management T2 Total Time", std::to_string(s.thm_temp2_total_time));
  return out;
}

nlohmann::json error_log_json(const std::vector<ErrorLogEntry>& entries) {
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& e : entries) {
    nlohmann::json j = nlohmann::json::object();
    j["error_count"] = e.error_count;
    j["sqid"] = e.sqid;
    j["cmdid"] = e.cid;
    j["status_field"] = e.status.raw;  // bits 15:1, as nvme-cli shifts it
    j["phase_tag"] = e.phase_tag ? 1 : 0;
    j["parm_error_location"] = e.parm_error_location;
    j["lba"] = e.lba;
    j["nsid"] = e.nsid;
    j["vs"] = e.vs;
    j["trtype"] = e.trtype;
    j["cs"] = e.cmd_specific;
    j["trtype_spec_info"] = e.trtype_specific;
    errors.push_back(std::move(j));
  }
  return nlohmann::json{{"errors", std::move(errors)}};
}

std::string format_error_log(const std::vector<ErrorLogEntry>& entries, const std::string& device) {
  std::string out = fmt::format("Error Log Entries for device:{} entries:{}\n", device, entries.size());
  out += ".................\n";
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    out += fmt::format(" Entry[{:2}]\n.................\n", i);
    row(out, "error_count", std::to_string(e.error_count));
    row(out, "sqid", std::to_string(e.sqid));
    row(out, "cmdid", fmt::format("{:#x}", e.cid));
    row(out, "status_field", fmt::format("{:#x} ({})", e.status.raw, e.used() ? e.status.describe() : "unused"));
    row(out, "phase_tag", fmt::format("{:#x}", e.phase_tag ? 1 : 0));
    row(out, "parm_err_loc", fmt::format("{:#x}", e.parm_error_location));
    row(out, "lba", fmt::format("{:#x}", e.lba));
    row(out, "nsid", fmt::format("{:#x}", e.nsid));
    row(out, "vs", fmt::format("{:#x}", e.vs));
    row(out, "trtype", fmt::format("{:#x}", e.trtype));
    row(out, "cs", fmt::format("{:#x}", e.cmd_specific));
    row(out, "trtype_spec_info", fmt::format("{:#x}", e.trtype_specific));
    out += ".................\n";
  }
  return out;
}

nlohmann::json firmware_log_json(const FirmwareSlotLog& log, std::span<const std::byte> raw,
                                 const std::string& device) {
  namespace L = firmware_slot_layout;
  nlohmann::json slots = nlohmann::json::object();
  slots["Active Firmware Slot (afi)"] = log.afi;
  for (size_t slot = 1; slot <= L::kSlots; ++slot) {
    const auto at = L::frs_slot(slot).offset;
    // nvme-cli lists a slot when its first byte is not 0: the revision as a
    // little-endian number, then as its 8 bytes.
    if (raw[at] == std::byte{0}) continue;
    slots[fmt::format("Firmware Rev Slot {}", slot)] = fmt::format("{} ({})", le64_at(raw, at), revision_text(raw, at));
  }
  return nlohmann::json{{device, std::move(slots)}};
}

std::string format_firmware_log(const FirmwareSlotLog& log, std::span<const std::byte> raw, const std::string& device) {
  namespace L = firmware_slot_layout;
  std::string out = fmt::format("Firmware Log for device:{}\n", device);
  out += fmt::format("afi  : {:#x} (active slot {}, next reset slot {})\n", log.afi, log.active_slot(),
                     log.next_reset_slot());
  for (size_t slot = 1; slot <= L::kSlots; ++slot) {
    const auto at = L::frs_slot(slot).offset;
    if (raw[at] == std::byte{0}) continue;
    out += fmt::format("frs{} : {:#x} ({})\n", slot, le64_at(raw, at), log.frs[slot - 1]);
  }
  return out;
}

std::vector<uint32_t> changed_namespaces(std::span<const std::byte> log) {
  std::vector<uint32_t> nsids;
  for (size_t i = 0; i < kChangedNamespaceMax && (i + 1) * 4 <= log.size(); ++i) {
    const uint32_t nsid = le32_at(log, i * 4);
    if (nsid == 0) break;
    nsids.push_back(nsid);
  }
  return nsids;
}

nlohmann::json changed_namespace_json(std::span<const std::byte> log, const std::string& device) {
  nlohmann::json list = nlohmann::json::object();
  const auto nsids = changed_namespaces(log);
  for (size_t i = 0; i < nsids.size(); ++i) list[fmt::format("[{:4}]", i + 1)] = fmt::format("{:#x}", nsids[i]);
  return nlohmann::json{{"Changed Namespace List Log", device}, {device, std::move(list)}};
}

std::string format_changed_namespaces(std::span<const std::byte> log, const std::string& device) {
  std::string out = fmt::format("Changed Namespace List Log for device:{}\n", device);
  const auto nsids = changed_namespaces(log);
  if (nsids.empty()) out += "no namespace changed\n";
  if (nsids.size() == 1 && nsids[0] == 0xFFFFFFFFu) {
    return out + "more than 1024 namespaces changed (entry 0 is FFFFFFFFh)\n";
  }
  for (size_t i = 0; i < nsids.size(); ++i) out += fmt::format("[{:4}]:{:#x}\n", i + 1, nsids[i]);
  return out;
}

nlohmann::json effects_log_json(std::span<const std::byte> log) {
  nlohmann::json admin = nlohmann::json::object();
  nlohmann::json io = nlohmann::json::object();
  for (unsigned opcode = 0; opcode < 256; ++opcode) {
    if (const uint32_t e = le32_at(log, opcode * 4); (e & kCsupp) != 0) {
      admin[fmt::format("ACS_{} ({})", opcode, opcode_name(0, static_cast<uint8_t>(opcode)))] = e;
    }
    if (const uint32_t e = le32_at(log, kEffectsIocsOffset + opcode * 4); (e & kCsupp) != 0) {
      io[fmt::format("IOCS_{} ({})", opcode, opcode_name(1, static_cast<uint8_t>(opcode)))] = e;
    }
  }
  return nlohmann::json{
      {"command_set_identifier", 0}, {"admin_cmd_set", std::move(admin)}, {"io_cmd_set", std::move(io)}};
}

std::string format_effects_log(std::span<const std::byte> log, const std::string& device) {
  std::string out = fmt::format("Commands Supported and Effects Log for device:{}\n", device);
  for (const auto& [title, base, qid] : {std::tuple{"Admin Command Set", size_t{0}, uint16_t{0}},
                                         std::tuple{"I/O Command Set", kEffectsIocsOffset, uint16_t{1}}}) {
    out += fmt::format("{}\n", title);
    for (unsigned opcode = 0; opcode < 256; ++opcode) {
      const uint32_t e = le32_at(log, base + opcode * 4);
      if ((e & kCsupp) == 0) continue;
      out += fmt::format("{}{:02x}h {:#010x} {}\n", qid == 0 ? "ACS" : "IOCS", opcode, e,
                         opcode_name(qid, static_cast<uint8_t>(opcode)));
    }
  }
  return out;
}

}  // namespace nvqual::app
