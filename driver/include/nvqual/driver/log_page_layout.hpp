// Byte offsets of the log pages nvqual reads (NVMe Base 2.0, 5.16.1): one
// table per page, used by the parsers, the encoders and raw checks alike.
// tests/driver/log_pages_test.cpp checks them against libnvme's <nvme/types.h>.
#pragma once

#include <array>
#include <cstddef>

#include "nvqual/driver/field_spec.hpp"

namespace nvqual {

// 2.0 Figure 206: Error Information Log Entry (Log Identifier 01h), 64 bytes each.
namespace error_log_layout {
inline constexpr std::size_t kEntrySize = 64;
inline constexpr FieldSpec error_count{"error_count", 0, 8};
inline constexpr FieldSpec sqid{"sqid", 8, 2};
inline constexpr FieldSpec cid{"cid", 10, 2};
inline constexpr FieldSpec status_field{"status_field", 12, 2};  // bit 0 phase tag, bits 15:1 status
inline constexpr FieldSpec parm_error_location{"parm_error_location", 14, 2};
inline constexpr FieldSpec lba{"lba", 16, 8};
inline constexpr FieldSpec nsid{"nsid", 24, 4};
inline constexpr FieldSpec vs{"vs", 28, 1};  // vendor specific information available (a log page id)
inline constexpr FieldSpec trtype{"trtype", 29, 1};
inline constexpr FieldSpec csi{"csi", 30, 1};
inline constexpr FieldSpec cmd_specific{"cmd_specific", 32, 8};
inline constexpr FieldSpec trtype_specific{"trtype_specific", 40, 2};

inline constexpr std::array all{error_count, sqid, cid,    status_field, parm_error_location, lba,
                                nsid,        vs,   trtype, csi,          cmd_specific,        trtype_specific};
}  // namespace error_log_layout

// 2.0 Figure 207: SMART / Health Information (Log Identifier 02h), 512 bytes.
namespace smart_log_layout {
inline constexpr std::size_t kSize = 512;
inline constexpr std::size_t kTemperatureSensors = 8;
inline constexpr FieldSpec critical_warning{"critical_warning", 0, 1};
inline constexpr FieldSpec composite_temperature{"composite_temperature", 1, 2};
inline constexpr FieldSpec avail_spare{"avail_spare", 3, 1};
inline constexpr FieldSpec spare_thresh{"spare_thresh", 4, 1};
inline constexpr FieldSpec percent_used{"percent_used", 5, 1};
inline constexpr FieldSpec endurance_group_summary{"endurance_group_summary", 6, 1};
inline constexpr FieldSpec data_units_read{"data_units_read", 32, 16};
inline constexpr FieldSpec data_units_written{"data_units_written", 48, 16};
inline constexpr FieldSpec host_reads{"host_reads", 64, 16};
inline constexpr FieldSpec host_writes{"host_writes", 80, 16};
inline constexpr FieldSpec ctrl_busy_time{"ctrl_busy_time", 96, 16};
inline constexpr FieldSpec power_cycles{"power_cycles", 112, 16};
inline constexpr FieldSpec power_on_hours{"power_on_hours", 128, 16};
inline constexpr FieldSpec unsafe_shutdowns{"unsafe_shutdowns", 144, 16};
inline constexpr FieldSpec media_errors{"media_errors", 160, 16};
inline constexpr FieldSpec num_err_log_entries{"num_err_log_entries", 176, 16};
inline constexpr FieldSpec warning_temp_time{"warning_temp_time", 192, 4};
inline constexpr FieldSpec critical_comp_time{"critical_comp_time", 196, 4};
inline constexpr FieldSpec temp_sensor{"temp_sensor", 200, 16};  // 8 x 2 bytes
inline constexpr FieldSpec thm_temp1_trans_count{"thm_temp1_trans_count", 216, 4};
inline constexpr FieldSpec thm_temp2_trans_count{"thm_temp2_trans_count", 220, 4};
inline constexpr FieldSpec thm_temp1_total_time{"thm_temp1_total_time", 224, 4};
inline constexpr FieldSpec thm_temp2_total_time{"thm_temp2_total_time", 228, 4};

// One temperature sensor entry.
constexpr FieldSpec temp_sensor_at(std::size_t i) {
  return FieldSpec{"temp_sensor", static_cast<uint16_t>(temp_sensor.offset + 2 * i), 2};
}

inline constexpr std::array all{
    critical_warning,        composite_temperature, avail_spare,         spare_thresh,     percent_used,
    endurance_group_summary, data_units_read,       data_units_written,  host_reads,       host_writes,
    ctrl_busy_time,          power_cycles,          power_on_hours,      unsafe_shutdowns, media_errors,
    num_err_log_entries,     warning_temp_time,     critical_comp_time,  temp_sensor,      thm_temp1_trans_count,
    thm_temp2_trans_count,   thm_temp1_total_time,  thm_temp2_total_time};
}  // namespace smart_log_layout

// 2.0 Figure 208: Firmware Slot Information (Log Identifier 03h), 512 bytes.
namespace firmware_slot_layout {
inline constexpr std::size_t kSize = 512;
inline constexpr std::size_t kSlots = 7;
inline constexpr FieldSpec afi{"afi", 0, 1};
inline constexpr FieldSpec frs{"frs", 8, 56};  // FRS1..FRS7, 8 bytes each

// Firmware revision for slot `slot` (1..7).
constexpr FieldSpec frs_slot(std::size_t slot) {
  return FieldSpec{"frs", static_cast<uint16_t>(frs.offset + 8 * (slot - 1)), 8};
}

inline constexpr std::array all{afi, frs};
}  // namespace firmware_slot_layout

}  // namespace nvqual
