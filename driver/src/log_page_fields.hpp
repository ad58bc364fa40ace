// Which member of each log page structure lives in which layout field; shared
// by the parsers and the encoders (as identify_codec.hpp does for Identify). Private.
#pragma once

#include "field_codec.hpp"
#include "nvqual/driver/log_page_layout.hpp"
#include "nvqual/driver/log_pages.hpp"

namespace nvqual::detail {

template <typename Io, typename Entry>
void bind_error_log_entry(const Io& io, Entry& e) {
  namespace L = error_log_layout;
  io.field(L::error_count, e.error_count);
  io.field(L::sqid, e.sqid);
  io.field(L::cid, e.cid);
  io.bits(L::status_field, 0, 1, e.phase_tag);
  io.bits(L::status_field, 1, 15, e.status.raw);
  io.field(L::parm_error_location, e.parm_error_location);
  io.field(L::lba, e.lba);
  io.field(L::nsid, e.nsid);
  io.field(L::vs, e.vs);
  io.field(L::trtype, e.trtype);
  io.field(L::csi, e.csi);
  io.field(L::cmd_specific, e.cmd_specific);
  io.field(L::trtype_specific, e.trtype_specific);
}

template <typename Io, typename Smart>
void bind_smart_log(const Io& io, Smart& s) {
  namespace L = smart_log_layout;
  io.field(L::critical_warning, s.critical_warning);
  io.field(L::composite_temperature, s.composite_temperature);
  io.field(L::avail_spare, s.avail_spare);
  io.field(L::spare_thresh, s.spare_thresh);
  io.field(L::percent_used, s.percent_used);
  io.field(L::endurance_group_summary, s.endurance_group_summary);
  io.field(L::data_units_read, s.data_units_read);
  io.field(L::data_units_written, s.data_units_written);
  io.field(L::host_reads, s.host_reads);
  io.field(L::host_writes, s.host_writes);
  io.field(L::ctrl_busy_time, s.ctrl_busy_time);
  io.field(L::power_cycles, s.power_cycles);
  io.field(L::power_on_hours, s.power_on_hours);
  io.field(L::unsafe_shutdowns, s.unsafe_shutdowns);
  io.field(L::media_errors, s.media_errors);
  io.field(L::num_err_log_entries, s.num_err_log_entries);
  io.field(L::warning_temp_time, s.warning_temp_time);
  io.field(L::critical_comp_time, s.critical_comp_time);
  for (size_t i = 0; i < L::kTemperatureSensors; ++i) io.field(L::temp_sensor_at(i), s.temp_sensor[i]);
  io.field(L::thm_temp1_trans_count, s.thm_temp1_trans_count);
  io.field(L::thm_temp2_trans_count, s.thm_temp2_trans_count);
  io.field(L::thm_temp1_total_time, s.thm_temp1_total_time);
  io.field(L::thm_temp2_total_time, s.thm_temp2_total_time);
}

}  // namespace nvqual::detail
