// What a run produced, as the reporters see it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nvqual/driver/command_log.hpp"
#include "nvqual/driver/errors.hpp"
#include "nvqual/harness/build_info.hpp"
#include "nvqual/harness/check.hpp"
#include "nvqual/harness/expression.hpp"

namespace nvqual::harness {

// JUnit's outcome mapping (STYLE.md 13): a check that fails is a failure; the
// harness or the device misbehaving (timeouts, fatal status, a failed health
// probe, an interrupted case) is an error; a case that does not apply is skipped.
enum class Outcome { kPassed, kFailed, kError, kSkipped };
std::string_view to_string(Outcome outcome);

// What a failure or error was, or why a case was skipped without running: the
// `type` of the JUnit element and of the JSON case (reports/README.md).
enum class ProblemType {
  kNone,         // "": passed, or skipped because no check applied
  kCheck,        // "check": a check failed
  kDriverError,  // "DriverError.<kind>": the driver threw (CaseResult::driver_error says which)
  kHealthProbe,  // "health-probe": CSTS.CFS or the Identify round trip after the case
  kDeadline,     // "deadline": the case ran past its timeout
  kInterrupted,  // "interrupted": a signal or a requested stop
  kInput,        // "input": the suite's input does not work on this device
  kDevice,       // "device": the device could not be opened or probed
  kHarness,      // "harness": nvqual itself failed
  kNotRun,       // "not-run": skipped by a rule, or because the run stopped
};
// The text above without the kind: "DriverError" for kDriverError.
std::string_view to_string(ProblemType type);

// Where a failure or error arose.
enum class FailedIn {
  kNone,   // passed and skipped cases
  kSetup,  // reaching the case's start state
  kSteps,  // the case's own steps and checks
  kProbe,  // the health probe after the case
  kRun,    // not attributable to the case: the device could not be probed, the run stopped
};

struct Measurement {
  std::string name;   // "CC.EN 0->1 latency"
  std::string value;  // "0.120 ms (bound 10500 ms)"
};

// A feature a case changed and the Set Features that puts its old value back
// (harness/src/feature_restore.cpp runs them after the case, whatever its outcome).
struct FeatureRestore {
  uint8_t fid = 0;
  uint32_t nsid = 0;
  uint32_t selector = 0;  // the CDW11 bits that name which value (TMPSEL/THSEL, IV): one entry per value
  uint32_t cdw11 = 0;     // the Set Features CDW11 that restores it
  bool save = false;      // the saved value (SV=1) is restored, not the current one
};

struct CaseResult {
  Outcome outcome = Outcome::kPassed;
  ProblemType type = ProblemType::kNone;
  // Which DriverError, when type is kDriverError.
  ErrorKind driver_error = ErrorKind::kEnvironment;
  std::string message;  // one line: expected vs actual and the spec section
  std::string details;  // every check, measurements, then the command log
  std::vector<CheckResult> checks;
  std::vector<Measurement> measurements;
  std::string command_log;
  // Every command of the case that completed with an error status (the
  // command log's ring may have dropped some of them), for the JSON report.
  std::vector<CommandRecord> failed_commands;
  uint64_t failed_commands_dropped = 0;
  // Features the case changed, to restore after it (in the order changed).
  std::vector<FeatureRestore> feature_restores;
  std::chrono::nanoseconds duration{0};
  FailedIn failed_in = FailedIn::kNone;  // kNone for passed and skipped cases
};

// The type the reports print for `result`: to_string(result.type), and for a
// driver error "DriverError.<kind>" ("DriverError.command timeout").
std::string reported_type(const CaseResult& result);

struct SuiteTotals {
  int tests = 0;
  int passed = 0;
  int failures = 0;
  int errors = 0;
  int skipped = 0;
  std::chrono::nanoseconds duration{0};
  void add(Outcome outcome);
};

// The device (or simulator) a run talked to; goes into every report.
struct TargetInfo {
  bool simulator = true;
  std::string description;  // "simulator (default profile)" or the BDF
  std::string bdf;          // empty for the simulator
  std::string vid;          // "0x1b36"
  std::string ssvid;
  std::string serial;
  std::string model;
  std::string firmware;
  std::string nvme_version;   // "1.4.0" from VS
  std::string reset_latency;  // CC.EN 1->0 measured while probing
  std::string ready_latency;  // CC.EN 0->1 measured while probing
  std::string probe_error;    // set when the device could not be probed: every case is an error
  Variables facts;
};

// The run's media-change settings (docs/data-integrity.md), for the reports.
struct MediaChangeSettings {
  bool allowed = false;              // --allow-media-changes
  std::string confirmed_serial;      // --confirm-serial, once it matched the device's serial
  std::vector<std::string> scratch;  // "nsid 1 LBA 0:1023", "nsid 2 all"
};

struct RunInfo {
  TargetInfo target;
  MediaChangeSettings media_changes;
  std::string nvqual_version = NVQUAL_VERSION;
  std::string git_revision = ::nvqual::harness::git_revision();  // at build time
  std::string hostname;
  std::string model_profile;  // name, or empty
  bool expect_pattern = false;
  std::chrono::system_clock::time_point started{};
};

struct RunSummary {
  SuiteTotals totals;
  bool interrupted = false;
  std::string interrupt_reason;  // "SIGINT", "SIGTERM", "stop requested"
  bool device_lost = false;      // a health probe failed and the controller did not come back
  std::string device_problem;
  uint64_t media_changing_commands = 0;  // sent to the device (the driver counts what it rang for)
};

// The exit code for a finished run (app/command.hpp): 0 all passed (skips
// allowed), 1 any failure or error, 3 interrupted or the device was lost.
int exit_code_for(const RunSummary& summary);

}  // namespace nvqual::harness
