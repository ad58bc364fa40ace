// A finished run read back from its `--json` report (format nvqual-run/1,
// reports/README.md), for the tools that work on reports after the fact:
// `nvqual compare` and `nvqual report`. Reading checks the structure those
// tools rely on, so they never meet a half-valid document.
#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace nvqual::harness {

// A report that cannot be used: missing, unreadable, not JSON, not
// nvqual-run/1 or missing a field. The message is one line naming the file,
// the problem and what to do.
class RunReportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ReportCheck {
  std::string check;  // "status in {00/80, 00/81}"
  std::string state;  // passed, failed, not_applicable
  std::string expected;
  std::string actual;
  std::string at;  // suites/read.yaml:67:11
};

struct ReportCase {
  std::string id;
  std::string title;
  std::string spec;
  std::string outcome;  // passed, failed, error, skipped
  std::string type;
  std::string message;
  double seconds = 0;
  std::vector<ReportCheck> checks;
  std::map<std::string, std::string> measurements;  // name -> "0.120 ms (bound ...)"
  std::string command_log;
};

struct ReportTotals {
  long tests = 0, passed = 0, failures = 0, errors = 0, skipped = 0;
  double seconds = 0;
};

struct ReportSuite {
  std::string name;
  std::string area;
  std::string file;
  std::string sha256;
  std::vector<ReportCase> cases;
  ReportTotals totals;
};

struct RunReport {
  std::filesystem::path path;  // where it was read from
  std::string nvqual_version, git_revision, hostname, started, model_profile;
  std::string target_kind;    // device or simulator
  std::string qualification;  // "device" or the simulator warning
  // Who the device is: description, bdf, vid, ssvid, serial, model, firmware,
  // nvme_version, reset_latency, ready_latency, probe_error - as reported.
  std::map<std::string, std::string> identity;
  std::map<std::string, std::string> facts;  // Identify facts (nsze, mdts...), as text
  std::vector<ReportSuite> suites;
  ReportTotals totals;
  bool interrupted = false;
  std::string interrupt_reason;
  bool device_lost = false;
  std::string device_problem;
};

// Reads `path`. Throws RunReportError.
RunReport load_run_report(const std::filesystem::path& path);
// The same from text; `source` names it in messages.
RunReport parse_run_report(const std::string& text, const std::string& source);

}  // namespace nvqual::harness
