// Two runs compared case by case (`nvqual compare OLD.json NEW.json`): what a
// firmware update or another SSD model changed. Cases are matched by suite
// name and case id.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "nvqual/harness/run_report.hpp"

namespace nvqual::harness {

enum class ChangeKind {
  kRegressed,    // passed -> failed or error
  kFixed,        // failed or error -> passed
  kOutcome,      // any other outcome change (to or from skipped, failed <-> error);
                 // passed -> skipped is a regression
  kStatusInSet,  // an accept-set check passed in both, with another status
  kIdentify,     // an Identify field or fact of the device changed
  kDrift,        // a measurement moved by more than the tolerance
  kAdded,        // a case only NEW has
  kRemoved,      // a case only OLD has
};
std::string_view to_string(ChangeKind kind);

struct Change {
  ChangeKind kind;
  bool regression = false;  // counts towards exit 1
  std::string suite;        // empty for device-wide changes (Identify)
  std::string case_id;
  std::string what;  // the check, field or measurement
  std::string old_value;
  std::string new_value;
};

struct ComparisonOptions {
  // A measurement drifts when |new - old| > tolerance_percent % of old.
  double tolerance_percent = 25.0;
  // Suites whose files differ (sha256) are compared anyway.
  bool allow_suite_changes = false;
};

// The suites run in both reports from different suite files.
struct SuiteChange {
  std::string suite;
  std::string old_sha256;
  std::string new_sha256;
};

struct Comparison {
  std::vector<SuiteChange> suite_changes;
  std::vector<Change> changes;
  size_t matched_cases = 0;
  bool regressed() const;
};

// Suites of different digests: the two runs did not run the same checks.
class SuiteDigestMismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws SuiteDigestMismatch (one line) when a suite in both runs differs and
// options.allow_suite_changes is false.
Comparison compare_runs(const RunReport& old_run, const RunReport& new_run, const ComparisonOptions& options);

// A measurement's leading number in milliseconds ("0.120 ms (bound ...)",
// "15 us", "2 s"); false when it has none with a time unit.
bool measurement_ms(const std::string& text, double& ms);

// The comparison for a terminal: a line per change, then a summary line.
std::string comparison_table(const Comparison& comparison, const RunReport& old_run, const RunReport& new_run);
// The comparison as JSON (format nvqual-compare/1, docs/lab-operations.md).
std::string comparison_json(const Comparison& comparison, const RunReport& old_run, const RunReport& new_run,
                            const ComparisonOptions& options);

}  // namespace nvqual::harness
