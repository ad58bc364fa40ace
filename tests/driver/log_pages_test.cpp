// Log page parsers and encoders: layout against libnvme's <nvme/types.h>,
// round trips, and the bit fields packed in the error log status and AFI.
#include <gtest/gtest.h>

#include <endian.h>

#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nvme/types.h>

#include "nvqual/driver/errors.hpp"
#include "nvqual/driver/log_page_layout.hpp"
#include "nvqual/driver/log_pages.hpp"

namespace nvqual {
namespace {

struct Ref {
  size_t offset;
  size_t size;
};
#define NVQUAL_REF(type, member) \
  Ref { offsetof(type, member), sizeof(type::member) }

void expect_field(const FieldSpec& ours, Ref theirs) {
  EXPECT_EQ(ours.offset, theirs.offset) << ours.name;
  EXPECT_EQ(ours.width, theirs.size) << ours.name;
}

// Our fields must not overlap and must stay inside the structure.
template <size_t N>
void expect_disjoint(const std::array<FieldSpec, N>& fields, size_t size) {
  std::vector<int> owners(size, 0);
  for (const auto& f : fields) {
    ASSERT_LE(f.end(), size) << f.name;
    for (size_t i = f.offset; i < f.end(); ++i) EXPECT_EQ(++owners[i], 1) << f.name << " overlaps at byte " << i;
  }
}

TEST(LogPageLayout, ErrorLogMatchesLibnvme) {
  namespace L = error_log_layout;
  static_assert(sizeof(nvme_error_log_page) == L::kEntrySize);
  expect_field(L::error_count, NVQUAL_REF(nvme_error_log_page, error_count));
  expect_field(L::sqid, NVQUAL_REF(nvme_error_log_page, sqid));
  expect_field(L::cid, NVQUAL_REF(nvme_error_log_page, cmdid));  // libnvme: cmdid
  expect_field(L::status_field, NVQUAL_REF(nvme_error_log_page, status_field));
  expect_field(L::parm_error_location, NVQUAL_REF(nvme_error_log_page, parm_error_location));
  expect_field(L::lba, NVQUAL_REF(nvme_error_log_page, lba));
  expect_field(L::nsid, NVQUAL_REF(nvme_error_log_page, nsid));
  expect_field(L::vs, NVQUAL_REF(nvme_error_log_page, vs));
  expect_field(L::trtype, NVQUAL_REF(nvme_error_log_page, trtype));
  // Debian 12's libnvme (1.3) still calls bytes 30-31 rsvd; 2.0 puts CSI in byte 30.
  EXPECT_EQ(L::csi.offset, offsetof(nvme_error_log_page, rsvd));
  expect_field(L::cmd_specific, NVQUAL_REF(nvme_error_log_page, cs));                   // libnvme: cs
  expect_field(L::trtype_specific, NVQUAL_REF(nvme_error_log_page, trtype_spec_info));  // libnvme: trtype_spec_info
  expect_disjoint(L::all, L::kEntrySize);
}

TEST(LogPageLayout, SmartLogMatchesLibnvme) {
  namespace L = smart_log_layout;
  static_assert(sizeof(nvme_smart_log) == L::kSize);
  expect_field(L::critical_warning, NVQUAL_REF(nvme_smart_log, critical_warning));
  expect_field(L::composite_temperature, NVQUAL_REF(nvme_smart_log, temperature));  // libnvme: temperature
  expect_field(L::avail_spare, NVQUAL_REF(nvme_smart_log, avail_spare));
  expect_field(L::spare_thresh, NVQUAL_REF(nvme_smart_log, spare_thresh));
  expect_field(L::percent_used, NVQUAL_REF(nvme_smart_log, percent_used));
  expect_field(L::endurance_group_summary, NVQUAL_REF(nvme_smart_log, endu_grp_crit_warn_sumry));
  expect_field(L::data_units_read, NVQUAL_REF(nvme_smart_log, data_units_read));
  expect_field(L::data_units_written, NVQUAL_REF(nvme_smart_log, data_units_written));
  expect_field(L::host_reads, NVQUAL_REF(nvme_smart_log, host_reads));
  expect_field(L::host_writes, NVQUAL_REF(nvme_smart_log, host_writes));
  expect_field(L::ctrl_busy_time, NVQUAL_REF(nvme_smart_log, ctrl_busy_time));
  expect_field(L::power_cycles, NVQUAL_REF(nvme_smart_log, power_cycles));
  expect_field(L::power_on_hours, NVQUAL_REF(nvme_smart_log, power_on_hours));
  expect_field(L::unsafe_shutdowns, NVQUAL_REF(nvme_smart_log, unsafe_shutdowns));
  expect_field(L::media_errors, NVQUAL_REF(nvme_smart_log, media_errors));
  expect_field(L::num_err_log_entries, NVQUAL_REF(nvme_smart_log, num_err_log_entries));
  expect_field(L::warning_temp_time, NVQUAL_REF(nvme_smart_log, warning_temp_time));
  expect_field(L::critical_comp_time, NVQUAL_REF(nvme_smart_log, critical_comp_time));
  expect_field(L::temp_sensor, NVQUAL_REF(nvme_smart_log, temp_sensor));
  expect_field(L::thm_temp1_trans_count, NVQUAL_REF(nvme_smart_log, thm_temp1_trans_count));
  expect_field(L::thm_temp2_trans_count, NVQUAL_REF(nvme_smart_log, thm_temp2_trans_count));
  expect_field(L::thm_temp1_total_time, NVQUAL_REF(nvme_smart_log, thm_temp1_total_time));
  expect_field(L::thm_temp2_total_time, NVQUAL_REF(nvme_smart_log, thm_temp2_total_time));
  EXPECT_EQ(L::all.back().end(), offsetof(nvme_smart_log, rsvd232));
  expect_disjoint(L::all, L::kSize);
}

TEST(LogPageLayout, FirmwareSlotMatchesLibnvme) {
  namespace L = firmware_slot_layout;
  static_assert(sizeof(nvme_firmware_slot) == L::kSize);
  expect_field(L::afi, NVQUAL_REF(nvme_firmware_slot, afi));
  expect_field(L::frs, NVQUAL_REF(nvme_firmware_slot, frs));
  EXPECT_EQ(L::frs_slot(7).offset, offsetof(nvme_firmware_slot, frs) + 6 * 8);
}

ErrorLogEntry sample_error(uint64_t count) {
  ErrorLogEntry e;
  e.error_count = count;
  e.sqid = 3;
  e.cid = 0xBEEF;
  e.phase_tag = true;
  e.status = spec::Status::make(0x0, 0x80, /*dnr=*/true);  // LBA out of range: SC bit 7 must survive
  e.parm_error_location = 0x0528;                          // bit 5 of byte 40
  e.lba = 0x123456789ull;
  e.nsid = 1;
  e.vs = 0xC0;
  e.trtype = 3;
  e.csi = 2;
  e.cmd_specific = 0xCAFEF00DDEADBEEFull;
  e.trtype_specific = 0x77;
  return e;
}

TEST(LogPages, ErrorLogRoundTripsAndReadsTheSameThroughLibnvme) {
  std::vector<ErrorLogEntry> entries = {sample_error(42), ErrorLogEntry{}, sample_error(41)};
  entries[2].status = spec::Status::make(0x2, 0x81);
  entries[2].phase_tag = false;
  const auto bytes = encode_error_log(entries);
  ASSERT_EQ(bytes.size(), 3 * 64u);
  EXPECT_EQ(parse_error_log(bytes), entries);

  nvme_error_log_page ref[3];
  std::memcpy(ref, bytes.data(), sizeof ref);
  EXPECT_EQ(le64toh(ref[0].error_count), 42u);
  EXPECT_EQ(le16toh(ref[0].cmdid), 0xBEEF);
  // Status field: phase in bit 0, SC 80h in bits 8:1, DNR (status bit 14) in bit 15.
  EXPECT_EQ(le16toh(ref[0].status_field), (0x80 << 1) | 1 | (1 << 15));
  EXPECT_EQ(le16toh(ref[2].status_field), (0x2 << 9) | (0x81 << 1));
  EXPECT_EQ(le64toh(ref[0].cs), 0xCAFEF00DDEADBEEFull);
  EXPECT_EQ(le16toh(ref[0].trtype_spec_info), 0x77);

  const auto parsed = parse_error_log(bytes);
  EXPECT_TRUE(parsed[0].used());
  EXPECT_FALSE(parsed[1].used());
  EXPECT_EQ(parsed[0].status.code(), "00/80");
  EXPECT_TRUE(parsed[0].status.dnr());
  EXPECT_EQ(parsed[0].error_byte(), 0x28);
  EXPECT_EQ(parsed[0].error_bit(), 5);
  EXPECT_EQ(parsed[2].status.code(), "02/81");
}

TEST(LogPages, ErrorLogSizeMustBeWholeEntries) {
  EXPECT_TRUE(parse_error_log({}).empty());
  const std::vector<std::byte> ragged(100);
  try {
    parse_error_log(ragged);
    FAIL() << "a 100-byte error log was parsed";
  } catch (const DriverError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
  }
}

TEST(LogPages, SmartLogRoundTripsWithWideCounters) {
  SmartLog s;
  s.critical_warning = 0x0A;  // temperature + read only
  s.composite_temperature = 310;
  s.avail_spare = 100;
  s.spare_thresh = 10;
  s.percent_used = 255;
  s.endurance_group_summary = 0x04;
  s.data_units_read = Uint128{0xFFFFFFFFFFFFFFFFull, 0x1};  // past 2^64
  s.data_units_written = Uint128{123456789, 0};
  s.host_reads = Uint128{1, 2};
  s.host_writes = Uint128{3, 4};
  s.ctrl_busy_time = Uint128{5, 0};
  s.power_cycles = Uint128{6, 0};
  s.power_on_hours = Uint128{7, 0};
  s.unsafe_shutdowns = Uint128{8, 0};
  s.media_errors = Uint128{9, 0};
  s.num_err_log_entries = Uint128{10, 0};
  s.warning_temp_time = 11;
  s.critical_comp_time = 12;
  for (size_t i = 0; i < s.temp_sensor.size(); ++i) s.temp_sensor[i] = static_cast<uint16_t>(300 + i);
  s.thm_temp1_trans_count = 13;
  s.thm_temp2_trans_count = 14;
  s.thm_temp1_total_time = 15;
  s.thm_temp2_total_time = 16;

  const auto bytes = encode_smart_log(s);
  ASSERT_EQ(bytes.size(), 512u);
  const SmartLog parsed = parse_smart_log(bytes);
  EXPECT_EQ(parsed, s);
  EXPECT_TRUE(parsed.temperature_warning());
  EXPECT_TRUE(parsed.read_only());
  EXPECT_FALSE(parsed.spare_below_threshold());
  EXPECT_EQ(parsed.composite_celsius(), 37);
  EXPECT_EQ(parsed.data_units_read.to_decimal(), "36893488147419103231");
  EXPECT_FALSE(parsed.data_units_read.fits_64());

  nvme_smart_log ref;
  std::memcpy(&ref, bytes.data(), sizeof ref);
  EXPECT_EQ(ref.temperature[0] | ref.temperature[1] << 8, 310);
  EXPECT_EQ(ref.data_units_read[8], 1);
  EXPECT_EQ(ref.data_units_read[7], 0xFF);
  EXPECT_EQ(le16toh(ref.temp_sensor[7]), 307);
  EXPECT_EQ(le32toh(ref.thm_temp2_total_time), 16u);
}

TEST(LogPages, SmartLogNeedsTheWholePage) {
  const std::vector<std::byte> short_log(511);
  EXPECT_THROW(parse_smart_log(short_log), DriverError);
  EXPECT_THROW(parse_firmware_slot_log(short_log), DriverError);
}

TEST(LogPages, FirmwareSlotLogTrimsAndLeavesEmptySlotsZero) {
  FirmwareSlotLog fw;
  fw.afi = 0x21;  // running slot 1, slot 2 at next reset
  fw.frs[0] = "1.0.3";
  fw.frs[1] = "1.1.0-rc";  // exactly 8
  const auto bytes = encode_firmware_slot_log(fw);
  ASSERT_EQ(bytes.size(), 512u);
  const auto parsed = parse_firmware_slot_log(bytes);
  EXPECT_EQ(parsed, fw);
  EXPECT_EQ(parsed.active_slot(), 1);
  EXPECT_EQ(parsed.next_reset_slot(), 2);

  nvme_firmware_slot ref;
  std::memcpy(&ref, bytes.data(), sizeof ref);
  EXPECT_EQ(std::string(ref.frs[0], 8), "1.0.3   ");
  EXPECT_EQ(std::string(ref.frs[2], 8), std::string(8, '\0'));

  fw.frs[6] = "123456789";
  EXPECT_THROW(encode_firmware_slot_log(fw), DriverError);
}

}  // namespace
}  // namespace nvqual
