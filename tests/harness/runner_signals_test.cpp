// SIGINT/SIGTERM at any point of a run: the start-up probe, a driver wait
// inside a step, the health probe after a case, and a second signal. Each test
// raises the signal from inside the process at an exact point (a transport hook
// or a test step) and then waits, bounded, for the runner to have seen it: no
// sleeps, no timing. Time is virtual (VirtualClock): "at once" is checked as
// virtual time far below the driver's bound, which is deterministic.
#include <csignal>
#include <cstdio>
#include <optional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "nvqual/driver/spec/registers.hpp"
#include "nvqual/harness/junit_reporter.hpp"
#include "nvqual/harness/runner.hpp"
#include "nvqual/harness/suite_loader.hpp"
#include "nvqual/sim/profile.hpp"
#include "nvqual/sim/simulated_controller.hpp"
#include "support/hook_transport.hpp"
#include "support/recording_listener.hpp"
#include "support/sim_run.hpp"

namespace nvqual::harness {
namespace {

using ::testing::HasSubstr;
using testing::HookTransport;
using testing::RecordingListener;

Suite suite_of(const std::string& cases_yaml) {
  return load_suite_text("suite: t\narea: test\ndescription: d\nspec: [x]\ncases:\n" + cases_yaml, "t.yaml", "t");
}

std::string a_case(const std::string& id, const std::string& state, const std::string& steps) {
  return "  - id: " + id + "\n    title: case " + id + "\n    spec: Base 2.0 1\n    state: " + state +
         "\n    steps:\n" + steps;
}

const std::string kIdentify = "      - step: identify_controller\n";

// A simulator behind a hook transport, a runner that handles signals, and
// what the run reported.
struct HookedRun {
  explicit HookedRun(const sim::Profile& profile, RunnerOptions options = signal_options())
      : simulator(profile, sim::Mode::kInline, clock), hooked(simulator) {
    testing::test_marks() = 0;
    repeater.add(listener);
    runner = std::make_unique<Runner>(hooked, clock, std::move(options), repeater);
  }
  static RunnerOptions signal_options() {
    RunnerOptions o = testing::quick_options();
    o.handle_signals = true;
    return o;
  }
  // Raises `signal` once and returns when the runner has turned it into a stop.
  void raise_once(int signal) {
    if (raised) return;
    raised = true;
    raised_at = clock.now();
    std::raise(signal);
    seen = runner->wait_for_stop(std::chrono::seconds(20));
  }
  void run(const std::vector<Suite>& suites) { summary = runner->run(suites); }
  // The controller as the run left it: off, nothing it could reach still mapped.
  void expect_controller_off() {
    Controller look(simulator, {}, clock);
    EXPECT_EQ(look.cc().en(), 0u);
    EXPECT_EQ(look.csts().rdy(), 0u);
    EXPECT_EQ(simulator.mapped_regions(), 0u);
  }

  VirtualClock clock;
  sim::SimulatedController simulator;
  HookTransport hooked;
  RecordingListener listener;
  ListenerRepeater repeater;
  std::unique_ptr<Runner> runner;
  RunSummary summary;
  bool raised = false;
  bool seen = false;
  Clock::time_point raised_at{};
};

bool enables(uint32_t offset, uint64_t value) {
  return offset == spec::reg::kCc && spec::Cc{static_cast<uint32_t>(value)}.en() == 1;
}

TEST(RunnerSignals, ASignalDuringTheStartUpProbeEndsTheReadyWaitAtOnceAndTheReportSaysSo) {
  // The controller never becomes ready: without the interruption the probe
  // would wait out its 10.5 s bound (CAP.TO 10 s + slack) and report a dead device.
  sim::Profile profile = sim::default_profile();
  profile.faults.push_back(sim::NeverReadyFault{});
  HookedRun r(profile);
  r.hooked.after_write = [&](uint32_t offset, uint64_t value) {
    if (enables(offset, value)) r.raise_once(SIGINT);
  };
  const auto path = std::filesystem::temp_directory_path() /
                    ("nvqual-probe-int-" + std::to_string(::getpid()) + ".xml");
  JunitReporter junit(path);
  r.repeater.add(junit);
  r.run({suite_of(a_case("A", "admin", kIdentify) + a_case("B", "admin", kIdentify))});

  ASSERT_TRUE(r.raised);
  EXPECT_TRUE(r.seen);
  EXPECT_TRUE(r.summary.interrupted);
  EXPECT_EQ(r.summary.interrupt_reason, "SIGINT");
  EXPECT_FALSE(r.summary.device_lost) << r.summary.device_problem;  // interrupted, not a dead device
  EXPECT_EQ(exit_code_for(r.summary), 3);
  EXPECT_LT(r.clock.now() - r.raised_at, std::chrono::milliseconds(100)) << "the ready wait ran on after the signal";
  EXPECT_THAT(r.listener.info.target.probe_error, HasSubstr("interrupted by SIGINT"));
  for (const char* id : {"A", "B"}) {
    ASSERT_NE(r.listener.find(id), nullptr);
    EXPECT_EQ(r.listener.find(id)->outcome, Outcome::kSkipped);
    EXPECT_THAT(r.listener.find(id)->message, HasSubstr("interrupted (SIGINT) while the device was being probed"));
  }
  EXPECT_EQ(r.listener.events.back(), "run_end");
  r.expect_controller_off();

  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_file(path.c_str()));
  const auto suite = doc.child("testsuites").child("testsuite");
  EXPECT_STREQ(
      suite.child("properties").find_child_by_attribute("property", "name", "interrupted").attribute("value").value(),
      "SIGINT");
  EXPECT_THAT(suite.child_value("system-err"), HasSubstr("the run was interrupted (SIGINT)"));
  std::filesystem::remove(path);
}

TEST(RunnerSignals, ASignalDuringADriverWaitInAStepInterruptsThatCaseAtOnce) {
  // Cases run on the never-ready device through fallback facts; the enable
  // step's ready wait is where the signal lands.
  sim::Profile profile = sim::default_profile();
  profile.faults.push_back(sim::NeverReadyFault{});
  RunnerOptions options = HookedRun::signal_options();
  options.fallback_target = TargetInfo{};
  options.fallback_target->facts = {{"max_queue_entries", 1024}, {"io_queues", 1}};
  HookedRun r(profile, options);
  r.hooked.after_write = [&](uint32_t offset, uint64_t value) {
    if (testing::test_marks() == 1 && enables(offset, value)) r.raise_once(SIGINT);
  };
  r.run({suite_of(a_case("X", "disabled", "      - step: test_mark\n      - step: enable\n") +
                  a_case("Y", "disabled", "      - step: read_registers\n"))});

  ASSERT_TRUE(r.raised) << r.listener.problems();
  const CaseResult* x = r.listener.find("X");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->outcome, Outcome::kError);
  EXPECT_EQ(x->type, ProblemType::kInterrupted);  // not the DriverError the interrupted wait threw
  EXPECT_THAT(x->message, HasSubstr("interrupted by SIGINT while running steps"));
  EXPECT_EQ(x->failed_in, FailedIn::kSteps);
  EXPECT_LT(r.clock.now() - r.raised_at, std::chrono::milliseconds(100)) << "the ready wait ran on after the signal";
  EXPECT_EQ(r.listener.find("Y")->outcome, Outcome::kSkipped);
  EXPECT_TRUE(r.summary.interrupted);
  EXPECT_EQ(exit_code_for(r.summary), 3);
  r.expect_controller_off();
}

TEST(RunnerSignals, ASignalDuringAHealthProbeIsTheProbedCasesNotTheNextOnes) {
  // A leaves the controller disabled, so its health probe enables it; the
  // signal arrives on the probe's first register read.
  HookedRun r(sim::default_profile());
  r.hooked.before_read = [&](uint32_t) {
    if (testing::test_marks() == 1) r.raise_once(SIGINT);
  };
  r.run({suite_of(a_case("A", "admin", "      - step: disable\n      - step: test_mark\n") +
                  a_case("B", "admin", kIdentify))});

  ASSERT_TRUE(r.raised);
  const CaseResult* a = r.listener.find("A");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->outcome, Outcome::kError);
  EXPECT_EQ(a->type, ProblemType::kInterrupted);
  EXPECT_EQ(a->failed_in, FailedIn::kProbe);
  EXPECT_THAT(a->message, HasSubstr("interrupted by SIGINT during the health probe after the case"));
  const CaseResult* b = r.listener.find("B");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->outcome, Outcome::kSkipped);  // not blamed for A's probe
  EXPECT_THAT(b->message, HasSubstr("not run: the run was interrupted (SIGINT)"));
  EXPECT_TRUE(r.summary.interrupted);
  r.expect_controller_off();
}

TEST(RunnerSignals, AStopRequestedBeforeTheRunSkipsEveryCase) {
  HookedRun r(sim::default_profile());
  r.runner->request_stop("stop requested");
  r.run({suite_of(a_case("A", "admin", kIdentify))});
  EXPECT_EQ(r.listener.find("A")->outcome, Outcome::kSkipped);
  EXPECT_TRUE(r.summary.interrupted);
  EXPECT_EQ(r.summary.interrupt_reason, "stop requested");
  r.expect_controller_off();
}

TEST(RunnerSignalsDeathTest, ASecondSignalDisablesTheControllerAndExitsAtOnceWithStatus3) {
  // The emergency stop waits on the runner's clock, the simulator's virtual
  // one: CSTS.RDY follows CC.EN=0 after the profile's disable latency (1 ms)
  // of that time, so the exit must come well within this bound, far below
  // CAP.TO (10 s), the bound the stop would wait out on any other clock.
  constexpr auto kBound = std::chrono::milliseconds(100);
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        HookedRun r(sim::default_profile());
        // Once the run is stopping, the case thread only raises the second
        // signal and blocks (test_raise_signal): the next write of CC.EN=0
        // is the emergency stop's, and so is every CSTS read after it.
        std::optional<Clock::time_point> disabled_at;
        r.hooked.after_write = [&](uint32_t offset, uint64_t value) {
          if (offset == spec::reg::kCc && spec::Cc{static_cast<uint32_t>(value)}.en() == 0 && !disabled_at &&
              r.runner->wait_for_stop(std::chrono::nanoseconds(0))) {
            disabled_at = r.clock.now();
          }
        };
        // The process exits right after the stop reads CSTS.RDY=0: this read
        // ahead of it says what the controller is left in, and when.
        r.hooked.before_read = [&](uint32_t offset) {
          if (offset != spec::reg::kCsts || !disabled_at) return;
          const spec::Cc cc{r.simulator.read32(spec::reg::kCc)};
          const spec::Csts csts{r.simulator.read32(spec::reg::kCsts)};
          if (cc.en() == 0 && csts.rdy() == 0 && r.clock.now() - *disabled_at < kBound) {
            std::fputs("controller left with CC.EN=0 and CSTS.RDY=0 within the bound\n", stderr);
          }
        };
        r.run({suite_of(a_case("A", "admin", "      - step: test_raise_signal\n        times: 2\n"))});
      },
      ::testing::ExitedWithCode(3),
      ::testing::AllOf(HasSubstr("second interrupt"),
                       HasSubstr("controller left with CC.EN=0 and CSTS.RDY=0 within the bound")));
}

TEST(RunnerSignals, ATargetThatCannotBeOpenedStillGetsAReportWithEveryCaseAnError) {
  TargetInfo target;
  target.simulator = false;
  target.bdf = "0000:99:00.0";
  target.description = target.bdf;
  target.probe_error = "could not be opened: no PCI device 0000:99:00.0";
  RecordingListener listener;
  const Suite suite = suite_of(a_case("A", "admin", kIdentify) + a_case("B", "admin", kIdentify));
  const RunSummary summary = report_unusable_target({suite}, target, RunSettings{}, listener);
  EXPECT_EQ(exit_code_for(summary), 3);
  EXPECT_TRUE(summary.device_lost);
  EXPECT_EQ(summary.totals.errors, 2);
  for (const char* id : {"A", "B"}) {
    EXPECT_EQ(listener.find(id)->type, ProblemType::kDevice);
    EXPECT_THAT(listener.find(id)->message, HasSubstr("no PCI device 0000:99:00.0"));
  }
  EXPECT_EQ(listener.events.front(), "run_start");
  EXPECT_EQ(listener.events.back(), "run_end");
}

TEST(RunnerOnSimulator, ADeviceDependentQueueSizeOutOfRangeIsACaseInputErrorNamingTheSetting) {
  const Suite suite = suite_of(
      a_case("Q", "admin", kIdentify)
          .replace(std::string("  - id: Q\n").size(), 0, "    admin_queue: {entries: nsze}\n"));
  const auto run = testing::run_on_simulator(sim::default_profile(), {suite});
  const CaseResult* q = run->listener.find("Q");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->outcome, Outcome::kError);
  EXPECT_EQ(q->type, ProblemType::kInput);
  EXPECT_THAT(q->message,
              HasSubstr("admin_queue entries 'nsze' is 2097152 on this device: expected 2..4096 (t.yaml:6:5)"));
}

}  // namespace
}  // namespace nvqual::harness
