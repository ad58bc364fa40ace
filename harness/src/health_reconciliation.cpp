#include "nvqual/harness/health_reconciliation.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace nvqual::harness {

namespace {

constexpr uint16_t kNotACommand = 0xFFFF;  // SQID and CID of an entry no command caused (Figure 206)

uint64_t newest_error_count(const std::vector<ErrorLogEntry>& entries) {
  uint64_t newest = 0;
  for (const auto& e : entries) newest = std::max(newest, e.error_count);
  return newest;
}

// Counters as signed differences: a counter that went backwards is a negative growth, not a huge one.
int64_t grew(uint64_t start, uint64_t end) { return static_cast<int64_t>(end - start); }

HealthCheckResult verdict(std::string_view name, bool ok, std::string expected, std::string actual) {
  HealthCheckResult r;
  r.check = find_health_check(name);
  r.state = ok ? CheckState::kPassed : CheckState::kFailed;
  r.expected = std::move(expected);
  r.actual = std::move(actual);
  return r;
}

HealthCheckResult critical_warning(const HealthSnapshot& start, const HealthSnapshot& end) {
  const uint8_t a = start.smart.critical_warning;
  const uint8_t b = end.smart.critical_warning;
  return verdict("critical_warning", a == 0 && b == 0, "0 at the start and at the end",
                 fmt::format("{:#04x} at the start, {:#04x} at the end", a, b));
}

HealthCheckResult media_errors(const HealthSnapshot& start, const HealthSnapshot& end) {
  const uint64_t a = start.smart.media_errors.saturated_64();
  const uint64_t b = end.smart.media_errors.saturated_64();
  return verdict("media_errors", a == b, fmt::format("{} (unchanged)", a), fmt::format("{}", b));
}

// Host Read Commands counts completed Read and Compare commands (Figure 207;
// NVM Command Set 1.0 4.1.4.2): at least those nvqual saw succeed, at most
// every read-class command it sent (Verify and failed reads may count).
HealthCheckResult host_read_commands(const HealthSnapshot& start, const HealthSnapshot& end,
                                     const HealthActivity& activity) {
  const int64_t d = grew(start.smart.host_reads.saturated_64(), end.smart.host_reads.saturated_64());
  const uint64_t least = activity.counts.reads_completed;
  const uint64_t most = activity.counts.reads_sent;
  const bool ok = d >= 0 && static_cast<uint64_t>(d) >= least && static_cast<uint64_t>(d) <= most;
  HealthCheckResult r = verdict("host_read_commands", ok, fmt::format("growth of {}..{}", least, most),
                                fmt::format("growth of {}", d));
  r.measurements.push_back({"reads completed by nvqual", fmt::format("{}", least)});
  r.measurements.push_back({"read, compare and verify commands sent", fmt::format("{}", most)});
  return r;
}

HealthCheckResult data_units_read(const HealthSnapshot& start, const HealthSnapshot& end,
                                  const HealthActivity& activity) {
  const int64_t d = grew(start.smart.data_units_read.saturated_64(), end.smart.data_units_read.saturated_64());
  const CommandCounts& c = activity.counts;
  const std::optional<uint64_t> most_bytes = c.reads_of_unknown_size == 0 ? std::optional<uint64_t>(c.bytes_read_sent)
                                                                          : std::nullopt;
  const UnitRange range = data_units_range(c.bytes_read_completed, most_bytes);
  const bool ok = d >= 0 && static_cast<uint64_t>(d) >= range.least &&
                  (!range.most || static_cast<uint64_t>(d) <= *range.most);
  HealthCheckResult r = verdict("data_units_read", ok,
                                range.most ? fmt::format("growth of {}..{}", range.least, *range.most)
                                           : fmt::format("growth of at least {}", range.least),
                                fmt::format("growth of {}", d));
  r.measurements.push_back({"bytes read by nvqual", fmt::format("{} ({} 512-byte units)", c.bytes_read_completed,
                                                                c.bytes_read_completed / 512)});
  if (most_bytes) {
    r.measurements.push_back({"bytes of every read, compare and verify sent", fmt::format("{}", *most_bytes)});
  } else {
    r.measurements.push_back(
        {"read-class commands of unknown size (no upper bound)", fmt::format("{}", c.reads_of_unknown_size)});
  }
  return r;
}

// New entries (Error Count above the newest at the start) must each name a
// command nvqual saw fail; failures no entry records are listed, because
// the spec leaves part of what to log to the device (Base 2.0 5.16.1.2).
HealthCheckResult error_log_entries(const HealthSnapshot& start, const HealthSnapshot& end,
                                    const HealthActivity& activity) {
  const uint64_t baseline = newest_error_count(start.errors);
  uint64_t fresh = 0;
  uint64_t not_command = 0;
  std::string unmatched;
  uint64_t unmatched_count = 0;
  std::vector<const ErrorLogEntry*> new_entries;
  for (const auto& e : end.errors) {
    if (!e.used() || e.error_count <= baseline) continue;
    ++fresh;
    new_entries.push_back(&e);
    if (e.sqid == kNotACommand && e.cid == kNotACommand) {
      ++not_command;
      continue;
    }
    const bool seen = std::any_of(activity.failures.begin(), activity.failures.end(),
                                  [&](const FailedCommandId& f) { return f.sqid == e.sqid && f.cid == e.cid; });
    if (seen) continue;
    ++unmatched_count;
    unmatched += fmt::format("{}count {} SQID {} CID {} ({})", unmatched.empty() ? "" : "; ", e.error_count, e.sqid,
                             e.cid, e.status.describe());
  }
  HealthCheckResult r = verdict("error_log_entries", unmatched_count == 0,
                                "every new entry names a failed command (SQID, CID)",
                                fmt::format("{} of {} new entries name none", unmatched_count, fresh));
  r.measurements.push_back({"new error log entries", fmt::format("{}", fresh)});
  r.measurements.push_back({"commands nvqual saw fail", fmt::format("{}", activity.failures.size())});
  if (activity.failures_dropped != 0) {
    r.measurements.push_back({"failures the command log could not keep", fmt::format("{}", activity.failures_dropped)});
  }
  if (not_command != 0) {
    r.measurements.push_back(
        {"new entries not specific to a command (SQID and CID FFFFh)", fmt::format("{}", not_command)});
  }
  if (!unmatched.empty()) r.measurements.push_back({"entries naming no failed command", unmatched});
  std::string unlogged;
  uint64_t unlogged_count = 0;
  constexpr uint64_t kListed = 32;
  for (const auto& f : activity.failures) {
    const bool logged = std::any_of(new_entries.begin(), new_entries.end(),
                                    [&](const ErrorLogEntry* e) { return e->sqid == f.sqid && e->cid == f.cid; });
    if (logged) continue;
    if (++unlogged_count <= kListed) {
      unlogged += fmt::format("{}SQID {} CID {} ({})", unlogged.empty() ? "" : ", ", f.sqid, f.cid,
                              f.status.describe());
    }
  }
  if (unlogged_count > kListed) unlogged += fmt::format(" and {} more", unlogged_count - kListed);
  if (unlogged_count != 0) {
    r.measurements.push_back({"failures no error log entry records (the spec lets a device not log them)",
                              fmt::format("{}: {}", unlogged_count, unlogged)});
  }
  return r;
}

// SMART's Number of Error Information Log Entries and the Error Count of the
// newest entry count the same entries (Figures 206, 207): an entry counted
// and not written (or written and not counted) is a log that loses errors.
HealthCheckResult error_log_count(const HealthSnapshot& start, const HealthSnapshot& end) {
  const int64_t counted = grew(start.smart.num_err_log_entries.saturated_64(),
                               end.smart.num_err_log_entries.saturated_64());
  const int64_t logged = grew(newest_error_count(start.errors), newest_error_count(end.errors));
  return verdict("error_log_count", counted == logged,
                 fmt::format("the newest Error Count grows as SMART's entry count ({})", counted),
                 fmt::format("the newest Error Count grew by {}", logged));
}

// Every CC.EN 0->1 nvqual made reached CSTS.RDY=1 within what CAP.TO (or
// CRTO.CRWMT, when larger) promises (Base 2.0 3.1.3.1, 3.5.1), not just
// within the driver's bound, which adds a slack.
HealthCheckResult enable_latency(const HealthActivity& activity) {
  const auto& c = activity.counts;
  const double slowest_ms = static_cast<double>(c.slowest_enable.count()) / 1e6;
  HealthCheckResult r;
  if (activity.ready_timeout_ms == 0 || c.enables == 0) {
    r = verdict("enable_latency", true, "", "");
    r.state = CheckState::kNotApplicable;
    r.expected = c.enables == 0 ? "no enable to measure" : "CAP.TO unknown";
    return r;
  }
  const auto bound = std::chrono::milliseconds(activity.ready_timeout_ms);
  r = verdict("enable_latency", c.slowest_enable <= bound, fmt::format("at most {} ms", activity.ready_timeout_ms),
              fmt::format("{:.3f} ms", slowest_ms));
  r.measurements.push_back({"enables", fmt::format("{}", c.enables)});
  return r;
}

}  // namespace

std::vector<HealthField> health_fields(const HealthSnapshot& start, const HealthSnapshot& end) {
  const SmartLog& a = start.smart;
  const SmartLog& b = end.smart;
  return {
      {"temperature", a.composite_temperature, b.composite_temperature},
      {"critical_warning", a.critical_warning, b.critical_warning},
      {"avail_spare", a.avail_spare, b.avail_spare},
      {"media_errors", a.media_errors.saturated_64(), b.media_errors.saturated_64()},
      {"num_err_log_entries", a.num_err_log_entries.saturated_64(), b.num_err_log_entries.saturated_64()},
      {"data_units_read", a.data_units_read.saturated_64(), b.data_units_read.saturated_64()},
      {"data_units_written", a.data_units_written.saturated_64(), b.data_units_written.saturated_64()},
      {"host_read_commands", a.host_reads.saturated_64(), b.host_reads.saturated_64()},
      {"host_write_commands", a.host_writes.saturated_64(), b.host_writes.saturated_64()},
      {"power_cycles", a.power_cycles.saturated_64(), b.power_cycles.saturated_64()},
      {"power_on_hours", a.power_on_hours.saturated_64(), b.power_on_hours.saturated_64()},
      {"error_log_newest_count", newest_error_count(start.errors), newest_error_count(end.errors)},
  };
}

const std::vector<HealthCheckInfo>& health_checks() {
  static const std::vector<HealthCheckInfo> kChecks = {
      {"critical_warning", "HEALTH-001", "SMART Critical Warning stays 0 around the suite", "Base 2.0 5.16.1.3"},
      {"media_errors", "HEALTH-002", "Media and Data Integrity Errors do not grow during the suite",
       "Base 2.0 5.16.1.3"},
      {"host_read_commands", "HEALTH-003", "Host Read Commands grow by the reads nvqual completed",
       "Base 2.0 5.16.1.3"},
      {"data_units_read", "HEALTH-004",
       "Data Units Read grow by the bytes nvqual read (thousands of 512-byte units, rounded up)", "Base 2.0 5.16.1.3"},
      {"error_log_entries", "HEALTH-005", "Every new Error Information entry names a command nvqual saw fail",
       "Base 2.0 5.16.1.2"},
      {"error_log_count", "HEALTH-006", "The Error Information log holds the entries SMART counts",
       "Base 2.0 5.16.1.2"},
      {"enable_latency", "HEALTH-007", "Every CC.EN 0->1 of the suite reached CSTS.RDY=1 within CAP.TO (or CRTO)",
       "Base 2.0 3.5.1"},
  };
  return kChecks;
}

const HealthCheckInfo* find_health_check(std::string_view name) {
  for (const auto& c : health_checks()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

UnitRange data_units_range(uint64_t least_bytes, std::optional<uint64_t> most_bytes) {
  UnitRange r;
  r.least = least_bytes / 512 / 1000;
  if (most_bytes) r.most = ((*most_bytes + 511) / 512 + 999) / 1000;
  return r;
}

std::vector<HealthCheckResult> reconcile_health(const HealthSnapshot& start, const HealthSnapshot& end,
                                                const HealthActivity& activity) {
  return {
      critical_warning(start, end),
      media_errors(start, end),
      host_read_commands(start, end, activity),
      data_units_read(start, end, activity),
      error_log_entries(start, end, activity),
      error_log_count(start, end),
      enable_latency(activity),
  };
}

}  // namespace nvqual::harness
