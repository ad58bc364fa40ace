// Log pages nvqual reads (NVMe Base 2.0, 5.16.1) as typed values, their
// parsers and the inverse encoders the simulated controller uses.
// Offsets live in log_page_layout.hpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "nvqual/driver/spec/bits.hpp"
#include "nvqual/driver/spec/status.hpp"
#include "nvqual/driver/uint128.hpp"

namespace nvqual {

// 2.0 Figure 206: Error Information Log Entry, 64 bytes.
struct ErrorLogEntry {
  uint64_t error_count = 0;  // 0 marks an unused entry
  uint16_t sqid = 0;
  uint16_t cid = 0;
  bool phase_tag = false;            // status field bit 0
  spec::Status status;               // status field bits 15:1, as in a completion
  uint16_t parm_error_location = 0;  // 0xFFFF: not specific to a parameter
  uint64_t lba = 0;
  uint32_t nsid = 0;
  uint8_t vs = 0;             // vendor specific information available: a log page id, 0 if none
  uint8_t trtype = 0;         // transport type
  uint8_t csi = 0;            // command set indicator
  uint64_t cmd_specific = 0;  // command specific information
  uint16_t trtype_specific = 0;

  bool used() const { return error_count != 0; }
  // Parameter Error Location: byte (bits 7:0) and bit (bits 10:8) in the command.
  uint8_t error_byte() const { return static_cast<uint8_t>(spec::detail::get_bits<7, 0>(parm_error_location)); }
  uint8_t error_bit() const { return static_cast<uint8_t>(spec::detail::get_bits<10, 8>(parm_error_location)); }

  // spec::Status has no operator==: compare every member, the status by its raw bits.
  friend bool operator==(const ErrorLogEntry& a, const ErrorLogEntry& b) {
    auto tie = [](const ErrorLogEntry& e) {
      return std::tie(e.error_count, e.sqid, e.cid, e.phase_tag, e.status.raw, e.parm_error_location, e.lba, e.nsid,
                      e.vs, e.trtype, e.csi, e.cmd_specific, e.trtype_specific);
    };
    return tie(a) == tie(b);
  }
};

// 2.0 Figure 207: SMART / Health Information, 512 bytes. The 16-byte counters
// are kept whole (Uint128): a counter past 2^64 must not wrap silently.
struct SmartLog {
  uint8_t critical_warning = 0;
  uint16_t composite_temperature = 0;   // Kelvin
  uint8_t avail_spare = 0;              // percent
  uint8_t spare_thresh = 0;             // percent
  uint8_t percent_used = 0;             // may exceed 100
  uint8_t endurance_group_summary = 0;  // endurance group critical warning summary
  Uint128 data_units_read;              // thousands of 512-byte units
  Uint128 data_units_written;
  Uint128 host_reads;
  Uint128 host_writes;
  Uint128 ctrl_busy_time;  // minutes
  Uint128 power_cycles;
  Uint128 power_on_hours;
  Uint128 unsafe_shutdowns;
  Uint128 media_errors;
  Uint128 num_err_log_entries;
  uint32_t warning_temp_time = 0;         // minutes
  uint32_t critical_comp_time = 0;        // minutes
  std::array<uint16_t, 8> temp_sensor{};  // Kelvin; 0 = sensor not implemented
  uint32_t thm_temp1_trans_count = 0;
  uint32_t thm_temp2_trans_count = 0;
  uint32_t thm_temp1_total_time = 0;  // seconds
  uint32_t thm_temp2_total_time = 0;

  // Critical Warning bits (Figure 207, byte 0).
  bool spare_below_threshold() const { return spec::detail::get_bits<0, 0>(critical_warning) != 0; }
  bool temperature_warning() const { return spec::detail::get_bits<1, 1>(critical_warning) != 0; }
  bool reliability_degraded() const { return spec::detail::get_bits<2, 2>(critical_warning) != 0; }
  bool read_only() const { return spec::detail::get_bits<3, 3>(critical_warning) != 0; }
  bool volatile_backup_failed() const { return spec::detail::get_bits<4, 4>(critical_warning) != 0; }
  bool pmr_read_only() const { return spec::detail::get_bits<5, 5>(critical_warning) != 0; }
  // Composite temperature in degrees Celsius (0 K reported means "no value").
  int composite_celsius() const { return static_cast<int>(composite_temperature) - 273; }

  friend bool operator==(const SmartLog&, const SmartLog&) = default;
};

// 2.0 Figure 208: Firmware Slot Information, 512 bytes.
struct FirmwareSlotLog {
  uint8_t afi = 0;                 // active firmware info
  std::array<std::string, 7> frs;  // FRS1..FRS7, trimmed; empty = slot unused

  uint8_t active_slot() const { return spec::detail::get_bits<2, 0>(afi); }      // 1..7
  uint8_t next_reset_slot() const { return spec::detail::get_bits<6, 4>(afi); }  // 0 = none

  friend bool operator==(const FirmwareSlotLog&, const FirmwareSlotLog&) = default;
};

// Error log: one entry per 64 bytes, unused ones included so indexes match the
// device's log; a size that is not a multiple of 64 is a DriverError(kInvalidArgument).
std::vector<ErrorLogEntry> parse_error_log(std::span<const std::byte> log);
// These need at least 512 bytes, else DriverError(kInvalidArgument).
SmartLog parse_smart_log(std::span<const std::byte> log);
FirmwareSlotLog parse_firmware_slot_log(std::span<const std::byte> log);

// Inverses: 64 bytes per entry, 512 bytes for the others.
std::vector<std::byte> encode_error_log(const std::vector<ErrorLogEntry>& entries);
std::vector<std::byte> encode_smart_log(const SmartLog& log);
// A used slot is space padded; an empty one is all zeros (2.0, Figure 208).
std::vector<std::byte> encode_firmware_slot_log(const FirmwareSlotLog& log);

}  // namespace nvqual
