// The raw register access conformance cases use: the three writes the spec
// defines for a polled host, and the reserved offsets.
#include <gtest/gtest.h>

#include "support/sim_rig.hpp"

namespace nvqual {
namespace {

using testing_support::SimRig;
using testing_support::violations_text;

TEST(ControllerRegisterChecks, InterruptMaskSetAndClearAreWriteOneToChange) {
  SimRig rig(sim::default_profile());
  rig.controller.reset();
  EXPECT_EQ(rig.controller.write_register(Controller::WritableRegister::kIntms, 0x5), 0x5u);
  EXPECT_EQ(rig.controller.write_register(Controller::WritableRegister::kIntms, 0x0), 0x5u) << "0 bits change nothing";
  EXPECT_EQ(rig.controller.write_register(Controller::WritableRegister::kIntmc, 0x1), 0x4u) << "INTMC reads the mask";
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(ControllerRegisterChecks, WritingZeroToCstsLeavesItReady) {
  SimRig rig(sim::default_profile());
  rig.controller.reset();
  const uint32_t csts = rig.controller.write_register(Controller::WritableRegister::kCsts, 0);
  EXPECT_EQ(spec::Csts{csts}.rdy(), 1u);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(ControllerRegisterChecks, ReservedOffsetsAreTheSpecsAndReadZeroOnTheSimulator) {
  SimRig rig(sim::default_profile());
  const auto reads = rig.controller.read_reserved_registers();
  ASSERT_FALSE(reads.empty());
  EXPECT_EQ(reads.front().offset, 0x18u);
  EXPECT_EQ(reads[1].offset, 0x6Cu) << "CRTO at 68h is a register, not reserved";
  EXPECT_EQ(reads.back().offset, 0xDFCu) << "PMRCAP at E00h is a register, not reserved";
  EXPECT_EQ(reads.size(), 1u + (0xDFC - 0x6C) / 4 + 1);
  for (const auto& r : reads) EXPECT_EQ(r.value, 0u) << "offset " << r.offset;
  EXPECT_NO_VIOLATIONS(rig.sim);
}

}  // namespace
}  // namespace nvqual
