// The scratch variables and the simulator's default scratch range
// (harness/src/scratch_variables.hpp, docs/data-integrity.md).
#include "nvqual/harness/scratch_variables.hpp"

#include <gtest/gtest.h>

namespace nvqual::harness {
namespace {

Variables facts() { return {{"nsid", 1}, {"nsze", 1000}, {"nn", 1}}; }

TEST(ScratchVariables, ARealDeviceWithoutARangeHasNoScratch) {
  Variables f = facts();
  MediaChangePolicy policy;
  add_simulator_default_scratch(policy, f, false);
  EXPECT_TRUE(policy.scratch().empty());
  add_scratch_variables(f, policy, false);
  EXPECT_EQ(f["scratch_blocks"], 0u);
  EXPECT_EQ(f["scratch_past_end"], 0u);
  EXPECT_EQ(f["scratch_inactive_nsid"], 0u);
}

TEST(ScratchVariables, ADeclaredRangeIsCutToTheNamespace) {
  Variables f = facts();
  MediaChangePolicy policy;
  policy.add_scratch(parse_scratch_range("900:5000", 1));
  add_scratch_variables(f, policy, false);
  EXPECT_EQ(f["scratch_first"], 900u);
  EXPECT_EQ(f["scratch_last"], 999u);
  EXPECT_EQ(f["scratch_blocks"], 100u);
  // 900:5000 also covers LBAs 1000..1007, past NSZE: the out-of-range cases may send them.
  EXPECT_EQ(f["scratch_past_end"], 1u);
}

TEST(ScratchVariables, AllIsTheWholeNamespaceAndItsEnd) {
  Variables f = facts();
  MediaChangePolicy policy;
  policy.add_scratch(parse_scratch_range("all", 1));
  add_scratch_variables(f, policy, false);
  EXPECT_EQ(f["scratch_first"], 0u);
  EXPECT_EQ(f["scratch_last"], 999u);
  EXPECT_EQ(f["scratch_blocks"], 1000u);
  EXPECT_EQ(f["scratch_past_end"], 1u);
  EXPECT_EQ(f["scratch_inactive_nsid"], 0u);  // NSID 2 is not declared
}

TEST(ScratchVariables, ARangeOfAnotherNamespaceIsNotScratchForThisOne) {
  Variables f = facts();
  MediaChangePolicy policy;
  policy.add_scratch(parse_scratch_range("0:99", 2));
  add_scratch_variables(f, policy, false);
  EXPECT_EQ(f["scratch_blocks"], 0u);
  EXPECT_EQ(f["scratch_inactive_nsid"], 1u);  // NSID nn + 1 = 2 is scratch
}

TEST(ScratchVariables, TheSimulatorDefaultIsDeclaredAndEnforced) {
  Variables f = facts();
  MediaChangePolicy policy;
  add_simulator_default_scratch(policy, f, true);
  add_scratch_variables(f, policy, true);
  EXPECT_EQ(f["scratch_first"], 250u);
  EXPECT_EQ(f["scratch_last"], 499u);
  EXPECT_EQ(f["scratch_blocks"], 250u);
  EXPECT_EQ(f["scratch_past_end"], 1u);
  EXPECT_EQ(f["scratch_inactive_nsid"], 1u);
  // The driver refuses what the default does not declare, as for --scratch.
  EXPECT_FALSE(policy.lbas_allowed(false, 1, 0, 1));
  EXPECT_FALSE(policy.lbas_allowed(false, 1, 499, 2));
  EXPECT_TRUE(policy.lbas_allowed(false, 1, 250, 250));
  EXPECT_TRUE(policy.lbas_allowed(false, 1, 1000, 8));
}

TEST(ScratchVariables, TheSimulatorDefaultGivesWayToDeclaredRanges) {
  Variables f = facts();
  MediaChangePolicy policy;
  policy.add_scratch(parse_scratch_range("10:19", 1));
  add_simulator_default_scratch(policy, f, true);
  ASSERT_EQ(policy.scratch().size(), 1u);
  add_scratch_variables(f, policy, true);
  EXPECT_EQ(f["scratch_first"], 10u);
  EXPECT_EQ(f["scratch_blocks"], 10u);
  EXPECT_EQ(f["scratch_past_end"], 0u);
}

}  // namespace
}  // namespace nvqual::harness
