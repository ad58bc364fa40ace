// JUnit XML for CI (format: reports/README.md). Valid against the strict
// Ant/windyroad schema and Jenkins' xUnit schema. The reporter accumulates the
// run and writes the file once, in on_run_end, to FILE.tmp and then renames it:
// no half-written report ever exists, and an interrupted run still gets one.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "nvqual/harness/listener.hpp"
#include "nvqual/harness/report_output.hpp"  // xml_safe, write_file_atomically

namespace nvqual::harness {

class JunitReporter final : public RunListener {
 public:
  explicit JunitReporter(std::filesystem::path path);

  void on_run_start(const RunInfo& info) override;
  void on_suite_start(const Suite& suite, std::chrono::system_clock::time_point started) override;
  void on_case_end(const Suite& suite, const Case& test_case, const CaseResult& result) override;
  void on_suite_end(const Suite& suite, const SuiteTotals& totals) override;
  void on_run_end(const RunSummary& summary) override;

  // The document as it would be written now (for tests).
  std::string xml(const RunSummary& summary) const;

 private:
  struct CaseRecord {
    std::string name;
    const Case* c = nullptr;
    CaseResult result;
  };
  struct SuiteRecord {
    const Suite* suite = nullptr;
    std::chrono::system_clock::time_point started{};
    SuiteTotals totals;
    bool finished = false;
    std::vector<CaseRecord> cases;
  };

  std::filesystem::path path_;
  RunInfo info_;
  std::vector<SuiteRecord> suites_;
};

// "2024-05-01T12:34:56" in UTC, no zone (the strict schema forbids one).
std::string junit_timestamp(std::chrono::system_clock::time_point when);

}  // namespace nvqual::harness
