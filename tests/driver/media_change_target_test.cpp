// media_change_target_problem (media_change_target.hpp): the command line's
// serial and scratch ranges against the device, before anything is written.
// Each problem is one line naming what is wrong; settings that fit give "".
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/media_change_target.hpp"
#include "nvqual/sim/profile.hpp"
#include "support/sim_rig.hpp"

namespace nvqual {
namespace {

using ::testing::HasSubstr;
using testing_support::SimRig;

sim::Profile multi_namespace_profile() {
  return sim::load_profile(std::string(NVQUAL_SOURCE_DIR) + "/fixtures/sim/multi-ns.yaml");
}

struct Target {
  explicit Target(sim::Profile profile = sim::default_profile()) : rig(std::move(profile)) {
    rig.controller.reset();
    serial = rig.controller.identify_controller().sn;
    nsze = rig.controller.identify_namespace(1).nsze;
  }
  std::string problem(const MediaChangePolicy& policy) { return media_change_target_problem(rig.controller, policy); }
  SimRig rig;
  std::string serial;
  uint64_t nsze = 0;
};

TEST(MediaChangeTarget, SettingsThatFitTheDeviceHaveNoProblem) {
  Target t;
  MediaChangePolicy policy;
  policy.set_confirm_serial(t.serial);
  policy.add_scratch(ScratchRange{1, 0, t.nsze - 1, false});  // up to the last LBA exactly
  EXPECT_EQ(t.problem(policy), "");
  MediaChangePolicy whole;
  whole.add_scratch(ScratchRange{1, 0, 0, true});
  EXPECT_EQ(t.problem(whole), "");
}

TEST(MediaChangeTarget, AnotherDevicesSerialNamesTheSerialFound) {
  Target t;
  MediaChangePolicy policy;
  policy.set_confirm_serial("NOT-THIS-ONE");
  const std::string why = t.problem(policy);
  EXPECT_THAT(why, HasSubstr("--confirm-serial NOT-THIS-ONE does not match"));
  EXPECT_THAT(why, HasSubstr("'" + t.serial + "'"));
}

TEST(MediaChangeTarget, AScratchRangePastNszeIsAProblem) {
  Target t;
  MediaChangePolicy policy;
  policy.add_scratch(ScratchRange{1, t.nsze - 8, t.nsze, false});  // one block too far
  const std::string why = t.problem(policy);
  EXPECT_THAT(why, HasSubstr(fmt::format("LBA {} is past the end of namespace 1 (NSZE {}", t.nsze, t.nsze)));
}

TEST(MediaChangeTarget, AScratchRangeOfAnInactiveNamespaceIsAProblem) {
  Target t(multi_namespace_profile());  // NN 4, NSID 4 inactive
  MediaChangePolicy policy;
  policy.add_scratch(ScratchRange{2, 0, 7, false});
  EXPECT_EQ(t.problem(policy), "") << "namespace 2 is active";
  MediaChangePolicy inactive;
  inactive.add_scratch(ScratchRange{4, 0, 7, false});
  EXPECT_THAT(t.problem(inactive), HasSubstr("namespace 4 is not active"));
  MediaChangePolicy beyond_nn;
  beyond_nn.add_scratch(ScratchRange{9, 0, 7, false});
  EXPECT_THAT(t.problem(beyond_nn), HasSubstr("namespace 9 is not active"));
  // All of an NSID above NN holds no data: declaring it lets DI-018 send its 00/0B write.
  MediaChangePolicy all_beyond_nn;
  all_beyond_nn.add_scratch(ScratchRange{5, 0, 0, true});
  EXPECT_EQ(t.problem(all_beyond_nn), "");
}

// What the reports say about media changes: rung Writes count, a read, a
// Flush and a refused Write do not.
TEST(MediaChangeTarget, TheControllerCountsTheMediaChangingCommandsItRang) {
  Target t;
  Controller& c = t.rig.controller;
  c.set_number_of_queues(1, 1);
  QueuePair& queue = c.create_io_queue_pair(1, 16);
  DmaBuffer buffer(t.rig.sim, 300 * 512);
  c.set_allow_media_changes(true);
  ASSERT_TRUE(c.write(queue, WriteRequest{1, 0, 300, false}, buffer).ok());  // two Writes at MDTS 128 KiB
  EXPECT_EQ(c.media_changing_commands_sent(), 2u);
  ASSERT_TRUE(c.read(queue, ReadRequest{1, 0, 300, std::nullopt}, buffer).ok());
  ASSERT_TRUE(c.flush(queue, 1).status().ok());
  EXPECT_EQ(c.media_changing_commands_sent(), 2u);
  c.set_allow_media_changes(false);
  EXPECT_THROW(c.write(queue, WriteRequest{1, 0, 1, false}, buffer), DriverError);
  EXPECT_EQ(c.media_changing_commands_sent(), 2u);
}

}  // namespace
}  // namespace nvqual
