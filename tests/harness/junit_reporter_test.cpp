#include "nvqual/harness/junit_reporter.hpp"

#include <fstream>
#include <iterator>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "nvqual/harness/suite_loader.hpp"
#include "nvqual/sim/profile.hpp"
#include "support/sim_run.hpp"
#include "support/suite_text.hpp"
#include "common/xml_schema.hpp"

namespace nvqual::harness {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::filesystem::path temp_path(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("nvqual-harness-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

// One suite with a passing, a failing, an erroring and a skipped case, fed to the reporter by hand.
struct HandFedRun {
  Suite suite = load_suite_text(testing::one_step_suite("      - step: read_registers\n") +
                                    "  - id: T-2\n    title: fails\n    spec: x\n    state: admin\n    steps:\n"
                                    "      - step: read_registers\n"
                                    "  - id: T-3\n    title: errs <&>\n    spec: x\n    state: admin\n    steps:\n"
                                    "      - step: read_registers\n"
                                    "  - id: T-4\n    title: skips\n    spec: x\n    state: admin\n    steps:\n"
                                    "      - step: read_registers\n",
                                "t.yaml", "t");
  RunInfo info;
  RunSummary summary;

  HandFedRun(bool simulator) {
    info.hostname = "lab-host";
    info.target.simulator = simulator;
    info.target.description = simulator ? "simulator (default profile)" : "0000:01:00.0";
    info.target.bdf = simulator ? "" : "0000:01:00.0";
    info.target.model = "Model \x01 with a control byte";
    info.started = std::chrono::system_clock::now();
  }

  void feed(RunListener& reporter) {
    reporter.on_run_start(info);
    reporter.on_suite_start(suite, std::chrono::system_clock::now());
    std::vector<CaseResult> results(4);
    results[0].outcome = Outcome::kPassed;
    results[0].measurements = {{"CC.EN 0->1 latency", "2.000 ms (bound 10500.000 ms)"}};
    results[1].outcome = Outcome::kFailed;
    results[1].type = ProblemType::kCheck;
    results[1].message = "nsze >= ncap: expected >= 0x64 (100), actual 0x2a (42) (NVMe Base 2.0 1)";
    results[1].details = "Checks:\n  FAIL nsze >= ncap\nCommand log (oldest first):\n#1 q0 cid 0 Identify\n";
    results[2].outcome = Outcome::kError;
    results[2].type = ProblemType::kDriverError;
    results[2].driver_error = ErrorKind::kCommandTimeout;
    results[2].message = "no completion & <timeout>";
    results[2].details = "details\n";
    results[3].outcome = Outcome::kSkipped;
    results[3].message = "MDTS is 0";
    SuiteTotals totals;
    for (size_t i = 0; i < 4; ++i) {
      results[i].duration = std::chrono::milliseconds(1500 * i);
      reporter.on_case_start(suite, suite.cases[i]);
      reporter.on_case_end(suite, suite.cases[i], results[i]);
      totals.add(results[i].outcome);
    }
    reporter.on_suite_end(suite, totals);
    summary.totals = totals;
    reporter.on_run_end(summary);
  }
};

TEST(JunitReporter, WritesAReportValidAgainstBothSchemas) {
  for (bool simulator : {true, false}) {
    const auto path = temp_path(simulator ? "sim.xml" : "hw.xml");
    JunitReporter reporter(path);
    HandFedRun run(simulator);
    run.feed(reporter);
    testing_schema::expect_valid_against(path, "junit-windyroad.xsd");
    testing_schema::expect_valid_against(path, "junit-jenkins-10.xsd");
  }
}

TEST(JunitReporter, MapsOutcomesAndCountsThem) {
  const auto path = temp_path("map.xml");
  JunitReporter reporter(path);
  HandFedRun run(false);
  run.feed(reporter);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_file(path.c_str()));
  const auto suite = doc.child("testsuites").child("testsuite");
  EXPECT_STREQ(suite.attribute("name").value(), "t");
  EXPECT_STREQ(suite.attribute("package").value(), "nvqual.device");
  EXPECT_EQ(suite.attribute("tests").as_int(), 4);
  EXPECT_EQ(suite.attribute("failures").as_int(), 1);
  EXPECT_EQ(suite.attribute("errors").as_int(), 1);
  EXPECT_EQ(suite.attribute("skipped").as_int(), 1);
  EXPECT_STREQ(suite.attribute("time").value(), "9.000");
  EXPECT_STREQ(suite.attribute("hostname").value(), "lab-host");
  EXPECT_EQ(std::string(suite.attribute("timestamp").value()).size(), 19u);  // YYYY-MM-DDThh:mm:ss

  auto cases = suite.children("testcase").begin();
  EXPECT_STREQ(cases->attribute("name").value(), "T-1: a case");
  EXPECT_STREQ(cases->attribute("classname").value(), "t");
  EXPECT_FALSE(cases->first_child());
  ++cases;
  const auto failure = cases->child("failure");
  EXPECT_STREQ(failure.attribute("type").value(), "check");
  EXPECT_THAT(failure.attribute("message").value(), HasSubstr("expected >= 0x64"));
  EXPECT_THAT(failure.text().get(), HasSubstr("Command log"));  // GitLab shows the body
  ++cases;
  EXPECT_STREQ(cases->attribute("name").value(), "T-3: errs <&>");
  EXPECT_STREQ(cases->child("error").attribute("type").value(), "DriverError.command timeout");
  ++cases;
  EXPECT_STREQ(cases->child("skipped").attribute("message").value(), "MDTS is 0");

  std::map<std::string, std::string> properties;
  for (const auto& p : suite.child("properties").children("property")) {
    properties[p.attribute("name").value()] = p.attribute("value").value();
  }
  EXPECT_EQ(properties["target"], "device");
  EXPECT_EQ(properties["bdf"], "0000:01:00.0");
  EXPECT_EQ(properties["model"], "Model \\x01 with a control byte");  // never a raw control byte
  EXPECT_EQ(properties["suite_sha256"], run.suite.sha256);
  EXPECT_EQ(properties.count("nvqual_git_revision"), 1u);
  EXPECT_EQ(properties.count("qualification"), 0u);
  EXPECT_THAT(suite.child("system-out").text().get(), HasSubstr("T-1: CC.EN 0->1 latency: 2.000 ms"));
  EXPECT_THAT(suite.child("system-out").text().get(), Not(HasSubstr("SIMULATOR")));
}

TEST(JunitReporter, ASimulatorRunCannotPassForADeviceQualification) {
  const auto path = temp_path("simrun.xml");
  JunitReporter reporter(path);
  HandFedRun run(true);
  run.feed(reporter);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_file(path.c_str()));
  const auto suite = doc.child("testsuites").child("testsuite");
  EXPECT_STREQ(suite.attribute("name").value(), "t [SIMULATOR]");
  EXPECT_STREQ(suite.attribute("package").value(), "nvqual.simulator");
  EXPECT_STREQ(suite.child("testcase").attribute("classname").value(), "t [SIMULATOR]");
  EXPECT_THAT(suite.child("system-out").text().get(), HasSubstr("SIMULATOR RUN - NOT A DEVICE QUALIFICATION"));
  EXPECT_STREQ(
      suite.child("properties").find_child_by_attribute("property", "name", "target").attribute("value").value(),
      "simulator");
}

TEST(JunitReporter, WritesOnlyAtTheEndAndAtomically) {
  const auto path = temp_path("atomic.xml");
  std::filesystem::remove(path);
  JunitReporter reporter(path);
  HandFedRun run(false);
  reporter.on_run_start(run.info);
  reporter.on_suite_start(run.suite, std::chrono::system_clock::now());
  EXPECT_FALSE(std::filesystem::exists(path));  // nothing half-written exists mid-run
  reporter.on_suite_end(run.suite, {});
  reporter.on_run_end(run.summary);
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
}

TEST(JunitReporter, ReportsARealSimulatorRunValidly) {
  const auto path = temp_path("real.xml");
  JunitReporter reporter(path);
  std::vector<Suite> suites = {load_suite_file(NVQUAL_SOURCE_DIR "/suites/identify.yaml"),
                               load_suite_file(NVQUAL_SOURCE_DIR "/suites/registers.yaml")};
  testing::run_on_simulator(sim::default_profile(), suites, testing::quick_options(), &reporter);
  testing_schema::expect_valid_against(path, "junit-windyroad.xsd");
  testing_schema::expect_valid_against(path, "junit-jenkins-10.xsd");
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_file(path.c_str()));
  EXPECT_EQ(std::distance(doc.child("testsuites").children("testsuite").begin(),
                          doc.child("testsuites").children("testsuite").end()),
            2);
}

TEST(XmlSafe, EscapesWhatXmlCannotHold) {
  EXPECT_EQ(xml_safe("plain"), "plain");
  EXPECT_EQ(xml_safe(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(xml_safe("tab\tnewline\n"), "tab\tnewline\n");
  EXPECT_EQ(xml_safe("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(xml_safe("caf\xc3\xa9"), "caf\xc3\xa9");  // valid UTF-8 stays
}

}  // namespace
}  // namespace nvqual::harness
