// Health around every suite, end to end on the simulator: the runner reads
// SMART and the Error log before and after a suite, reports the HEALTH-*
// cases after the suite's own, puts both snapshots in the JSON report, and a
// model profile relaxes a check by name, saying so.
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "nvqual/harness/json_reporter.hpp"
#include "nvqual/harness/model_profile.hpp"
#include "nvqual/harness/suite_loader.hpp"
#include "nvqual/sim/profile.hpp"
#include "support/sim_run.hpp"

namespace nvqual::harness {
namespace {

using ::testing::HasSubstr;

Suite read_suite() { return load_suite_file(NVQUAL_SOURCE_DIR "/suites/read.yaml"); }

RunnerOptions with_health() {
  auto o = testing::quick_options();
  o.health_checks = true;
  return o;
}

const CaseResult* result_of(const testing::RecordingListener& l, const std::string& id) {
  for (const auto& e : l.results) {
    if (e.id == id) return &e.result;
  }
  return nullptr;
}

sim::Profile with_fault(sim::SelfReportEffect effect) {
  sim::Profile p = sim::default_profile();
  p.faults.push_back(sim::SelfReportFault{effect});
  return p;
}

TEST(SuiteHealth, TheCleanSimulatorPassesEveryHealthCaseAfterItsOwnCases) {
  JsonReporter json("");
  const auto run = testing::run_on_simulator(sim::default_profile(), {read_suite()}, with_health(), &json);
  EXPECT_EQ(run->listener.problems(), "");
  ASSERT_GE(run->listener.results.size(), health_checks().size());
  // The HEALTH cases come last, in the order of health_checks().
  const size_t first = run->listener.results.size() - health_checks().size();
  for (size_t i = 0; i < health_checks().size(); ++i) {
    EXPECT_EQ(run->listener.results[first + i].id, health_checks()[i].id);
    EXPECT_EQ(run->listener.results[first + i].result.outcome, Outcome::kPassed)
        << health_checks()[i].id << ": " << run->listener.results[first + i].result.message;
  }
  const CaseResult* reads = result_of(run->listener, "HEALTH-003");
  ASSERT_NE(reads, nullptr);
  bool counted = false;
  for (const auto& m : reads->measurements) {
    if (m.name == "reads completed by nvqual") counted = m.value != "0";
  }
  EXPECT_TRUE(counted) << "the read suite reads: its reads must be counted";

  const auto& health = json.document()["suites"][0]["health"];
  EXPECT_TRUE(health["read"].get<bool>());
  EXPECT_GT(health["difference"]["host_read_commands"].get<int64_t>(), 0);
  EXPECT_EQ(health["start"]["temperature"].get<uint64_t>(), 313u);
  EXPECT_EQ(health["difference"]["critical_warning"].get<int64_t>(), 0);
}

TEST(SuiteHealth, WithoutTheOptionNoHealthCaseIsReported) {
  const auto run = testing::run_on_simulator(sim::default_profile(), {read_suite()});
  EXPECT_EQ(result_of(run->listener, "HEALTH-001"), nullptr);
}

TEST(SuiteHealth, FrozenCountersFailTheReadChecks) {
  const auto run = testing::run_on_simulator(with_fault(sim::SelfReportEffect::kSmartCountersFrozen), {read_suite()},
                                             with_health());
  for (const char* id : {"HEALTH-003", "HEALTH-004"}) {
    const CaseResult* r = result_of(run->listener, id);
    ASSERT_NE(r, nullptr) << id;
    EXPECT_EQ(r->outcome, Outcome::kFailed) << id << ": " << r->message;
  }
  EXPECT_EQ(result_of(run->listener, "HEALTH-001")->outcome, Outcome::kPassed);
}

TEST(SuiteHealth, AnErrorLogThatCountsButDoesNotWriteFailsTheCountCheck) {
  const auto run = testing::run_on_simulator(with_fault(sim::SelfReportEffect::kErrorLogMissesFailures), {read_suite()},
                                             with_health());
  const CaseResult* r = result_of(run->listener, "HEALTH-006");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->outcome, Outcome::kFailed) << r->message;
  // Nothing logged is no mismatch: the unlogged failures are only listed.
  const CaseResult* entries = result_of(run->listener, "HEALTH-005");
  EXPECT_EQ(entries->outcome, Outcome::kPassed) << entries->message;
  bool listed = false;
  for (const auto& m : entries->measurements)
    listed = listed || m.name.find("no error log entry records") != std::string::npos;
  EXPECT_TRUE(listed);
}

TEST(SuiteHealth, GrowingMediaErrorsFailTheirCheck) {
  const auto run = testing::run_on_simulator(with_fault(sim::SelfReportEffect::kMediaErrorsGrow), {read_suite()},
                                             with_health());
  EXPECT_EQ(result_of(run->listener, "HEALTH-002")->outcome, Outcome::kFailed);
}

class RelaxedProfile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("nvqual-relax-" + std::to_string(::getpid()) + ".yaml");
  }
  void TearDown() override { std::filesystem::remove(path_); }
  ModelProfile load(const std::string& relax) {
    std::ofstream(path_) << "model: lagging\nvalues:\n  identify_controller.vid: 0x4E56\n" << relax;
    return load_model_profile(path_);
  }
  std::filesystem::path path_;
};

TEST_F(RelaxedProfile, ARelaxedCheckThatFailsIsSkippedAndSaysWhy) {
  const ModelProfile model = load("relax:\n  host_read_commands: counts reads in batches\n");
  ASSERT_EQ(model.relaxed.count("host_read_commands"), 1u);
  auto options = with_health();
  options.settings.model = &model;
  const auto run = testing::run_on_simulator(with_fault(sim::SelfReportEffect::kSmartCountersFrozen), {read_suite()},
                                             options);
  const CaseResult* relaxed = result_of(run->listener, "HEALTH-003");
  EXPECT_EQ(relaxed->outcome, Outcome::kSkipped);
  EXPECT_THAT(relaxed->message, HasSubstr("relaxed by the model profile 'lagging' (counts reads in batches)"));
  EXPECT_THAT(relaxed->message, HasSubstr("actual growth of 0"));
  EXPECT_EQ(result_of(run->listener, "HEALTH-004")->outcome, Outcome::kFailed);  // not relaxed
}

TEST_F(RelaxedProfile, UnknownCheckNamesAndEmptyReasonsAreErrors) {
  try {
    load("relax:\n  host_reads: typo\n");
    ADD_FAILURE() << "loaded";
  } catch (const SuiteError& e) {
    EXPECT_THAT(e.what(), HasSubstr("unknown health check 'host_reads'"));
    EXPECT_THAT(e.what(), HasSubstr("host_read_commands"));
  }
  try {
    load("relax:\n  media_errors: \"\"\n");
    ADD_FAILURE() << "loaded";
  } catch (const SuiteError& e) {
    EXPECT_THAT(e.what(), HasSubstr("say why"));
  }
}

}  // namespace
}  // namespace nvqual::harness
