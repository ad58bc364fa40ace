// The reports record the run's media-change settings and whether media
// changed (docs/data-integrity.md, reports/README.md), and settings that do
// not fit the device end the run before any case or report (RunInputError).
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "common/xml_schema.hpp"
#include "nvqual/harness/json_reporter.hpp"
#include "nvqual/harness/junit_reporter.hpp"
#include "nvqual/harness/suite_loader.hpp"
#include "nvqual/sim/profile.hpp"
#include "support/sim_run.hpp"

namespace nvqual::harness {
namespace {

using ::testing::HasSubstr;

// Format NVM is media-changing: with every condition met the driver sends it
// (the simulator refuses the opcode, which is all the case expects).
Suite format_suite() {
  return load_suite_text(
      "suite: mc\narea: a\ndescription: d\nspec: [x]\nmedia_changes: true\ncases:\n"
      "  - id: MC-1\n    title: sends a Format NVM\n    spec: Base 2.0 5.23\n    state: admin\n    steps:\n"
      "      - step: admin_command\n        opcode: 0x80\n        nsid: 1\n        expect:\n"
      "          - status: [00/01]\n",
      "mc.yaml", "mc");
}

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("nvqual-mc-" + std::to_string(::getpid()) + "-" + name);
}

RunnerOptions allowing(bool allow) {
  RunnerOptions options = testing::quick_options();
  options.settings.allow_media_changes = allow;
  options.settings.media_change_policy.set_user_allows(allow);
  if (allow) {
    options.settings.media_change_policy.set_confirm_serial("NVQSIM00000001");
    options.settings.media_change_policy.add_scratch(ScratchRange{1, 0, 0, true});
  }
  return options;
}

TEST(MediaChangeReport, JsonAndJunitSayMediaChangesWereAllowedAndSent) {
  const auto json_path = temp_path("run.json");
  const auto junit_path = temp_path("run.xml");
  JsonReporter json(json_path);
  JunitReporter junit(junit_path);
  ListenerRepeater both;
  both.add(json);
  both.add(junit);
  const auto run = testing::run_on_simulator(sim::default_profile(), {format_suite()}, allowing(true), &both);
  ASSERT_EQ(run->summary.totals.passed, 1) << run->listener.results.at(0).result.message;
  EXPECT_EQ(run->summary.media_changing_commands, 1u);

  std::ifstream in(json_path);
  const nlohmann::json doc = nlohmann::json::parse(in);
  const auto& m = doc["media_changes"];
  EXPECT_TRUE(m["allowed"].get<bool>());
  EXPECT_EQ(m["confirmed_serial"], "NVQSIM00000001");
  EXPECT_EQ(m["scratch"], nlohmann::json::array({"nsid 1 all"}));
  EXPECT_EQ(m["commands_sent"], 1);

  testing_schema::expect_valid_against(junit_path, "junit-windyroad.xsd");
  testing_schema::expect_valid_against(junit_path, "junit-jenkins-10.xsd");
  pugi::xml_document xml;
  ASSERT_TRUE(xml.load_file(junit_path.c_str()));
  std::map<std::string, std::string> props;
  for (const auto& p : xml.child("testsuites").child("testsuite").child("properties").children("property")) {
    props[p.attribute("name").value()] = p.attribute("value").value();
  }
  EXPECT_EQ(props["media_changes_allowed"], "true");
  EXPECT_EQ(props["media_changing_commands"], "1");
  EXPECT_EQ(props["confirmed_serial"], "NVQSIM00000001");
  EXPECT_EQ(props["scratch_ranges"], "nsid 1 all");
  std::filesystem::remove(json_path);
  std::filesystem::remove(junit_path);
}

TEST(MediaChangeReport, WithoutTheOptInNothingIsSentAndTheReportSaysSo) {
  const auto json_path = temp_path("refused.json");
  JsonReporter json(json_path);
  const auto run = testing::run_on_simulator(sim::default_profile(), {format_suite()}, allowing(false), &json);
  EXPECT_EQ(run->summary.media_changing_commands, 0u);
  EXPECT_THAT(run->listener.results.at(0).result.message, HasSubstr("--allow-media-changes"));
  std::ifstream in(json_path);
  const nlohmann::json doc = nlohmann::json::parse(in);
  EXPECT_FALSE(doc["media_changes"]["allowed"].get<bool>());
  EXPECT_EQ(doc["media_changes"]["commands_sent"], 0);
  EXPECT_EQ(doc["media_changes"]["confirmed_serial"], "");
  std::filesystem::remove(json_path);
}

// Settings that do not fit the device: thrown after the probe, before any
// listener hears of the run, so no report is written.
void expect_run_input_error(RunnerOptions options, const std::string& says) {
  VirtualClock clock;
  sim::SimulatedController simulator(sim::default_profile(), sim::Mode::kInline, clock);
  testing::RecordingListener listener;
  Runner runner(simulator, clock, std::move(options), listener);
  try {
    runner.run({format_suite()});
    ADD_FAILURE() << "the run started: " << says;
  } catch (const RunInputError& e) {
    EXPECT_THAT(e.what(), HasSubstr(says));
  }
  EXPECT_TRUE(listener.events.empty()) << "a listener heard of a run that must not start";
}

TEST(MediaChangeReport, AScratchRangePastNszeEndsTheRunBeforeAnyCase) {
  RunnerOptions options = allowing(false);
  options.settings.allow_media_changes = true;
  options.settings.media_change_policy.add_scratch(ScratchRange{1, 2097100, 2097152, false});
  expect_run_input_error(options, "LBA 2097152 is past the end of namespace 1");
}

TEST(MediaChangeReport, AScratchRangeOfAnInactiveNamespaceEndsTheRunBeforeAnyCase) {
  RunnerOptions options = allowing(false);
  options.settings.allow_media_changes = true;
  options.settings.media_change_policy.add_scratch(ScratchRange{2, 0, 9, false});
  expect_run_input_error(options, "namespace 2 is not active");
}

TEST(MediaChangeReport, AnotherDevicesSerialEndsTheRunBeforeAnyCase) {
  RunnerOptions options = allowing(false);
  options.settings.allow_media_changes = true;
  options.settings.media_change_policy.set_confirm_serial("SOMEONE-ELSE");
  expect_run_input_error(options, "does not match the device's serial 'NVQSIM00000001'");
}

}  // namespace
}  // namespace nvqual::harness
