// The controller's named state (controller_state.hpp): each transition sets
// it, and every wait, timeout and refusal names it, so a reader of a failure
// sees where the controller was.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/commands.hpp"
#include "support/hooked_rig.hpp"
#include "support/sim_rig.hpp"

namespace nvqual {
namespace {

using ::testing::HasSubstr;
using testing_support::capture_error;
using testing_support::HookedRig;
using testing_support::HookedTransport;
using testing_support::profile_with;
using testing_support::SimRig;
using namespace std::chrono_literals;

TEST(ControllerState, EveryStateHasItsOwnName) {
  EXPECT_EQ(to_string(ControllerState::kDisabled), "disabled");
  EXPECT_EQ(to_string(ControllerState::kEnabling), "enabling");
  EXPECT_EQ(to_string(ControllerState::kReady), "ready");
  EXPECT_EQ(to_string(ControllerState::kShuttingDown), "shutting down");
  EXPECT_EQ(to_string(ControllerState::kUnusable), "unusable");
}

TEST(ControllerState, FollowsResetShutdownAndDisable) {
  SimRig rig(sim::default_profile());
  EXPECT_EQ(rig.controller.state(), ControllerState::kDisabled);
  EXPECT_FALSE(rig.controller.enabled());
  rig.controller.reset();
  EXPECT_EQ(rig.controller.state(), ControllerState::kReady);
  EXPECT_TRUE(rig.controller.enabled());
  rig.controller.shutdown();
  EXPECT_EQ(rig.controller.state(), ControllerState::kDisabled);
  rig.controller.reset();
  rig.controller.disable();
  EXPECT_EQ(rig.controller.state(), ControllerState::kDisabled);
  EXPECT_FALSE(rig.controller.enabled());
}

TEST(ControllerState, ARefusalNamesTheState) {
  SimRig rig(sim::default_profile());
  const DriverError error = capture_error([&] { rig.controller.identify_controller(); });
  EXPECT_EQ(error.kind(), ErrorKind::kInvalidArgument);
  EXPECT_THAT(error.what(), HasSubstr("needs an enabled controller (controller state disabled)"));
}

TEST(ControllerState, AReadyTimeoutNamesEnablingAndEndsDisabled) {
  SimRig rig(profile_with(sim::NeverReadyFault{}));
  const DriverError error = capture_error([&] { rig.controller.reset(); });
  EXPECT_EQ(error.kind(), ErrorKind::kReadyTimeout);
  EXPECT_THAT(error.what(), HasSubstr("(controller state enabling): not done within"));
  EXPECT_EQ(rig.controller.state(), ControllerState::kDisabled);
}

TEST(ControllerState, AShutdownTimeoutNamesShuttingDownAndStaysThere) {
  sim::Profile profile = sim::default_profile();
  profile.timing.shutdown_latency = 60s;
  ControllerOptions options;
  options.shutdown_floor = 1s;
  SimRig rig(profile, options);
  rig.controller.reset();
  const DriverError error = capture_error([&] { rig.controller.shutdown(); });
  EXPECT_EQ(error.kind(), ErrorKind::kShutdownTimeout);
  EXPECT_THAT(error.what(), HasSubstr("(controller state shutting down)"));
  EXPECT_EQ(rig.controller.state(), ControllerState::kShuttingDown);
  EXPECT_TRUE(rig.controller.enabled()) << "the admin queue still exists: the destructor must stop it";
}

// A command times out on a device nothing can stop: the state is kUnusable
// and every later refusal says so.
TEST(ControllerState, AControllerNothingStopsIsUnusableAndSaysSo) {
  sim::CommandMatch get_features;
  get_features.queue = sim::QueueKind::kAdmin;
  get_features.opcode = static_cast<uint8_t>(spec::AdminOpcode::kGetFeatures);
  sim::Profile profile = profile_with(sim::DropCompletionFault{get_features});
  profile.registers.nssrs = false;
  ControllerOptions options;
  options.command_timeout = 1s;
  HookedRig rig(profile, options);
  rig.controller->reset();
  rig.device.ignore_disable = true;
  rig.device.reset = HookedTransport::Reset::kUnavailable;
  EXPECT_EQ(capture_error([&] { rig.controller->get_features(0x07); }).kind(), ErrorKind::kCommandTimeout);
  EXPECT_EQ(rig.controller->state(), ControllerState::kUnusable);
  EXPECT_TRUE(rig.controller->unusable());
  EXPECT_FALSE(rig.controller->enabled());
  const DriverError again = capture_error([&] { rig.controller->reset(); });
  EXPECT_THAT(again.what(), HasSubstr("could not be stopped"));
  EXPECT_THAT(again.what(), HasSubstr("(controller state unusable)"));
}

}  // namespace
}  // namespace nvqual
