// Controller::submit_batch: commands without data behind ONE doorbell write,
// with the same media-change guard and stop-on-failure as a single command.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/commands.hpp"
#include "support/sim_rig.hpp"

namespace nvqual {
namespace {

using ::testing::HasSubstr;
using testing_support::capture_error;
using testing_support::profile_with;
using testing_support::SimRig;
using testing_support::violations_text;
using namespace std::chrono_literals;

const spec::SubmissionEntry kProbe = cmd::get_features(static_cast<uint8_t>(spec::FeatureId::kNumberOfQueues));

TEST(SubmitBatch, FillsTheQueueWithOneDoorbellWriteAndReturnsCompletionsInOrder) {
  ControllerOptions options;
  options.admin_queue_entries = 8;
  SimRig rig(sim::default_profile(), options);
  rig.controller.reset();
  QueuePair& admin = rig.controller.admin_queue();
  const std::vector<spec::SubmissionEntry> batch(admin.free_slots(), kProbe);
  ASSERT_EQ(batch.size(), 7u) << "all but the slot that stays empty";
  const uint64_t doorbells_before = rig.sim.counters().sq_doorbell_writes;

  const std::vector<spec::CompletionEntry> done = rig.controller.submit_batch(admin, batch);
  EXPECT_EQ(rig.sim.counters().sq_doorbell_writes - doorbells_before, 1u);
  ASSERT_EQ(done.size(), batch.size());
  for (size_t i = 0; i < done.size(); ++i) EXPECT_TRUE(done[i].status().ok()) << i;
  EXPECT_EQ(done.back().sqhd(), (done.front().sqhd() + 6) % 8) << "the controller fetched all seven";
  EXPECT_EQ(admin.outstanding(), 0u);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(SubmitBatch, MoreThanTheQueueHoldsIsRefusedWithNothingPosted) {
  ControllerOptions options;
  options.admin_queue_entries = 4;
  SimRig rig(sim::default_profile(), options);
  rig.controller.reset();
  QueuePair& admin = rig.controller.admin_queue();
  const uint64_t doorbells_before = rig.sim.counters().sq_doorbell_writes;
  const std::vector<spec::SubmissionEntry> batch(admin.free_slots() + 1, kProbe);
  const DriverError error = capture_error([&] { rig.controller.submit_batch(admin, batch); });
  EXPECT_EQ(error.kind(), ErrorKind::kQueueFull);
  EXPECT_THAT(error.what(), HasSubstr("controller state ready"));
  EXPECT_EQ(rig.sim.counters().sq_doorbell_writes, doorbells_before);
  EXPECT_EQ(admin.outstanding(), 0u);
  EXPECT_TRUE(rig.controller.admin(kProbe).status().ok()) << "the queue is still usable";
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(SubmitBatch, AMediaChangingCommandAnywhereRefusesTheWholeBatch) {
  SimRig rig(sim::default_profile());
  rig.controller.reset();
  QueuePair& admin = rig.controller.admin_queue();
  spec::SubmissionEntry format = kProbe;
  format.set_opcode(static_cast<uint8_t>(spec::AdminOpcode::kFormatNvm));
  const std::vector<spec::SubmissionEntry> batch = {kProbe, format};
  const uint64_t doorbells_before = rig.sim.counters().sq_doorbell_writes;
  EXPECT_EQ(capture_error([&] { rig.controller.submit_batch(admin, batch); }).kind(), ErrorKind::kMediaChangeRefused);
  EXPECT_EQ(rig.sim.counters().sq_doorbell_writes, doorbells_before) << "not even the harmless first one went out";
  EXPECT_EQ(admin.outstanding(), 0u);
}

// A batch whose completion never comes: the controller is disabled before the
// error propagates, as for a single command.
TEST(SubmitBatch, ATimeoutDisablesTheControllerFirst) {
  sim::CommandMatch get_features;
  get_features.queue = sim::QueueKind::kAdmin;
  get_features.opcode = static_cast<uint8_t>(spec::AdminOpcode::kGetFeatures);
  ControllerOptions options;
  options.command_timeout = 1s;
  SimRig rig(profile_with(sim::DropCompletionFault{get_features}), options);
  rig.controller.reset();
  const std::vector<spec::SubmissionEntry> batch(3, kProbe);
  const DriverError error = capture_error([&] { rig.controller.submit_batch(rig.controller.admin_queue(), batch); });
  EXPECT_EQ(error.kind(), ErrorKind::kCommandTimeout);
  EXPECT_EQ(rig.controller.state(), ControllerState::kDisabled);
  EXPECT_EQ(rig.controller.cc().en(), 0u);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

}  // namespace
}  // namespace nvqual
