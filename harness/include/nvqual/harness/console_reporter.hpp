// Terminal output: a line per case as it finishes and a summary table at the end.
// Quiet prints only problems and the table; verbose adds every check, the
// measurements and the command log of each case.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "nvqual/harness/listener.hpp"

namespace nvqual::harness {

enum class Verbosity { kQuiet, kNormal, kVerbose };

class ConsoleReporter final : public RunListener {
 public:
  explicit ConsoleReporter(std::FILE* out = stdout, Verbosity verbosity = Verbosity::kNormal);

  void on_run_start(const RunInfo& info) override;
  void on_suite_start(const Suite& suite, std::chrono::system_clock::time_point started) override;
  void on_case_end(const Suite& suite, const Case& test_case, const CaseResult& result) override;
  void on_suite_end(const Suite& suite, const SuiteTotals& totals) override;
  void on_run_end(const RunSummary& summary) override;

 private:
  struct Row {
    std::string suite;
    SuiteTotals totals;
  };
  std::FILE* out_;
  Verbosity verbosity_;
  bool simulator_ = false;
  std::string media_changes_;  // "allowed, serial ..., scratch ...", empty when not allowed
  std::vector<Row> rows_;
};

}  // namespace nvqual::harness
