// `nvqual run --html FILE`: the run as one self-contained HTML page, written
// once at the end like the other reports. The page is drawn from the same
// document `--json` writes (kept in memory here), so `nvqual report RUN.json
// --html` and `run --html` give the same page for the same run.
#pragma once

#include <filesystem>

#include "nvqual/harness/json_reporter.hpp"
#include "nvqual/harness/listener.hpp"

namespace nvqual::harness {

class HtmlReporter final : public RunListener {
 public:
  explicit HtmlReporter(std::filesystem::path path);

  void on_run_start(const RunInfo& info) override { run_.on_run_start(info); }
  void on_suite_start(const Suite& suite, std::chrono::system_clock::time_point started) override {
    run_.on_suite_start(suite, started);
  }
  void on_case_start(const Suite& suite, const Case& test_case) override { run_.on_case_start(suite, test_case); }
  void on_case_end(const Suite& suite, const Case& test_case, const CaseResult& result) override {
    run_.on_case_end(suite, test_case, result);
  }
  void on_suite_end(const Suite& suite, const SuiteTotals& totals) override { run_.on_suite_end(suite, totals); }
  void on_run_end(const RunSummary& summary) override;

 private:
  std::filesystem::path path_;
  JsonReporter run_;  // no file of its own: the page's source
};

}  // namespace nvqual::harness
