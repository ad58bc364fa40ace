// nvqual report through the real binary; the page itself is checked in a
// browser by tests/lab/html_report_test.sh.
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/run_cli.hpp"

namespace nvqual {
namespace {

using ::testing::HasSubstr;
using testing_support::file_names;
using testing_support::line_count;
using testing_support::run_cli;
using testing_support::run_cli_env;
using testing_support::scratch_dir;
using testing_support::slurp;

TEST(CliReport, WritesOnePageFromARunReportAndNothingElse) {
  const auto dir = scratch_dir("report-page");
  const auto run = run_cli_env("", "run identify --sim --quiet --json " + (dir / "run.json").string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto r = run_cli("report " + (dir / "run.json").string() + " --html " + (dir / "run.html").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(file_names(dir), (std::vector<std::string>{"run.html", "run.json"}));
  const std::string page = slurp(dir / "run.html");
  EXPECT_THAT(page, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(page, HasSubstr("nvqual simulated NVMe controller"));
  EXPECT_THAT(page, HasSubstr("<td>identify</td>"));
}

// run --html draws its page from the document --json writes: for one run the
// two routes give the same page, byte for byte.
TEST(CliReport, RunHtmlWritesThePageReportWouldWriteFromTheSameRun) {
  const auto dir = scratch_dir("run-html");
  const auto run = run_cli_env("", "run identify --sim --quiet --json " + (dir / "run.json").string() + " --html " +
                                       (dir / "direct.html").string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto r = run_cli("report " + (dir / "run.json").string() + " --html " + (dir / "via-report.html").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string direct = slurp(dir / "direct.html");
  EXPECT_THAT(direct, HasSubstr("<td>identify</td>"));
  EXPECT_EQ(direct, slurp(dir / "via-report.html"));
  EXPECT_EQ(file_names(dir), (std::vector<std::string>{"direct.html", "run.json", "via-report.html"}));
  const auto no_dir = run_cli_env("", "run identify --sim --quiet --html " + (dir / "no" / "x.html").string());
  EXPECT_EQ(no_dir.exit_code, 2);
  EXPECT_THAT(no_dir.err, HasSubstr("--html"));
}

TEST(CliReport, BadInputIsOneLineAndExit2AndWritesNothing) {
  const auto dir = scratch_dir("report-bad");
  std::ofstream(dir / "junit.xml") << "<testsuites/>";
  const auto html = (dir / "out.html").string();
  for (const auto& [input, expected] : std::vector<std::pair<std::string, std::string>>{
           {(dir / "missing.json").string(), "no such file"}, {(dir / "junit.xml").string(), "not JSON"}}) {
    const auto r = run_cli("report " + input + " --html " + html);
    EXPECT_EQ(r.exit_code, 2) << input;
    EXPECT_EQ(line_count(r.err), 1u) << r.err;
    EXPECT_THAT(r.err, HasSubstr(expected));
  }
  const auto no_dir = run_cli("report " + (dir / "junit.xml").string() + " --html " + (dir / "no" / "x.html").string());
  EXPECT_EQ(no_dir.exit_code, 2);
  EXPECT_THAT(no_dir.err, HasSubstr("does not exist; create it first"));
  EXPECT_EQ(run_cli("report " + (dir / "junit.xml").string()).exit_code, 2);  // --html is required
  EXPECT_EQ(file_names(dir), (std::vector<std::string>{"junit.xml"}));
}

}  // namespace
}  // namespace nvqual
