// The run-level health checks as pure functions: two SMART / Error log
// snapshots and nvqual's own counts in, one verdict per check out.
#include "nvqual/harness/health_reconciliation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace nvqual::harness {
namespace {

const HealthCheckResult& find(const std::vector<HealthCheckResult>& all, std::string_view name) {
  for (const auto& r : all) {
    if (r.check->name == name) return r;
  }
  throw std::logic_error("no such check");
}

ErrorLogEntry entry(uint64_t count, uint16_t sqid, uint16_t cid) {
  ErrorLogEntry e;
  e.error_count = count;
  e.sqid = sqid;
  e.cid = cid;
  e.status = spec::Status::make(0, 0x02);
  return e;
}

std::string measured(const HealthCheckResult& r, std::string_view name_part) {
  for (const auto& m : r.measurements) {
    if (m.name.find(name_part) != std::string::npos) return m.value;
  }
  return "";
}

struct Snapshots {
  HealthSnapshot start;
  HealthSnapshot end;
  HealthActivity activity;
  std::vector<HealthCheckResult> run() const { return reconcile_health(start, end, activity); }
  CheckState state(std::string_view name) const { return find(run(), name).state; }
};

TEST(HealthReconciliation, EveryCheckHasAnIdAndANameTheProfileCanUse) {
  ASSERT_EQ(health_checks().size(), 7u);
  for (const auto& c : health_checks()) {
    EXPECT_EQ(find_health_check(c.name), &c);
    EXPECT_THAT(std::string(c.id), ::testing::StartsWith("HEALTH-"));
  }
  EXPECT_EQ(find_health_check("no_such_check"), nullptr);
}

TEST(HealthReconciliation, AnIdleDeviceWithQuietCountersPasses) {
  Snapshots s;
  for (const auto& r : s.run()) {
    EXPECT_NE(r.state, CheckState::kFailed) << r.check->name << ": " << r.actual;
  }
  EXPECT_EQ(s.state("enable_latency"), CheckState::kNotApplicable);  // no enable was measured
}

TEST(HealthReconciliation, CriticalWarningMustBeZeroAtBothEnds) {
  Snapshots s;
  s.end.smart.critical_warning = 0x02;
  EXPECT_EQ(s.state("critical_warning"), CheckState::kFailed);
  s.end.smart.critical_warning = 0;
  s.start.smart.critical_warning = 0x01;  // a warning already standing is no healthier
  EXPECT_EQ(s.state("critical_warning"), CheckState::kFailed);
}

TEST(HealthReconciliation, MediaErrorsMustNotGrow) {
  Snapshots s;
  s.start.smart.media_errors = Uint128{5, 0};
  s.end.smart.media_errors = Uint128{5, 0};
  EXPECT_EQ(s.state("media_errors"), CheckState::kPassed);  // old errors are history, not this suite's
  s.end.smart.media_errors = Uint128{6, 0};
  EXPECT_EQ(s.state("media_errors"), CheckState::kFailed);
}

TEST(HealthReconciliation, HostReadCommandsLieBetweenTheReadsCompletedAndSent) {
  Snapshots s;
  s.activity.counts.reads_completed = 10;
  s.activity.counts.reads_sent = 12;
  s.start.smart.host_reads = Uint128{100, 0};
  for (const uint64_t end : {110u, 111u, 112u}) {
    s.end.smart.host_reads = Uint128{end, 0};
    EXPECT_EQ(s.state("host_read_commands"), CheckState::kPassed) << end;
  }
  s.end.smart.host_reads = Uint128{100, 0};  // a counter that never moves
  EXPECT_EQ(s.state("host_read_commands"), CheckState::kFailed);
  s.end.smart.host_reads = Uint128{113, 0};  // more than nvqual sent
  EXPECT_EQ(s.state("host_read_commands"), CheckState::kFailed);
  s.end.smart.host_reads = Uint128{90, 0};  // backwards
  EXPECT_EQ(s.state("host_read_commands"), CheckState::kFailed);
}

// ceil((U + d) / 1000) - ceil(U / 1000) is floor(d / 1000) or ceil(d / 1000),
// whatever the hidden U: both ends of that range are what a device may show.
TEST(HealthReconciliation, DataUnitsRangeIsTheSpecsRoundingAndNothingMore) {
  EXPECT_EQ(data_units_range(0, 0).least, 0u);
  EXPECT_EQ(data_units_range(0, 0).most, 0u);
  // 999 units: 0 when the counter had room left in its thousand, 1 when it starts a new one.
  EXPECT_EQ(data_units_range(999 * 512, 999 * 512).least, 0u);
  EXPECT_EQ(data_units_range(999 * 512, 999 * 512).most, 1u);
  EXPECT_EQ(data_units_range(1000 * 512, 1000 * 512).least, 1u);
  EXPECT_EQ(data_units_range(1000 * 512, 1000 * 512).most, 1u);
  EXPECT_EQ(data_units_range(2500 * 512, 2500 * 512).least, 2u);
  EXPECT_EQ(data_units_range(2500 * 512, 2500 * 512).most, 3u);
  EXPECT_FALSE(data_units_range(512, std::nullopt).most.has_value());

  // Every hidden start U and every exact d lands inside the range.
  for (uint64_t u = 0; u < 2100; u += 7) {
    for (uint64_t d = 0; d < 3100; d += 13) {
      const uint64_t shown = (u + d + 999) / 1000 - (u + 999) / 1000;
      const UnitRange r = data_units_range(d * 512, d * 512);
      ASSERT_GE(shown, r.least) << u << " " << d;
      ASSERT_LE(shown, *r.most) << u << " " << d;
    }
  }
}

TEST(HealthReconciliation, DataUnitsReadFollowTheBytesRead) {
  Snapshots s;
  s.activity.counts.bytes_read_completed = 4096 * 1000;  // 8000 units: exactly 8 thousands
  s.activity.counts.bytes_read_sent = 4096 * 1000;
  s.start.smart.data_units_read = Uint128{40, 0};
  s.end.smart.data_units_read = Uint128{48, 0};
  EXPECT_EQ(s.state("data_units_read"), CheckState::kPassed);
  s.end.smart.data_units_read = Uint128{40, 0};
  EXPECT_EQ(s.state("data_units_read"), CheckState::kFailed);
  s.end.smart.data_units_read = Uint128{49, 0};  // one thousand more than the rounding allows
  EXPECT_EQ(s.state("data_units_read"), CheckState::kFailed);
  // Reads of a size the driver did not know lift the upper bound, not the lower.
  s.activity.counts.reads_of_unknown_size = 1;
  EXPECT_EQ(s.state("data_units_read"), CheckState::kPassed);
  s.end.smart.data_units_read = Uint128{47, 0};
  EXPECT_EQ(s.state("data_units_read"), CheckState::kFailed);
}

TEST(HealthReconciliation, NewErrorEntriesMustNameAFailureAndUnloggedFailuresAreListed) {
  Snapshots s;
  s.start.errors = {entry(7, 1, 3), ErrorLogEntry{}};
  s.activity.failures = {{0, 12, spec::Status::make(1, 0x09)}, {1, 40, spec::Status::make(0, 0x80)}};
  s.end.errors = {entry(8, 0, 12), entry(7, 1, 3)};  // the old entry (count 7) is not judged again
  auto r = find(s.run(), "error_log_entries");
  EXPECT_EQ(r.state, CheckState::kPassed) << r.actual;
  EXPECT_THAT(measured(r, "failures no error log entry records"), ::testing::HasSubstr("SQID 1 CID 40"));
  EXPECT_THAT(measured(r, "failures no error log entry records"), ::testing::Not(::testing::HasSubstr("CID 12")));

  s.end.errors = {entry(9, 0, 13), entry(8, 0, 12)};  // CID 13 never failed
  r = find(s.run(), "error_log_entries");
  EXPECT_EQ(r.state, CheckState::kFailed);
  EXPECT_THAT(measured(r, "entries naming no failed command"), ::testing::HasSubstr("SQID 0 CID 13"));

  s.end.errors = {entry(9, 0xFFFF, 0xFFFF), entry(8, 0, 12)};  // not caused by a command: listed, not judged
  r = find(s.run(), "error_log_entries");
  EXPECT_EQ(r.state, CheckState::kPassed);
  EXPECT_EQ(measured(r, "not specific to a command"), "1");
}

TEST(HealthReconciliation, TheErrorLogMustHoldWhatSmartCounts) {
  Snapshots s;
  s.start.smart.num_err_log_entries = Uint128{7, 0};
  s.start.errors = {entry(7, 0, 1)};
  s.end.smart.num_err_log_entries = Uint128{9, 0};
  s.end.errors = {entry(9, 0, 3), entry(8, 0, 2), entry(7, 0, 1)};
  EXPECT_EQ(s.state("error_log_count"), CheckState::kPassed);
  s.end.errors = {entry(7, 0, 1)};  // counted, never written
  EXPECT_EQ(s.state("error_log_count"), CheckState::kFailed);
  // A device that neither logs nor counts (QEMU 7.2) is consistent.
  Snapshots quiet;
  quiet.activity.failures = {{0, 1, spec::Status::make(0, 0x02)}};
  EXPECT_EQ(quiet.state("error_log_count"), CheckState::kPassed);
  EXPECT_EQ(quiet.state("error_log_entries"), CheckState::kPassed);
}

TEST(HealthReconciliation, EveryEnableMustMeetCapTo) {
  Snapshots s;
  s.activity.ready_timeout_ms = 500;
  s.activity.counts.enables = 3;
  s.activity.counts.slowest_enable = std::chrono::milliseconds(499);
  EXPECT_EQ(s.state("enable_latency"), CheckState::kPassed);
  s.activity.counts.slowest_enable = std::chrono::milliseconds(700);  // inside the driver's slack, past the claim
  EXPECT_EQ(s.state("enable_latency"), CheckState::kFailed);
  s.activity.ready_timeout_ms = 0;
  EXPECT_EQ(s.state("enable_latency"), CheckState::kNotApplicable);
}

TEST(HealthReconciliation, FieldsUseNvmeCliKeysAndSignedDifferences) {
  HealthSnapshot a;
  HealthSnapshot b;
  a.smart.composite_temperature = 313;
  b.smart.composite_temperature = 310;
  b.smart.host_reads = Uint128{4, 0};
  const auto fields = health_fields(a, b);
  std::vector<std::string> keys;
  for (const auto& f : fields) keys.push_back(f.key);
  EXPECT_THAT(keys,
              ::testing::IsSupersetOf({"temperature", "critical_warning", "avail_spare", "media_errors",
                                       "num_err_log_entries", "data_units_read", "data_units_written",
                                       "host_read_commands", "host_write_commands", "power_cycles", "power_on_hours"}));
  EXPECT_EQ(fields.front().difference(), -3);
  EXPECT_EQ(fields[7].key, "host_read_commands");
  EXPECT_EQ(fields[7].difference(), 4);
}

}  // namespace
}  // namespace nvqual::harness
