#include "nvqual/harness/json_reporter.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "nvqual/harness/suite_loader.hpp"
#include "nvqual/sim/profile.hpp"
#include "support/sim_run.hpp"

namespace nvqual::harness {
namespace {

TEST(JsonReporter, WritesTheRunWithTargetCasesChecksAndTotals) {
  const auto path = std::filesystem::temp_directory_path() / ("nvqual-json-" + std::to_string(::getpid()) + ".json");
  JsonReporter reporter(path);
  const Suite suite = load_suite_text(
      "suite: t\narea: a\ndescription: d\nspec: [x]\ncases:\n"
      "  - id: P\n    title: passes\n    spec: Base 2.0 1\n    state: admin\n    steps:\n"
      "      - step: identify_controller\n        expect:\n          - {field: nn, ge: 1}\n"
      "  - id: F\n    title: fails\n    spec: Base 2.0 1\n    state: admin\n    steps:\n"
      "      - step: identify_controller\n        expect:\n          - {field: nn, gt: nn}\n",
      "t.yaml", "t");
  testing::run_on_simulator(sim::default_profile(), {suite}, testing::quick_options(), &reporter);

  std::ifstream in(path);
  const nlohmann::json doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["format"], "nvqual-run/1");
  EXPECT_EQ(doc["target"]["kind"], "simulator");
  EXPECT_EQ(doc["target"]["qualification"], "SIMULATOR RUN - NOT A DEVICE QUALIFICATION");
  EXPECT_EQ(doc["target"]["facts"]["nn"], 1);
  const auto& cases = doc["suites"][0]["cases"];
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0]["outcome"], "passed");
  EXPECT_EQ(cases[1]["outcome"], "failed");
  EXPECT_EQ(cases[1]["checks"][1]["state"], "failed");
  EXPECT_EQ(cases[1]["checks"][1]["actual"], "1");
  EXPECT_EQ(doc["totals"]["failures"], 1);
  EXPECT_EQ(doc["suites"][0]["totals"]["tests"], 2);
  EXPECT_FALSE(doc["interrupted"].get<bool>());
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace nvqual::harness
