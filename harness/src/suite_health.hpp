// Health around every suite (docs/self-reports.md): SMART / Health and the
// Error Information log read before the suite's first case and after its
// last, with what nvqual did in between (its reads, its failed commands, its
// enables), reconciled into the HEALTH-* cases (health_reconciliation.hpp)
// that the runner reports after the suite's own cases.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "nvqual/driver/controller.hpp"
#include "nvqual/harness/health_reconciliation.hpp"
#include "nvqual/harness/model_profile.hpp"
#include "nvqual/harness/results.hpp"
#include "nvqual/harness/suite.hpp"

namespace nvqual::harness {

class SuiteHealth {
 public:
  // `elpe` is Identify Controller's ELPE from the run's probe (nullopt: read
  // Identify when the snapshot needs it), so a snapshot is two log reads.
  SuiteHealth(uint64_t ready_timeout_ms, std::optional<uint64_t> elpe) : elpe_(elpe) {
    activity_.ready_timeout_ms = ready_timeout_ms;
  }

  bool started() const { return started_; }
  // The start snapshot was tried and could not be read (the problem is the HEALTH cases' own).
  bool start_failed() const { return started_ && !start_ && !failed_in_setup_; }
  // Reads the start snapshot (enabling the controller and reading Identify
  // when needed). Throws nothing: a problem is kept for the cases.
  void begin(Controller& controller);
  // Adds what `controller` counted since the last call, and the failures of
  // its command log (the last case's, its feature restores and health probe).
  void after_case(Controller& controller);
  // Reads the end snapshot and reconciles; `controller` is null when the
  // device cannot be used any more (`why_not` says why).
  void finish(Controller* controller, const std::string& why_not);

  // One result per check of health_checks(), relaxed where `model` says so.
  std::vector<CaseResult> results(const ModelProfile* model) const;
  SuiteHealthReport report() const;

 private:
  std::optional<HealthSnapshot> read(Controller& controller, std::string& problem);

  std::optional<uint64_t> elpe_;
  bool failed_in_setup_ = false;  // the enable before a snapshot failed, not a log read
  bool started_ = false;
  std::optional<HealthSnapshot> start_;
  std::optional<HealthSnapshot> end_;
  std::string problem_;  // a snapshot could not be read
  std::string not_run_;  // the suite ended without a usable device: why
  HealthActivity activity_;
};

// The cases the health checks are reported as, one per check, shared by every suite.
const std::deque<Case>& health_cases();

}  // namespace nvqual::harness
