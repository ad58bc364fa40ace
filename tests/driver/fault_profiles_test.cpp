// Every shipped driver-level fault profile (fixtures/sim/faults/*.yaml, the
// harness-* ones aside) through Controller: reset, Identify, an I/O queue and
// a read. Each must end in its own ErrorKind at its own step (or show its own
// corruption), leave the controller disabled where the protocol broke, and
// cause no simulator violation. Virtual clock: long bounds cost nothing.
#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/lba_stamp.hpp"
#include "support/sim_rig.hpp"

namespace nvqual {
namespace {

using namespace std::chrono_literals;
using testing_support::SimRig;
using testing_support::violations_text;

// What one pass did; `step` names where it stopped.
struct PassResult {
  std::optional<DriverError> error;
  std::string step;
  std::optional<IdentifyController> controller;
  std::optional<IdentifyNamespace> ns;
  std::optional<ReadResult> read;
  std::vector<std::byte> data;
  std::optional<Transition> shutdown;
};

constexpr uint64_t kBlocks = 8;

PassResult run_through(SimRig& rig) {
  PassResult run;
  Controller& c = rig.controller;
  try {
    run.step = "reset";
    c.reset();
    run.step = "identify";
    run.controller = c.identify_controller();
    run.ns = c.identify_namespace(1);
    run.step = "queues";
    c.set_number_of_queues(1, 1);
    QueuePair& queue = c.create_io_queue_pair(1, 16);
    run.step = "read";
    DmaBuffer buffer(rig.sim, kBlocks * 512);
    run.read = c.read(queue, ReadRequest{1, 0, kBlocks, 512}, buffer);
    run.data.assign(buffer.data(), buffer.data() + buffer.size());
    run.step = "shutdown";
    run.shutdown = c.shutdown();
    run.step = "done";
  } catch (const DriverError& e) {
    run.error = e;
  }
  return run;
}

struct FaultProfile {
  const char* file;                // in fixtures/sim/faults
  std::optional<ErrorKind> error;  // none: the pass completes
  const char* step;                // where it stops ("done" when it completes)
  bool disabled_after;             // CC.EN=0 afterwards (a broken protocol stops the controller)
  const char* message = "";        // part of the error text that tells it from the others of its kind
  std::function<void(const PassResult&)> observe = [](const PassResult&) {};
};

void PrintTo(const FaultProfile& c, std::ostream* os) { *os << c.file; }

const std::vector<FaultProfile>& profiles() {
  static const std::vector<FaultProfile> all = {
      {"never-ready", ErrorKind::kReadyTimeout, "reset", true},
      {"ready-after-timeout", ErrorKind::kReadyTimeout, "reset", true},
      {"late-ready", std::nullopt, "done", true, "",
       [](const PassResult& r) {
         EXPECT_FALSE(lba_stamp::check(r.data, 512, 0, 1)) << "slow, inside the bound: all works";
       }},
      {"slow-shutdown", std::nullopt, "done", true, "",
       [](const PassResult& r) {
         ASSERT_TRUE(r.shutdown && r.controller);
         // Beyond RTD3E, inside the floor: waited for, and measured (virtual time).
         EXPECT_GT(r.shutdown->latency, std::chrono::microseconds(r.controller->rtd3e));
       }},
      {"cfs-at-enable", ErrorKind::kControllerFatal, "reset", true},
      {"cfs-after-commands", ErrorKind::kControllerFatal, "read", true},
      {"all-ones", ErrorKind::kDeviceGone, "reset", false},
      {"all-ones-after-commands", ErrorKind::kDeviceGone, "read", false},
      {"drop-completion", ErrorKind::kCommandTimeout, "read", true, "got no completion"},
      // The entry is there but with the stale phase: not a timeout, its own finding.
      {"wrong-phase", ErrorKind::kProtocolViolation, "read", true, "completion with wrong phase tag"},
      {"duplicate-completion", ErrorKind::kProtocolViolation, "read", true, "not outstanding"},
      {"wrong-sqid", ErrorKind::kProtocolViolation, "read", true, "names SQ"},
      {"wrong-sqhd", ErrorKind::kProtocolViolation, "read", true, "SQ head"},
      // An error status is an answer, not a fault: the device kept the protocol
      // and stays usable, so the driver leaves it enabled (a harness case may
      // go on to the next command); only the Identify step fails.
      {"identify-status-error", ErrorKind::kCommandFailed, "identify", false, "failed: 00/06"},
      {"read-status-error", std::nullopt, "done", true, "",
       [](const PassResult& r) {
         ASSERT_TRUE(r.read);
         EXPECT_FALSE(r.read->ok());
         EXPECT_TRUE(r.read->completion.status().same_code(spec::Status::make(0x2, 0x81)))
             << r.read->completion.status().describe();
       }},
      {"corrupt-identify-serial", std::nullopt, "done", true, "",
       [](const PassResult& r) {
         ASSERT_TRUE(r.controller);
         ASSERT_FALSE(r.controller->sn.empty());
         EXPECT_EQ(r.controller->sn[0], '\x01');
       }},
      {"corrupt-identify-namespace", std::nullopt, "done", true, "",
       [](const PassResult& r) {
         ASSERT_TRUE(r.ns);
         EXPECT_GT(r.ns->ncap, r.ns->nsze);
       }},
      {"corrupt-read-data", std::nullopt, "done", true, "",
       [](const PassResult& r) {
         const auto mismatch = lba_stamp::check(r.data, 512, 0, 1);
         ASSERT_TRUE(mismatch);
         EXPECT_EQ(mismatch->lba, 0u);
         EXPECT_EQ(mismatch->byte, 16u);
       }},
  };
  return all;
}

class FaultProfiles : public testing::TestWithParam<FaultProfile> {};

TEST_P(FaultProfiles, EndInTheirOwnErrorWithoutViolations) {
  const FaultProfile& c = GetParam();
  ControllerOptions options;
  options.command_timeout = 500ms;
  SimRig rig(sim::load_profile(sim::profile_directory() / "faults" / (std::string(c.file) + ".yaml")), options);
  const PassResult run = run_through(rig);
  if (c.error) {
    ASSERT_TRUE(run.error) << "no error; stopped at " << run.step;
    EXPECT_EQ(run.error->kind(), *c.error) << run.error->what();
    EXPECT_THAT(run.error->what(), testing::HasSubstr(c.message));
  } else {
    EXPECT_FALSE(run.error) << run.error->what();
  }
  EXPECT_EQ(run.step, c.step);
  c.observe(run);
  const spec::Cc cc = rig.controller.cc();
  if (c.disabled_after) {
    EXPECT_FALSE(rig.controller.enabled());
    EXPECT_EQ(cc.en(), 0u);
  } else if (c.error == ErrorKind::kDeviceGone) {
    EXPECT_FALSE(rig.controller.enabled());
    EXPECT_EQ(cc.raw, spec::kAllOnes32) << "gone: nothing to read back";
  } else {
    // A completion with an error status is the device answering within the
    // protocol, not a fault: disabling here would hide the device state a
    // following step (or the report) should see.
    EXPECT_TRUE(rig.controller.enabled()) << "an error status is an answer: the controller stays usable";
    EXPECT_EQ(cc.en(), 1u);
  }
  EXPECT_TRUE(rig.sim.violations().empty()) << violations_text(rig.sim);
}

INSTANTIATE_TEST_SUITE_P(Shipped, FaultProfiles, testing::ValuesIn(profiles()),
                         [](const testing::TestParamInfo<FaultProfile>& info) {
                           std::string name = info.param.file;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// A new driver-level fault profile must be added above, or it tests nothing here.
TEST(FaultProfiles, EveryShippedDriverProfileIsCovered) {
  std::set<std::string> covered;
  for (const auto& c : profiles()) covered.insert(c.file);
  for (const auto& entry : std::filesystem::directory_iterator(sim::profile_directory() / "faults")) {
    const std::string name = entry.path().stem().string();
    if (entry.path().extension() != ".yaml" || name.starts_with("harness-")) continue;
    EXPECT_EQ(covered.count(name), 1u) << name << ".yaml is not in the table";
  }
}

}  // namespace
}  // namespace nvqual
