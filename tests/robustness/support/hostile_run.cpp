#include "hostile_run.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "coarse_virtual_clock.hpp"
#include "common/xml_schema.hpp"
#include "harness/support/recording_listener.hpp"
#include "harness/support/sim_run.hpp"
#include "host_mistakes.hpp"
#include "nvqual/driver/controller.hpp"
#include "nvqual/harness/json_reporter.hpp"
#include "nvqual/harness/junit_reporter.hpp"
#include "nvqual/harness/runner.hpp"
#include "nvqual/sim/profile.hpp"
#include "nvqual/sim/simulated_controller.hpp"

namespace nvqual::robustness {

namespace {

// NVQUAL_HOSTILE_VERBOSE: each case's outcome and its wall time, to see where a slow seed spends it.
class WallTimes final : public harness::RunListener {
 public:
  void on_case_start(const harness::Suite&, const harness::Case&) override {
    start_ = std::chrono::steady_clock::now();
  }
  void on_case_end(const harness::Suite&, const harness::Case& c, const harness::CaseResult& r) override {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_);
    fmt::print("{} {} ms {} {} {}\n", c.id, ms.count(), harness::to_string(r.outcome), harness::to_string(r.type),
               r.message);
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

size_t case_count(const std::vector<harness::Suite>& suites) {
  size_t n = 0;
  for (const auto& s : suites) n += s.cases.size();
  return n;
}

void check_junit(const std::filesystem::path& path, size_t cases, std::string& problems) {
  pugi::xml_document doc;
  if (!doc.load_file(path.c_str())) {
    problems += "the JUnit report is not well-formed XML\n";
    return;
  }
  size_t reported = 0;
  for (const auto& s : doc.child("testsuites").children("testsuite")) {
    for ([[maybe_unused]] const auto& c : s.children("testcase")) ++reported;
  }
  if (reported != cases) problems += fmt::format("the JUnit report has {} test cases, not {}\n", reported, cases);
  // Not schema_available(): its GTEST_SKIP would mark the whole shard skipped.
  if (std::filesystem::is_regular_file(testing_schema::schema_path("junit-windyroad.xsd"))) {
    if (testing_schema::xmllint(path, "junit-windyroad.xsd") != 0) {
      problems += "the JUnit report is not valid against junit-windyroad.xsd\n";
    }
  } else if (!testing_schema::schema_required_because().empty()) {
    problems += "junit-windyroad.xsd is missing, and required because " + testing_schema::schema_required_because() +
                "\n";
  }
}

void check_json(const std::filesystem::path& path, size_t cases, std::string& problems) {
  std::ifstream in(path);
  const nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    problems += "the JSON report is not valid JSON\n";
    return;
  }
  size_t reported = 0;
  if (doc.contains("suites") && doc["suites"].is_array()) {
    for (const auto& s : doc["suites"]) {
      if (s.contains("cases") && s["cases"].is_array()) reported += s["cases"].size();
    }
  }
  if (reported != cases) problems += fmt::format("the JSON report has {} cases, not {}\n", reported, cases);
  if (!doc.contains("totals") || !doc["totals"].contains("tests") || doc["totals"]["tests"] != cases) {
    problems += "the JSON report's totals do not count every case\n";
  }
}

}  // namespace

std::string replay_command(uint64_t seed) {
  return fmt::format(
      "NVQUAL_HOSTILE_SEED={} {}/tests/robustness/nvqual_robustness_tests --gtest_filter='HostileReplay.*'   "
      "(on the CLI, in real time: nvqual run --sim-hostile {} --junit r.xml --json r.json)",
      seed, NVQUAL_BINARY_DIR, seed);
}

std::string hostile_run_problems(uint64_t seed, const std::vector<harness::Suite>& suites) {
  const auto stem = std::filesystem::temp_directory_path() / fmt::format("nvqual-hostile-{}-{}", ::getpid(), seed);
  const auto junit_path = stem.string() + ".xml";
  const auto json_path = stem.string() + ".json";
  std::string problems;

  CoarseVirtualClock clock;
  sim::Profile profile = sim::default_profile();
  profile.hostile_seed = seed;
  auto simulator = std::make_unique<sim::SimulatedController>(profile, sim::Mode::kInline, clock);
  harness::testing::RecordingListener listener;
  harness::RunSummary summary;
  bool abandoned = false;
  {
    harness::JunitReporter junit(junit_path);
    harness::JsonReporter json(json_path);
    harness::ListenerRepeater repeater;
    repeater.add(listener);
    repeater.add(junit);
    repeater.add(json);
    WallTimes wall_times;
    if (std::getenv("NVQUAL_HOSTILE_VERBOSE") != nullptr) repeater.add(wall_times);
    harness::Runner runner(*simulator, clock, harness::testing::quick_options(), repeater);
    summary = runner.run(suites);
    abandoned = runner.abandoned_case_thread();
  }
  if (abandoned) {
    // A case thread may still use the simulator: keep it alive rather than free it under the thread.
    (void)simulator.release();
    return "a case thread was abandoned (it did not end after its deadline and the cancel grace)\n";
  }

  const int code = harness::exit_code_for(summary);
  if (code != 0 && code != 1 && code != 3) problems += fmt::format("exit code {} (expected 0, 1 or 3)\n", code);
  const size_t cases = case_count(suites);
  if (listener.results.size() != cases) {
    problems += fmt::format("{} cases reported, not {}\n", listener.results.size(), cases);
  }
  for (const auto& e : listener.results) {
    if (e.result.type == harness::ProblemType::kDeadline || e.result.type == harness::ProblemType::kHarness) {
      problems += fmt::format("{}: {}: {}\n", e.id, harness::to_string(e.result.type), e.result.message);
    }
  }
  check_junit(junit_path, cases, problems);
  check_json(json_path, cases, problems);
  for (const auto& line : host_mistakes(simulator->violations())) problems += "host mistake: " + line + "\n";

  // The state the run really left behind, read without lies.
  simulator->calm_hostility();
  Controller look(*simulator, {}, clock);
  if (look.cc().en() != 0) problems += "the controller is still enabled (CC.EN=1) after the run\n";
  if (simulator->mapped_regions() != 0) {
    problems += fmt::format("{} DMA regions still mapped after the run\n", simulator->mapped_regions());
  }
  if (problems.empty()) {
    std::filesystem::remove(junit_path);
    std::filesystem::remove(json_path);
  } else {
    problems += fmt::format("reports kept: {} {}\n", junit_path, json_path);
  }
  return problems;
}

}  // namespace nvqual::robustness
