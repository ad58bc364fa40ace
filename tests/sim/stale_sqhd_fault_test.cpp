// The stale-sqhd fault: a completion reports SQHD one behind the head after its
// command's fetch (NVMe Base 2.0, 4.6: SQHD is the head after the command was
// consumed), for every matching command or only the Nth after each reset.
#include <gtest/gtest.h>

#include "nvqual/sim/profile.hpp"
#include "support/raw_host.hpp"

namespace nvqual::sim_test {
namespace {

constexpr uint8_t kGetFeatures = 0x0A;
constexpr uint8_t kNumberOfQueues = 0x07;

sim::StaleSqhdFault stale_get_features(uint64_t nth_after_reset) {
  sim::StaleSqhdFault f;
  f.match.queue = sim::QueueKind::kAdmin;
  f.match.opcode = kGetFeatures;
  f.nth_after_reset = nth_after_reset;
  return f;
}

uint16_t get_features_sqhd(RawHost& host) {
  const spec::CompletionEntry cqe = host.execute(host.admin(), cmd::get_features(kNumberOfQueues));
  EXPECT_TRUE(cqe.status().ok());
  return cqe.sqhd();
}

TEST(StaleSqhdFault, OnlyTheNthMatchingCommandAfterEachResetReportsOneBehind) {
  Rig rig(default_with(stale_get_features(3)));
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round);
    rig.host.bring_up();
    EXPECT_EQ(get_features_sqhd(rig.host), 1u);
    EXPECT_EQ(get_features_sqhd(rig.host), 2u);
    EXPECT_EQ(get_features_sqhd(rig.host), 2u);  // 3 on a correct controller
    EXPECT_EQ(get_features_sqhd(rig.host), 4u);  // the head itself was right all along
    EXPECT_EQ(get_features_sqhd(rig.host), 5u);
    rig.host.disable();
  }
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(StaleSqhdFault, OtherCommandsAreNotCounted) {
  Rig rig(default_with(stale_get_features(2)));
  rig.host.bring_up();
  EXPECT_EQ(get_features_sqhd(rig.host), 1u);
  DmaBuffer page(rig.sim, 4096);
  EXPECT_EQ(rig.host.execute(rig.host.admin(), cmd::identify(spec::Cns::kController, 0), page).sqhd(), 2u);
  EXPECT_EQ(get_features_sqhd(rig.host), 2u);  // the 2nd Get Features: 3 on a correct controller
}

TEST(StaleSqhdFault, WithoutNthEveryMatchingCompletionIsOneBehind) {
  Rig rig(default_with(stale_get_features(0)));
  rig.host.bring_up();
  for (uint32_t i = 1; i <= 4; ++i) EXPECT_EQ(get_features_sqhd(rig.host), i - 1);
}

TEST(StaleSqhdFault, ParsesFromAProfile) {
  const sim::Profile p = fixture("faults/harness-admin-stale-sqhd-fill.yaml");
  ASSERT_EQ(p.faults.size(), 2u);
  EXPECT_EQ(std::get<sim::StaleSqhdFault>(p.faults[0]), stale_get_features(7));
  EXPECT_EQ(std::get<sim::StaleSqhdFault>(p.faults[1]), stale_get_features(8));
}

}  // namespace
}  // namespace nvqual::sim_test
