// nvqual compare's logic on reports the JSON reporter really wrote (one
// simulator run), changed the way another firmware or model would change them.
#include "nvqual/harness/run_comparison.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "nvqual/harness/json_reporter.hpp"
#include "nvqual/harness/suite_loader.hpp"
#include "nvqual/sim/profile.hpp"
#include "support/sim_run.hpp"

namespace nvqual::harness {
namespace {

// A real nvqual-run/1 document: a passing case with an accept-set check, a
// failing case, and a case with a latency measurement.
const nlohmann::json& real_report() {
  static const nlohmann::json doc = [] {
    const auto path = std::filesystem::temp_directory_path() / ("nvqual-cmp-" + std::to_string(::getpid()) + ".json");
    JsonReporter reporter(path);
    const Suite suite = load_suite_text(
        "suite: t\narea: a\ndescription: d\nspec: [x]\ncases:\n"
        "  - id: P\n    title: passes\n    spec: Base 2.0 1\n    state: admin\n    steps:\n"
        "      - step: identify_controller\n        expect:\n          - status: [00/00, 00/02]\n"
        "          - {field: nn, ge: 1}\n"
        "  - id: F\n    title: fails\n    spec: Base 2.0 1\n    state: admin\n    steps:\n"
        "      - step: identify_controller\n        expect:\n          - {field: nn, gt: nn}\n",
        "t.yaml", "t");
    testing::run_on_simulator(sim::default_profile(), {suite}, testing::quick_options(), &reporter);
    nlohmann::json d = reporter.document();
    std::filesystem::remove(path);
    // The shipped suites measure transitions; this suite does not, so give P one
    // in the reporter's form.
    d["suites"][0]["cases"][0]["measurements"]["CC.EN 0->1 latency"] = "2.000 ms (bound 8000.000 ms)";
    return d;
  }();
  return doc;
}

RunReport parse(const nlohmann::json& doc) { return parse_run_report(doc.dump(), "run.json"); }

nlohmann::json& case_at(nlohmann::json& doc, size_t i) { return doc["suites"][0]["cases"][i]; }

std::vector<Change> of_kind(const Comparison& c, ChangeKind kind) {
  std::vector<Change> out;
  for (const auto& change : c.changes) {
    if (change.kind == kind) out.push_back(change);
  }
  return out;
}

TEST(RunComparison, ARunComparedWithItselfHasNoChanges) {
  const Comparison c = compare_runs(parse(real_report()), parse(real_report()), {});
  EXPECT_TRUE(c.changes.empty());
  EXPECT_EQ(c.matched_cases, 2u);
  EXPECT_FALSE(c.regressed());
}

TEST(RunComparison, PassToFailIsARegressionAndFailToPassIsAFix) {
  nlohmann::json changed = real_report();
  std::swap(case_at(changed, 0)["outcome"], case_at(changed, 1)["outcome"]);
  case_at(changed, 0)["message"] = "nn >= 1: expected >= 1, actual 0";
  const Comparison c = compare_runs(parse(real_report()), parse(changed), {});
  ASSERT_EQ(of_kind(c, ChangeKind::kRegressed).size(), 1u);
  EXPECT_EQ(of_kind(c, ChangeKind::kRegressed)[0].case_id, "P");
  EXPECT_EQ(of_kind(c, ChangeKind::kRegressed)[0].new_value, "failed: nn >= 1: expected >= 1, actual 0");
  ASSERT_EQ(of_kind(c, ChangeKind::kFixed).size(), 1u);
  EXPECT_EQ(of_kind(c, ChangeKind::kFixed)[0].case_id, "F");
  EXPECT_TRUE(c.regressed());
}

TEST(RunComparison, APassedCaseNowSkippedIsARegression) {
  nlohmann::json changed = real_report();
  case_at(changed, 0)["outcome"] = "skipped";
  const Comparison c = compare_runs(parse(real_report()), parse(changed), {});
  ASSERT_EQ(of_kind(c, ChangeKind::kOutcome).size(), 1u);
  EXPECT_TRUE(of_kind(c, ChangeKind::kOutcome)[0].regression);
}

TEST(RunComparison, AStatusChangedInsideTheAcceptSetIsReportedNotARegression) {
  nlohmann::json changed = real_report();
  auto& checks = case_at(changed, 0)["checks"];
  ASSERT_EQ(checks[0]["check"].get<std::string>().rfind("status in {00/00, 00/02}", 0), 0u) << checks.dump();
  checks[0]["actual"] = "00/02 Invalid Field in Command";
  const Comparison c = compare_runs(parse(real_report()), parse(changed), {});
  const auto status = of_kind(c, ChangeKind::kStatusInSet);
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].old_value, real_report()["suites"][0]["cases"][0]["checks"][0]["actual"]);
  EXPECT_EQ(status[0].new_value, "00/02 Invalid Field in Command");
  EXPECT_FALSE(c.regressed());
}

TEST(RunComparison, IdentifyFieldsAndFactsThatChangedAreListed) {
  nlohmann::json changed = real_report();
  changed["target"]["firmware"] = "2.0";
  changed["target"]["facts"]["mdts"] = 9;
  changed["target"]["bdf"] = "0000:02:00.0";  // where it sits is no Identify data
  const Comparison c = compare_runs(parse(real_report()), parse(changed), {});
  const auto identify = of_kind(c, ChangeKind::kIdentify);
  ASSERT_EQ(identify.size(), 2u);
  EXPECT_EQ(identify[0].what, "firmware");
  EXPECT_EQ(identify[0].new_value, "2.0");
  EXPECT_EQ(identify[1].what, "mdts");
  EXPECT_EQ(identify[1].new_value, "9");
  EXPECT_FALSE(c.regressed());
}

TEST(RunComparison, ALatencyBeyondTheToleranceDriftsSlowerIsARegression) {
  nlohmann::json slower = real_report();
  case_at(slower, 0)["measurements"]["CC.EN 0->1 latency"] = "2600 us (bound 8000.000 ms)";
  const Comparison within = compare_runs(parse(real_report()), parse(slower), {.tolerance_percent = 50});
  EXPECT_TRUE(of_kind(within, ChangeKind::kDrift).empty());
  const Comparison beyond = compare_runs(parse(real_report()), parse(slower), {.tolerance_percent = 25});
  ASSERT_EQ(of_kind(beyond, ChangeKind::kDrift).size(), 1u);
  EXPECT_EQ(of_kind(beyond, ChangeKind::kDrift)[0].what, "CC.EN 0->1 latency (+30%)");
  EXPECT_TRUE(beyond.regressed());

  nlohmann::json faster = real_report();
  case_at(faster, 0)["measurements"]["CC.EN 0->1 latency"] = "1.000 ms (bound 8000.000 ms)";
  const Comparison c = compare_runs(parse(real_report()), parse(faster), {});
  ASSERT_EQ(of_kind(c, ChangeKind::kDrift).size(), 1u);
  EXPECT_FALSE(c.regressed());
}

TEST(RunComparison, CasesAddedAndRemovedAreListed) {
  nlohmann::json changed = real_report();
  case_at(changed, 1)["id"] = "G";
  const Comparison c = compare_runs(parse(real_report()), parse(changed), {});
  ASSERT_EQ(of_kind(c, ChangeKind::kAdded).size(), 1u);
  EXPECT_EQ(of_kind(c, ChangeKind::kAdded)[0].case_id, "G");
  ASSERT_EQ(of_kind(c, ChangeKind::kRemoved).size(), 1u);
  EXPECT_EQ(of_kind(c, ChangeKind::kRemoved)[0].case_id, "F");
  EXPECT_EQ(c.matched_cases, 1u);
}

TEST(RunComparison, DifferentSuiteDigestsAreRefusedUnlessAllowed) {
  nlohmann::json changed = real_report();
  changed["suites"][0]["sha256"] = std::string(64, 'a');
  try {
    compare_runs(parse(real_report()), parse(changed), {});
    FAIL() << "compared suites of different digests";
  } catch (const SuiteDigestMismatch& e) {
    EXPECT_NE(std::string(e.what()).find("suite t differs"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--allow-suite-changes"), std::string::npos) << e.what();
  }
  const Comparison c = compare_runs(parse(real_report()), parse(changed), {.allow_suite_changes = true});
  ASSERT_EQ(c.suite_changes.size(), 1u);
  EXPECT_EQ(c.matched_cases, 2u);
}

TEST(RunComparison, MeasurementsReadInMilliseconds) {
  double ms = 0;
  ASSERT_TRUE(measurement_ms("0.120 ms (bound 8000.000 ms)", ms));
  EXPECT_DOUBLE_EQ(ms, 0.120);
  ASSERT_TRUE(measurement_ms("15 us", ms));
  EXPECT_DOUBLE_EQ(ms, 0.015);
  ASSERT_TRUE(measurement_ms("2 s", ms));
  EXPECT_DOUBLE_EQ(ms, 2000);
  EXPECT_FALSE(measurement_ms("4096 bytes", ms));
  EXPECT_FALSE(measurement_ms("fast", ms));
}

TEST(RunReport, BadDocumentsAreOneLineNamingTheProblem) {
  auto message = [](const std::string& text) {
    try {
      parse_run_report(text, "x.json");
    } catch (const RunReportError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  EXPECT_EQ(message("{not json"), "x.json: not JSON; expected a nvqual-run/1 report written by nvqual run --json FILE");
  EXPECT_EQ(message(R"({"format": "nvqual-compare/1"})"),
            "x.json: format is \"nvqual-compare/1\", expected \"nvqual-run/1\" (a report written by nvqual run --json "
            "FILE)");
  nlohmann::json no_id = real_report();
  case_at(no_id, 1).erase("id");
  EXPECT_EQ(message(no_id.dump()),
            "x.json: suites[0].cases[1]: has no \"id\": not a complete nvqual-run/1 report (write one with nvqual run "
            "--json FILE)");
  nlohmann::json bad_outcome = real_report();
  case_at(bad_outcome, 0)["outcome"] = "maybe";
  EXPECT_NE(message(bad_outcome.dump()).find("outcome \"maybe\" is none of"), std::string::npos);
  EXPECT_NE(message("[1, 2]").find("not a JSON object"), std::string::npos);
  for (const std::string& m : {message("{not json"), message(no_id.dump())}) {
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace nvqual::harness
