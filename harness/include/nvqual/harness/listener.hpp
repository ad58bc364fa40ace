// Reporters are listeners on run events, in the order they fire (GoogleTest's
// TestEventListener): run start, suite start, case start, case end, suite end,
// run end. ListenerRepeater fans events out: start events in registration
// order, end events in reverse, so nesting stays balanced for every listener.
// on_run_end is where reporters write their files.
#pragma once

#include <memory>
#include <vector>

#include "nvqual/harness/health_reconciliation.hpp"
#include "nvqual/harness/results.hpp"
#include "nvqual/harness/suite.hpp"

namespace nvqual::harness {

class RunListener {
 public:
  virtual ~RunListener() = default;
  virtual void on_run_start(const RunInfo&) {}
  virtual void on_suite_start(const Suite&, std::chrono::system_clock::time_point /*started*/) {}
  virtual void on_case_start(const Suite&, const Case&) {}
  virtual void on_case_end(const Suite&, const Case&, const CaseResult&) {}
  // Before the suite's run-level health cases (HEALTH-*), when the runner reconciles health.
  virtual void on_suite_health(const Suite&, const SuiteHealthReport&) {}
  virtual void on_suite_end(const Suite&, const SuiteTotals&) {}
  // Always fires, also for interrupted runs: a report writer finishes its file here.
  virtual void on_run_end(const RunSummary&) {}
};

class ListenerRepeater final : public RunListener {
 public:
  void add(RunListener& listener) { listeners_.push_back(&listener); }

  void on_run_start(const RunInfo& info) override {
    for (auto* l : listeners_) l->on_run_start(info);
  }
  void on_suite_start(const Suite& suite, std::chrono::system_clock::time_point started) override {
    for (auto* l : listeners_) l->on_suite_start(suite, started);
  }
  void on_case_start(const Suite& suite, const Case& test_case) override {
    for (auto* l : listeners_) l->on_case_start(suite, test_case);
  }
  void on_case_end(const Suite& suite, const Case& test_case, const CaseResult& result) override {
    for (auto it = listeners_.rbegin(); it != listeners_.rend(); ++it) (*it)->on_case_end(suite, test_case, result);
  }
  void on_suite_health(const Suite& suite, const SuiteHealthReport& report) override {
    for (auto* l : listeners_) l->on_suite_health(suite, report);
  }
  void on_suite_end(const Suite& suite, const SuiteTotals& totals) override {
    for (auto it = listeners_.rbegin(); it != listeners_.rend(); ++it) (*it)->on_suite_end(suite, totals);
  }
  // Every listener gets the end of the run even when one before it throws
  // (a report that cannot be written must not cost the other its report);
  // the failures are then thrown as one std::runtime_error, one line.
  void on_run_end(const RunSummary& summary) override;

 private:
  std::vector<RunListener*> listeners_;
};

}  // namespace nvqual::harness
