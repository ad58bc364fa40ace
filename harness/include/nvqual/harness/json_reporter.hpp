// The whole run as JSON (--json FILE), for scripts: target, every case with its
// outcome, checks and measurements. Written once at the end, atomically.
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "nvqual/harness/listener.hpp"

namespace nvqual::harness {

class JsonReporter final : public RunListener {
 public:
  // An empty path keeps the document in memory only (document()).
  explicit JsonReporter(std::filesystem::path path);

  void on_run_start(const RunInfo& info) override;
  void on_suite_start(const Suite& suite, std::chrono::system_clock::time_point started) override;
  void on_case_end(const Suite& suite, const Case& test_case, const CaseResult& result) override;
  // suites[].health: SMART / Health at the suite's start and end and the differences (nvme-cli smart-log keys).
  void on_suite_health(const Suite& suite, const SuiteHealthReport& report) override;
  void on_suite_end(const Suite& suite, const SuiteTotals& totals) override;
  void on_run_end(const RunSummary& summary) override;

  const nlohmann::json& document() const { return doc_; }

 private:
  std::filesystem::path path_;
  nlohmann::json doc_;
};

}  // namespace nvqual::harness
