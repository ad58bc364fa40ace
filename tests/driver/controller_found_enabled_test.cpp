// A controller found with CC.EN=1 and CSTS.RDY=0 that never becomes ready
// (NVMe Base 2.0, 3.5.1): the driver waits for RDY=1 as the spec asks, but when that
// wait runs out it must still clear EN, and escalate (function-level reset,
// then NSSR) when EN=0 is not honoured. A controller must never be left
// enabled behind a thrown error or a destroyed Controller.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
using testing_support::violations_text;

// What a previous owner left behind: admin queue programmed, EN=1 written,
// straight to the device (not through the Controller under test).
struct LeftEnabled {
  explicit LeftEnabled(Transport& device) : asq(device, 4096), acq(device, 4096) {
    device.write32(spec::reg::kAqa, spec::Aqa::for_entries(2, 2).raw);
    device.write64(spec::reg::kAsq, asq.iova());
    device.write64(spec::reg::kAcq, acq.iova());
    device.write32(spec::reg::kCc, spec::Cc{}.set_iosqes(6).set_iocqes(4).set_en(1).raw);
  }
  DmaBuffer asq, acq;
};

spec::Cc device_cc(sim::SimulatedController& sim) { return spec::Cc{sim.read32(spec::reg::kCc)}; }

TEST(FoundEnabled, NeverReadyIsStillDisabledByReset) {
  SimRig rig(profile_with(sim::NeverReadyFault{}));
  LeftEnabled previous(rig.sim);
  ASSERT_EQ(rig.controller.csts().rdy(), 0u);
  const DriverError error = capture_error([&] { rig.controller.reset(); });
  EXPECT_EQ(error.kind(), ErrorKind::kReadyTimeout) << error.what();
  EXPECT_THAT(error.what(), HasSubstr("CC.EN was cleared anyway"));
  EXPECT_EQ(device_cc(rig.sim).en(), 0u) << "left enabled after the ready timeout";
  EXPECT_EQ(rig.controller.csts().rdy(), 0u);
  EXPECT_FALSE(rig.controller.unusable());
  EXPECT_NO_VIOLATIONS(rig.sim);
}

// The destructor goes by CC.EN, not by what this Controller enabled itself.
TEST(FoundEnabled, DestructorDisablesAControllerItNeverEnabled) {
  HookedRig rig(profile_with(sim::NeverReadyFault{}));
  LeftEnabled previous(rig.sim);
  ASSERT_FALSE(rig.controller->enabled());
  rig.controller = std::nullopt;
  EXPECT_EQ(device_cc(rig.sim).en(), 0u);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

// Late ready, then deaf to EN=0: CSTS reads RDY=1 once the driver has
// written CC (giving up on the first wait) for as long as the device's own
// CC.EN stays 1, which only a reset ends.
void ready_once_disable_is_tried(HookedRig& rig) {
  rig.device.ignore_disable = true;
  rig.device.on_read = [&rig](uint32_t offset, uint64_t value) -> uint64_t {
    const bool stuck = rig.device.cc_writes > 0 && device_cc(rig.sim).en() == 1;
    return offset == spec::reg::kCsts && stuck ? spec::Csts{static_cast<uint32_t>(value)}.set_rdy(1).raw : value;
  };
}

TEST(FoundEnabled, EnIgnoredEscalatesToFunctionLevelReset) {
  sim::Profile profile = profile_with(sim::NeverReadyFault{});
  profile.registers.nssrs = false;
  HookedRig rig(profile);
  LeftEnabled previous(rig.sim);
  ready_once_disable_is_tried(rig);
  const DriverError error = capture_error([&] { rig.controller->reset(); });
  EXPECT_EQ(error.kind(), ErrorKind::kReadyTimeout) << error.what();
  EXPECT_THAT(error.what(), HasSubstr("reset stopped it"));
  EXPECT_EQ(device_cc(rig.sim).en(), 0u);
  EXPECT_FALSE(rig.controller->unusable());
  EXPECT_GE(rig.sim.counters().resets, 1u);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(FoundEnabled, NoFunctionResetEscalatesToSubsystemReset) {
  HookedRig rig(profile_with(sim::NeverReadyFault{}));  // CAP.NSSRS=1
  ASSERT_EQ(rig.controller->cap().nssrs(), 1u);
  LeftEnabled previous(rig.sim);
  ready_once_disable_is_tried(rig);
  rig.device.reset = HookedTransport::Reset::kUnavailable;
  const DriverError error = capture_error([&] { rig.controller->reset(); });
  EXPECT_EQ(error.kind(), ErrorKind::kReadyTimeout) << error.what();
  EXPECT_EQ(device_cc(rig.sim).en(), 0u);
  EXPECT_EQ(rig.controller->csts().nssro(), 1u) << "the NVM subsystem reset is what stopped it";
  EXPECT_FALSE(rig.controller->unusable());
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(FoundEnabled, NothingWorksLeavesItUnusableAndSaysSo) {
  sim::Profile profile = profile_with(sim::NeverReadyFault{});
  profile.registers.nssrs = false;
  HookedRig rig(profile);
  LeftEnabled previous(rig.sim);
  ready_once_disable_is_tried(rig);
  rig.device.reset = HookedTransport::Reset::kFails;
  const DriverError error = capture_error([&] { rig.controller->reset(); });
  EXPECT_EQ(error.kind(), ErrorKind::kReadyTimeout);
  EXPECT_THAT(error.what(), HasSubstr("did not stop it either"));
  EXPECT_TRUE(rig.controller->unusable());
  EXPECT_EQ(rig.sim.counters().resets, 0u);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

}  // namespace
}  // namespace nvqual
