// nvqual compare through the real binary, on a report nvqual run really wrote.
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/run_cli.hpp"

namespace nvqual {
namespace {

using ::testing::HasSubstr;
using testing_support::line_count;
using testing_support::run_cli;
using testing_support::run_cli_env;
using testing_support::scratch_dir;
using testing_support::slurp;

// One identify run against the simulator, shared by the tests (read-only).
const std::filesystem::path& identify_run() {
  static const std::filesystem::path path = [] {
    const auto dir = scratch_dir("compare-base");
    const auto r = run_cli_env("", "run identify --sim --quiet --json " + (dir / "old.json").string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return dir / "old.json";
  }();
  return path;
}

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

std::filesystem::path write_json(const std::filesystem::path& path, const nlohmann::json& doc) {
  std::ofstream(path) << doc.dump(2);
  return path;
}

std::string quoted(const std::filesystem::path& a, const std::filesystem::path& b) {
  return a.string() + " " + b.string();
}

TEST(CliCompare, ARunComparedWithItselfExits0) {
  const auto r = run_cli("compare " + quoted(identify_run(), identify_run()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(" cases matched: 0 regressed"));
  EXPECT_THAT(r.out, HasSubstr("no regressions"));
}

TEST(CliCompare, ARegressionExits1AndIsInTheTableAndTheJson) {
  const auto dir = scratch_dir("compare-regressed");
  nlohmann::json doc = read_json(identify_run());
  auto& first = doc["suites"][0]["cases"][0];
  const std::string id = first["id"];
  ASSERT_EQ(first["outcome"], "passed");
  first["outcome"] = "failed";
  first["message"] = "nn >= 1: expected >= 1, actual 0";
  doc["target"]["firmware"] = "9.9";
  const auto changed = write_json(dir / "new.json", doc);
  const auto r = run_cli("compare " + quoted(identify_run(), changed) + " --json " + (dir / "cmp.json").string());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr("!regressed identify/" + id));
  EXPECT_THAT(r.out, HasSubstr("outcome: passed -> failed: nn >= 1: expected >= 1, actual 0"));
  EXPECT_THAT(r.out, HasSubstr("firmware: "));
  EXPECT_THAT(r.out, HasSubstr("REGRESSED"));
  const nlohmann::json cmp = read_json(dir / "cmp.json");
  EXPECT_EQ(cmp["format"], "nvqual-compare/1");
  EXPECT_TRUE(cmp["regressed"].get<bool>());
  EXPECT_EQ(cmp["changes"].size(), 2u) << cmp.dump(2);
  // Read the other way round it is a fix, and a fix is no regression.
  const auto back = run_cli("compare " + quoted(changed, identify_run()));
  EXPECT_EQ(back.exit_code, 0) << back.out;
  EXPECT_THAT(back.out, HasSubstr(" fixed "));
}

TEST(CliCompare, DifferentSuiteDigestsAreRefusedInOneLineUnlessAllowed) {
  const auto dir = scratch_dir("compare-digest");
  nlohmann::json doc = read_json(identify_run());
  doc["suites"][0]["sha256"] = std::string(64, 'f');
  const auto changed = write_json(dir / "new.json", doc);
  const auto r = run_cli("compare " + quoted(identify_run(), changed));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("suite identify differs between the runs"));
  EXPECT_THAT(r.err, HasSubstr("--allow-suite-changes"));
  EXPECT_TRUE(r.out.empty()) << r.out;
  const auto allowed = run_cli("compare " + quoted(identify_run(), changed) + " --allow-suite-changes");
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_THAT(allowed.out, HasSubstr("suite identify changed"));
}

TEST(CliCompare, BadInputIsOneLineAndExit2) {
  const auto dir = scratch_dir("compare-bad");
  std::ofstream(dir / "text.json") << "PASS 3 cases\n";
  std::ofstream(dir / "junit.json") << R"({"format": "junit"})";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {(dir / "missing.json").string(), "missing.json: no such file"},
      {(dir / "text.json").string(), "text.json: not JSON"},
      {(dir / "junit.json").string(), "junit.json: format is \"junit\", expected \"nvqual-run/1\""},
      {dir.string(), "is a directory"},
  };
  for (const auto& [file, expected] : cases) {
    const auto r = run_cli("compare " + quoted(identify_run(), file));
    EXPECT_EQ(r.exit_code, 2) << file;
    EXPECT_EQ(line_count(r.err), 1u) << r.err;
    EXPECT_THAT(r.err, HasSubstr(expected));
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  const auto no_dir = run_cli("compare " + quoted(identify_run(), identify_run()) + " --json " +
                              (dir / "nowhere" / "cmp.json").string());
  EXPECT_EQ(no_dir.exit_code, 2);
  EXPECT_THAT(no_dir.err, HasSubstr("does not exist; create it first"));
  EXPECT_EQ(run_cli("compare " + identify_run().string()).exit_code, 2);  // NEW missing
}

TEST(CliCompare, HelpNamesTheRulesAndExitCodes) {
  const auto r = run_cli("compare --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--tolerance"));
  EXPECT_THAT(r.out, HasSubstr("--allow-suite-changes"));
  EXPECT_THAT(r.out, HasSubstr("0 nothing regressed, 1 something regressed"));
}

}  // namespace
}  // namespace nvqual
