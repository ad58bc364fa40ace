// A listener that remembers every event, for tests of the runner and reporters.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "nvqual/harness/listener.hpp"

namespace nvqual::harness::testing {

class RecordingListener final : public RunListener {
 public:
  struct Entry {
    std::string suite;
    std::string id;
    CaseResult result;
  };

  void on_run_start(const RunInfo& i) override {
    info = i;
    events.push_back("run_start");
  }
  void on_suite_start(const Suite& s, std::chrono::system_clock::time_point) override {
    events.push_back("suite_start " + s.name);
  }
  void on_case_start(const Suite&, const Case& c) override { events.push_back("case_start " + c.id); }
  void on_case_end(const Suite& s, const Case& c, const CaseResult& r) override {
    events.push_back("case_end " + c.id);
    results.push_back({s.name, c.id, r});
  }
  void on_suite_end(const Suite& s, const SuiteTotals&) override { events.push_back("suite_end " + s.name); }
  void on_run_end(const RunSummary& s) override {
    summary = s;
    events.push_back("run_end");
  }

  const CaseResult* find(const std::string& id) const {
    for (const auto& e : results) {
      if (e.id == id) return &e.result;
    }
    return nullptr;
  }
  // "ID: outcome: message" for every case that did not pass or skip, for assertion messages.
  std::string problems() const {
    std::string out;
    for (const auto& e : results) {
      if (e.result.outcome == Outcome::kFailed || e.result.outcome == Outcome::kError) {
        out += e.id + ": " + std::string(to_string(e.result.outcome)) + ": " + e.result.message + "\n";
      }
    }
    return out;
  }

  RunInfo info;
  RunSummary summary;
  std::vector<std::string> events;
  std::vector<Entry> results;
};

}  // namespace nvqual::harness::testing
