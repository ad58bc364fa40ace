// The HTML page's text handling; tests/lab/html_report_test.sh renders a real
// one in Chromium.
#include "nvqual/harness/html_report.hpp"

#include <gtest/gtest.h>

namespace nvqual::harness {
namespace {

RunReport run_with_model(const std::string& model) {
  RunReport run;
  run.target_kind = "device";
  run.identity["model"] = model;
  ReportSuite suite;
  suite.name = "s";
  ReportCase failed;
  failed.id = "C-1";
  failed.outcome = "failed";
  failed.message = "mn: expected \"A\", actual \"</td><img src=x>\"";
  failed.checks.push_back({"mn printable", "failed", "\"A\"", "\"</td><img src=x>\"", "s.yaml:1:1"});
  failed.command_log = "#1 <&>";
  suite.cases.push_back(failed);
  run.suites.push_back(suite);
  return run;
}

TEST(HtmlReport, EscapesTheFiveMarkupCharacters) {
  EXPECT_EQ(html_escape("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
}

TEST(HtmlReport, DeviceAndReportTextNeverBecomesMarkup) {
  const std::string page = html_report(run_with_model("<script>alert(1)</script>"));
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page.find("&lt;/td&gt;&lt;img src=x&gt;"), std::string::npos);
  EXPECT_NE(page.find("#1 &lt;&amp;&gt;"), std::string::npos);
}

TEST(HtmlReport, ForbidsEveryLoadAndNamesNoUrl) {
  const std::string page = html_report(run_with_model("m"));
  EXPECT_NE(page.find("content=\"default-src 'none'; style-src 'unsafe-inline'\""), std::string::npos);
  EXPECT_EQ(page.find("http://"), std::string::npos);
  EXPECT_EQ(page.find("https://"), std::string::npos);
}

TEST(HtmlReport, SaysSoWhenNothingFailedOrWasMeasured) {
  RunReport run;
  run.target_kind = "simulator";
  run.qualification = "SIMULATOR RUN - NOT A DEVICE QUALIFICATION";
  const std::string page = html_report(run);
  EXPECT_NE(page.find("None: every case that ran passed."), std::string::npos);
  EXPECT_NE(page.find("No latency was measured in this run."), std::string::npos);
  EXPECT_NE(page.find("SIMULATOR RUN - NOT A DEVICE QUALIFICATION"), std::string::npos);
}

}  // namespace
}  // namespace nvqual::harness
