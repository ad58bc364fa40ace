// A conformance suite as loaded from suites/*.yaml (format: suites/README.md).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "nvqual/harness/check.hpp"
#include "nvqual/harness/expression.hpp"
#include "nvqual/harness/step.hpp"
#include "nvqual/harness/suite_error.hpp"

namespace nvqual::harness {

// The state a case starts from. The runner gets there from scratch (CC.EN=0 first)
// before every case, so no case depends on what the previous one left behind.
enum class StartState {
  kDisabled,  // CC.EN=0, CSTS.RDY=0
  kEnabled,   // admin queue programmed and enabled; no command issued yet
  kAdmin,     // enabled + Set Features Number of Queues (no Identify: cases may be about it)
  kIo,        // admin + Identify Controller + io_queues.count I/O queue pairs (QID 1..count)
};
std::string_view to_string(StartState state);

struct StepCall {
  SourceMark mark;
  const StepDefinition* definition = nullptr;
  StepArgs args;
  std::vector<Check> checks;
  std::string save;                  // keep this step's `data` under this name
  std::optional<Expression> repeat;  // run the step this many times (iteration = 0..n-1)
};

struct Condition {
  Expression expression;
  std::string reason;
  SourceMark mark;
};

struct Case {
  std::string id;
  std::string title;
  std::string spec;  // the NVMe spec section it checks, e.g. "Base 2.0 3.1.3.5"
  std::string description;
  std::vector<std::string> tags;
  SourceMark mark;
  StartState state = StartState::kAdmin;
  Expression admin_sq_entries;  // defaults applied by the loader
  Expression admin_cq_entries;
  Expression io_queue_count;
  Expression io_queue_entries;
  std::vector<Condition> requires_all;  // skipped unless every one holds
  std::vector<Condition> skip_if;       // skipped when any holds
  std::chrono::seconds timeout{60};
  std::vector<StepCall> steps;
  // Derived by the loader from the checks it holds.
  bool needs_pattern = false;  // has a `pattern` check: runs only when the media carries the stamp
  bool needs_model = false;    // has a `model` check: runs only with --model
  bool changes_media = false;  // its suite declares media_changes: runs only with --allow-media-changes

  // "ID-001: Identify Controller succeeds"
  std::string display_name() const { return id + ": " + title; }
};

struct Suite {
  std::string name;  // equals the file's stem
  std::string description;
  std::string area;  // ctest label: registers, admin, identify, queues, read...
  std::vector<std::string> spec;
  std::vector<std::string> tags;
  bool media_changes = false;
  std::string path;
  std::string sha256;  // of the file as loaded
  std::vector<Case> cases;
};

}  // namespace nvqual::harness
