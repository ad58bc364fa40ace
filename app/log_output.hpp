// Log pages (NVMe Base 2.0, 5.16.1) as nvqual prints them: text laid out like
// nvme-cli's smart-log / error-log / fw-log, and JSON with the keys nvme-cli
// 2.3 (Debian 12) prints for `-o json` (nvme-print.c: json_smart_log,
// json_error_log, json_fw_log), so a lab can diff the two tools. Differences
// on purpose: 128-bit counters are numbers when they fit 64 bits (nvme-cli
// prints every one as a decimal string); the fw-log object is keyed by the
// target's name where nvme-cli puts the kernel's device name.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nvqual/driver/log_pages.hpp"

namespace nvqual::app {

// 02h SMART / Health Information.
nlohmann::json smart_log_json(const SmartLog& log);
std::string format_smart_log(const SmartLog& log, const std::string& device, uint32_t nsid);

// 01h Error Information: every entry read, unused ones included (as nvme-cli).
nlohmann::json error_log_json(const std::vector<ErrorLogEntry>& entries);
std::string format_error_log(const std::vector<ErrorLogEntry>& entries, const std::string& device);

// 03h Firmware Slot Information, with the raw page (`raw`) for nvme-cli's
// rendering of each revision ("1.0....." for "1.0" and its space padding).
nlohmann::json firmware_log_json(const FirmwareSlotLog& log, std::span<const std::byte> raw, const std::string& device);
std::string format_firmware_log(const FirmwareSlotLog& log, std::span<const std::byte> raw, const std::string& device);

// 04h Changed Namespace List: the NSIDs listed (up to the first 0); FFFFFFFFh
// in entry 0 means more than 1024 changed.
std::vector<uint32_t> changed_namespaces(std::span<const std::byte> log);
nlohmann::json changed_namespace_json(std::span<const std::byte> log, const std::string& device);
std::string format_changed_namespaces(std::span<const std::byte> log, const std::string& device);

// 05h Commands Supported and Effects: the opcodes whose CSUPP bit is set.
nlohmann::json effects_log_json(std::span<const std::byte> log);
std::string format_effects_log(std::span<const std::byte> log, const std::string& device);

}  // namespace nvqual::app
