// nvqual run's media-change settings against the device it opens: a
// --scratch range past NSZE or of an inactive namespace, or a --confirm-serial
// of another device, is bad input (one line, exit 2, no report); settings that
// fit reach the reports (reports/README.md).
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/run_cli.hpp"

namespace nvqual {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing_support::file_names;
using testing_support::line_count;
using testing_support::run_cli;
using testing_support::scratch_dir;
using testing_support::sim_fixture;

struct BadRun {
  const char* arguments;
  const char* says;
};
class CliRunBadMediaChanges : public ::testing::TestWithParam<BadRun> {};

TEST_P(CliRunBadMediaChanges, OneLineExit2AndNoReport) {
  const auto dir = scratch_dir("run-bad-media-changes");
  const auto r = run_cli("run identify " + std::string(GetParam().arguments) + " --allow-media-changes --json " +
                         (dir / "run.json").string() + " --junit " + (dir / "junit.xml").string());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr(GetParam().says));
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_THAT(file_names(dir), IsEmpty()) << "no report for a run that never started";
}

INSTANTIATE_TEST_SUITE_P(
    Settings, CliRunBadMediaChanges,
    ::testing::Values(BadRun{"--sim --scratch 0:2097152", "LBA 2097152 is past the end of namespace 1 (NSZE 2097152"},
                      BadRun{"--sim --scratch 2=0:9", "namespace 2 is not active"},
                      BadRun{"--sim --confirm-serial WRONG",
                             "--confirm-serial WRONG does not match the device's serial 'NVQSIM00000001'"},
                      BadRun{"--bdf 0000:ff:1f.7 --scratch 0:9", "needs --confirm-serial SN"}));

TEST(CliRunMediaChanges, AnInactiveNamespaceOfSeveralIsNamed) {
  const auto r = run_cli("run identify --sim-profile " + sim_fixture("multi-ns.yaml") +
                         " --allow-media-changes --scratch 3=0:9 --scratch 4=0:9");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("namespace 4 is not active"));
}

TEST(CliRunMediaChanges, SettingsThatFitReachTheReportsAndTheSummary) {
  const auto dir = scratch_dir("run-media-changes");
  const auto json = dir / "run.json";
  const auto r = run_cli(
      "run identify --sim --allow-media-changes --confirm-serial NVQSIM00000001 --scratch 0:99 "
      "--scratch 1=1000:1999 --json " +
      json.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Media changes: allowed, serial NVQSIM00000001, scratch nsid 1 LBA 0:99, nsid 1 LBA "
                               "1000:1999; 0 media-changing commands sent"));
  std::ifstream in(json);
  const auto doc = nlohmann::json::parse(in);
  EXPECT_TRUE(doc["media_changes"]["allowed"].get<bool>());
  EXPECT_EQ(doc["media_changes"]["confirmed_serial"], "NVQSIM00000001");
  EXPECT_EQ(doc["media_changes"]["scratch"], nlohmann::json::array({"nsid 1 LBA 0:99", "nsid 1 LBA 1000:1999"}));
  EXPECT_EQ(doc["media_changes"]["commands_sent"], 0) << "the identify suite changes nothing";
}

// Without --scratch the simulator declares its default range
// (docs/data-integrity.md); the summary and the report state it, not "none".
TEST(CliRunMediaChanges, TheSimulatorsDefaultScratchRangeIsStated) {
  const auto dir = scratch_dir("run-media-changes-default");
  const auto json = dir / "run.json";
  const auto r = run_cli("run identify --sim --allow-media-changes --json " + json.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The default profile: NSZE 2097152, one namespace.
  EXPECT_THAT(r.out, HasSubstr("Media changes: allowed, scratch nsid 1 LBA 524288:1048575, nsid 1 LBA 2097152 on, "
                               "nsid 2 all; 0 media-changing commands sent"));
  EXPECT_THAT(r.out, Not(HasSubstr("no scratch range")));
  std::ifstream in(json);
  const auto doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["media_changes"]["scratch"],
            nlohmann::json::array({"nsid 1 LBA 524288:1048575", "nsid 1 LBA 2097152 on", "nsid 2 all"}));
}

}  // namespace
}  // namespace nvqual
