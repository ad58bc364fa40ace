// The run-level health checks (docs/self-reports.md): what a device says
// about itself in SMART / Health (02h) and the Error Information log (01h)
// before and after a suite, held against what nvqual did in between. Pure
// functions over two snapshots and nvqual's own counts; the runner reads the
// snapshots (suite_health.cpp) and reports each check as a case.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nvqual/driver/command_counts.hpp"
#include "nvqual/driver/log_pages.hpp"
#include "nvqual/harness/check.hpp"
#include "nvqual/harness/results.hpp"

namespace nvqual::harness {

// What the device said about itself at one moment.
struct HealthSnapshot {
  SmartLog smart;
  std::vector<ErrorLogEntry> errors;  // the whole Error Information log, unused entries included
};

// A command nvqual saw complete with an error status.
struct FailedCommandId {
  uint16_t sqid = 0;
  uint16_t cid = 0;
  spec::Status status;
};

// What nvqual did between the two snapshots.
struct HealthActivity {
  CommandCounts counts;
  std::vector<FailedCommandId> failures;
  uint64_t failures_dropped = 0;  // failures the command log could not keep (beyond CommandLog::kMaxFailures)
  // The ready bound the device claims (CAP.TO, or CRTO.CRWMT when larger), ms; 0: unknown.
  uint64_t ready_timeout_ms = 0;
};

// One field of SMART / Health at both ends, by nvme-cli smart-log's key.
struct HealthField {
  std::string key;  // "data_units_read"
  uint64_t start = 0;
  uint64_t end = 0;
  // end - start; negative when a counter went backwards.
  int64_t difference() const { return static_cast<int64_t>(end - start); }
};

// Temperature, critical warning, available spare, media errors, error log
// entries, data units read/written, host read/write commands, power cycles
// and power-on hours (nvme-cli smart-log key names), in that order. Also
// `error_log_newest_count`: the highest Error Count in the Error log.
std::vector<HealthField> health_fields(const HealthSnapshot& start, const HealthSnapshot& end);

// Both snapshots of a suite and their differences, for the reports.
struct SuiteHealthReport {
  bool read = false;    // both snapshots were read
  std::string problem;  // why not
  std::vector<HealthField> fields;
};

// The checks by name (the names a model profile's `relax:` takes).
struct HealthCheckInfo {
  std::string_view name;  // "host_read_commands"
  std::string_view id;    // "HEALTH-003"
  std::string_view title;
  std::string_view spec;
};
const std::vector<HealthCheckInfo>& health_checks();
const HealthCheckInfo* find_health_check(std::string_view name);

// One check's verdict.
struct HealthCheckResult {
  const HealthCheckInfo* check = nullptr;
  CheckState state = CheckState::kPassed;
  std::string expected;
  std::string actual;
  std::vector<Measurement> measurements;  // what the verdict rests on, and lists (unlogged failures)
};

// Every check of health_checks(), in that order.
std::vector<HealthCheckResult> reconcile_health(const HealthSnapshot& start, const HealthSnapshot& end,
                                                const HealthActivity& activity);

// Data Units Read counts thousands of 512-byte units, rounded up (Base 2.0
// Figure 207): a counter that stood at ceil(U/1000) and grew by exactly d
// units moves by ceil((U+d)/1000) - ceil(U/1000), which is floor(d/1000) or
// ceil(d/1000) depending on the U the host cannot see. The range a device's
// difference must fall in, for at least `least_bytes` and at most
// `most_bytes` read (nullopt: no upper bound known).
struct UnitRange {
  uint64_t least = 0;
  std::optional<uint64_t> most;
};
UnitRange data_units_range(uint64_t least_bytes, std::optional<uint64_t> most_bytes);

}  // namespace nvqual::harness
