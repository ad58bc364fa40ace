// nvqual run and nvqual suites through the real binary: where the device comes
// from, what happens when it cannot be opened, report paths, help texts, and
// suites rejected before anything runs.
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "common/xml_schema.hpp"
#include "support/run_cli.hpp"

namespace nvqual {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing_support::line_count;
using testing_support::run_cli;
using testing_support::run_cli_env;
using testing_support::scratch_dir;
using testing_support::slurp;

// No PCI device has this address on the machines tests run on (bus 0x99 of domain 0xffff).
const std::string kAbsentBdf = "ffff:99:00.0";

TEST(CliRunHelp, SaysWhereTheDeviceComesFromAndTheRunsExitCodes) {
  const auto r = run_cli("run --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("the BDF comes from NVQUAL_BDF, then from the controller\nctest allocated"));
  EXPECT_THAT(r.out, HasSubstr("exits 77"));
  EXPECT_THAT(r.out, HasSubstr("3 interrupted (SIGINT/SIGTERM)"));
  EXPECT_THAT(r.out, HasSubstr("their directory must exist"));
}

TEST(CliRunHelp, SuitesHelpHasItsOwnExitCodesNotTheRuns) {
  const auto r = run_cli("suites --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("Exit codes: 0 listed, 2 a suite file cannot be loaded"));
  EXPECT_THAT(r.out, Not(HasSubstr("77")));
  EXPECT_THAT(run_cli("identify --help").out, HasSubstr("77 no device configured"));
}

TEST(CliRunTarget, NoDeviceAnywhereIsExit77) {
  const auto r = run_cli_env("", "run identify --quiet");
  EXPECT_EQ(r.exit_code, 77) << r.err;
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("no device configured"));
}

TEST(CliRunTarget, ADeviceThatCannotBeOpenedIsExit3WithAReportInWhichEveryCaseIsAnError) {
  const auto dir = scratch_dir("unopenable");
  const auto junit = dir / "r.xml";
  const auto json = dir / "r.json";
  const auto r = run_cli_env("NVQUAL_BDF=" + kAbsentBdf,
                             "run identify --quiet --junit " + junit.string() + " --json " + json.string());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("cannot open " + kAbsentBdf + " (NVQUAL_BDF)"));

  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_file(junit.c_str())) << "no JUnit report";
  const auto suite = doc.child("testsuites").child("testsuite");
  const int tests = suite.attribute("tests").as_int();
  EXPECT_GT(tests, 0);
  EXPECT_EQ(suite.attribute("errors").as_int(), tests);
  int device_errors = 0;
  for (const auto& tc : suite.children("testcase")) {
    device_errors += std::string(tc.child("error").attribute("type").value()) == "device" ? 1 : 0;
  }
  EXPECT_EQ(device_errors, tests);
  EXPECT_THAT(suite.child_value("system-err"), HasSubstr("could not be opened"));
  testing_schema::expect_valid_against(junit, "junit-windyroad.xsd");
  const auto report = nlohmann::json::parse(slurp(json));
  EXPECT_TRUE(report["device_lost"].get<bool>());
  EXPECT_EQ(report["totals"]["errors"], tests);
}

TEST(CliRunTarget, AMalformedBdfIsBadInputNamingWhereItCameFromAndWritesNoReport) {
  const auto dir = scratch_dir("badbdf");
  const auto junit = dir / "r.xml";
  const auto r = run_cli_env("NVQUAL_BDF=foo", "run identify --junit " + junit.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("'foo' from NVQUAL_BDF is not a PCI address"));
  EXPECT_FALSE(std::filesystem::exists(junit));
}

TEST(CliRunTarget, NvqualBdfComesBeforeTheCtestAllocationWhichIsUsedWithoutIt) {
  const std::string allocation =
      "CTEST_RESOURCE_GROUP_COUNT=1 CTEST_RESOURCE_GROUP_0=nvme CTEST_RESOURCE_GROUP_0_NVME=id:nffff_98_00_0,slots:1";
  auto r = run_cli_env(allocation, "run identify --quiet");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("cannot open ffff:98:00.0 (the ctest resource allocation"));
  r = run_cli_env("NVQUAL_BDF=" + kAbsentBdf + " " + allocation, "run identify --quiet");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("cannot open " + kAbsentBdf + " (NVQUAL_BDF)"));
}

TEST(CliRunTarget, ABuildRunningHardwareTestsInParallelRefusesNvqualBdfAndAMissingAllocation) {
  // ctest sets NVQUAL_CTEST_RESOURCE_SPEC on hw tests configured with -DNVQUAL_CTEST_RESOURCE_SPEC.
  auto r = run_cli_env("NVQUAL_CTEST_RESOURCE_SPEC=/lab/nvme.json NVQUAL_BDF=" + kAbsentBdf, "run identify");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("would send every hardware test to one controller"));
  r = run_cli_env("NVQUAL_CTEST_RESOURCE_SPEC=/lab/nvme.json", "run identify");
  EXPECT_EQ(r.exit_code, 2);  // not 77: a missing spec file must not look like "no device here"
  EXPECT_THAT(r.err, HasSubstr("ctest --resource-spec-file /lab/nvme.json"));
}

TEST(CliRunReports, AReportPathWhoseDirectoryDoesNotExistIsRefusedBeforeTheRun) {
  const auto dir = scratch_dir("paths");
  for (const std::string option : {"--json", "--junit"}) {
    const auto missing = dir / "no" / "such" / "x.out";
    const auto r = run_cli("run identify --sim " + option + " " + missing.string());
    EXPECT_EQ(r.exit_code, 2) << option;
    EXPECT_EQ(line_count(r.err), 1u) << r.err;
    EXPECT_THAT(r.err, HasSubstr(option + " " + missing.string() + ": directory " + (dir / "no" / "such").string() +
                                 " does not exist"));
    EXPECT_EQ(r.out, "") << "the run started";
    EXPECT_FALSE(std::filesystem::exists(dir / "no")) << "a directory was created";
    const auto r2 = run_cli("run identify --sim " + option + " " + dir.string());
    EXPECT_EQ(r2.exit_code, 2);
    EXPECT_THAT(r2.err, HasSubstr("that is a directory"));
  }
}

TEST(CliRunReports, TheReadyBoundShownIsTheOneTheChecksUseWithTheSlackNamed) {
  const auto dir = scratch_dir("bound");
  const auto json = dir / "r.json";
  const auto r = run_cli("run identify --sim --json " + json.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(slurp(json));
  const uint64_t timeout_ms = report["target"]["facts"]["ready_timeout_ms"];
  const std::string bound = "(bound " + std::to_string(timeout_ms) + ".000 ms from CAP.TO/CRTO; the driver waits ";
  EXPECT_THAT(report["target"]["ready_latency"].get<std::string>(), HasSubstr(bound));
  EXPECT_THAT(report["target"]["reset_latency"].get<std::string>(), HasSubstr(bound));
  EXPECT_THAT(r.out, HasSubstr("Ready (CC.EN 0->1): "));
  EXPECT_THAT(r.out, HasSubstr(bound));
}

TEST(CliRunSuites, ASuiteWithARepeatedKeyIsBadInputWithItsPosition) {
  const auto dir = scratch_dir("dupkey");
  const auto suite = dir / "dup.yaml";
  std::ofstream(suite) << "suite: dup\narea: test\ndescription: d\nspec: [x]\ncases:\n"
                          "  - id: A\n    title: a\n    spec: Base 2.0 1\n    state: admin\n    state: io\n"
                          "    steps:\n      - step: identify_controller\n";
  const auto r = run_cli("run " + suite.string() + " --sim");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr(suite.string() + ":10:5: duplicate key 'state' (first at line 9, column 5)"));
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace nvqual
