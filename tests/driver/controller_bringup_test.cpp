// Reset and enable as NVMe Base 2.0, 3.5.1 lays out, against the strict simulator.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/sim_rig.hpp"

namespace nvqual {
namespace {

using testing_support::capture_error;
using testing_support::profile_with;
using testing_support::SimRig;
using testing_support::violations_text;
using namespace std::chrono_literals;

TEST(ControllerBringUp, ResetEnableIdentifyWithoutViolations) {
  SimRig rig(sim::default_profile());
  const Transition enable = rig.controller.reset();
  EXPECT_GT(enable.bound, 0ns);
  EXPECT_TRUE(rig.controller.enabled());
  const auto regs = rig.controller.read_registers();
  EXPECT_EQ(regs.cc.en(), 1u);
  EXPECT_EQ(regs.cc.iosqes(), 6u);
  EXPECT_EQ(regs.cc.iocqes(), 4u);
  EXPECT_EQ(regs.cc.mps(), regs.cap.mpsmin());
  EXPECT_EQ(regs.csts.rdy(), 1u);
  EXPECT_EQ(regs.aqa.sq_entries(), 32u);
  EXPECT_EQ(regs.asq.address(), rig.controller.admin_queue().sq_iova());
  const auto id = rig.controller.identify_controller();
  EXPECT_EQ(id.sn, rig.sim.profile().controller.serial);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

// INTMS and INTMC read the same mask (3.1.3.3-4); NSSR reads 0 (3.1.3.7).
TEST(ControllerBringUp, SnapshotTypesTheInterruptMaskAndNssr) {
  SimRig rig(sim::default_profile());
  rig.controller.reset();
  rig.sim.write32(spec::reg::kIntms, spec::Intms{}.set_ivms(0b101).raw);
  RegisterSnapshot regs = rig.controller.read_registers();
  EXPECT_EQ(regs.intms.ivms(), 0b101u);
  EXPECT_EQ(regs.intmc.ivmc(), 0b101u);
  EXPECT_EQ(regs.nssr.nssrc(), 0u);
  rig.sim.write32(spec::reg::kIntmc, spec::Intmc{}.set_ivmc(0b001).raw);
  regs = rig.controller.read_registers();
  EXPECT_EQ(regs.intms.ivms(), 0b100u);
  EXPECT_EQ(regs.intmc.ivmc(), 0b100u);
  EXPECT_EQ(spec::Nssr::reset().nssrc(), 0x4E564D65u) << "\"NVMe\"";
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(ControllerBringUp, ReadyBoundUsesCapTo) {
  sim::Profile profile = sim::default_profile();
  profile.registers.to = 4;    // 2 s
  profile.registers.crms = 0;  // no CRTO: CAP.TO alone
  ControllerOptions options;
  options.ready_slack = 250ms;
  SimRig rig(profile, options);
  EXPECT_EQ(rig.controller.ready_bound(), 2250ms);
}

TEST(ControllerBringUp, ReadyBoundTakesLargerCrtoOnVersion2) {
  sim::Profile profile = sim::default_profile();
  profile.registers.to = 2;       // 1 s
  profile.registers.crms = 0b01;  // CRTO valid
  profile.registers.crwmt = 20;   // 10 s
  profile.registers.vs = 0x00020000;
  ControllerOptions options;
  options.ready_slack = 0ms;
  SimRig rig(profile, options);
  EXPECT_EQ(rig.controller.ready_bound(), 10s);
  profile.registers.vs = 0x00010400;  // 1.4: no CRTO
  SimRig old(profile, options);
  EXPECT_EQ(old.controller.ready_bound(), 1s);
}

TEST(ControllerBringUp, LateReadyIsWaitedForAndMeasured) {
  sim::Profile profile = sim::default_profile();
  profile.registers.to = 20;  // 10 s
  profile.timing.ready_latency = 3s;
  SimRig rig(profile);
  const Transition enable = rig.controller.reset();
  EXPECT_GE(enable.latency, 3s);
  EXPECT_LT(enable.latency, enable.bound);
  ASSERT_TRUE(rig.controller.last_enable());
  EXPECT_EQ(rig.controller.last_enable()->latency, enable.latency);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(ControllerBringUp, NeverReadyTimesOutWithinTheBoundAndLeavesItDisabled) {
  sim::Profile profile = profile_with(sim::NeverReadyFault{});
  profile.registers.to = 10;  // 5 s
  SimRig rig(profile);
  const auto start = rig.clock.now();
  const DriverError error = capture_error([&] { rig.controller.reset(); });
  EXPECT_EQ(error.kind(), ErrorKind::kReadyTimeout);
  EXPECT_THAT(error.what(), ::testing::HasSubstr("CSTS"));
  EXPECT_FALSE(rig.controller.enabled());
  EXPECT_EQ(rig.controller.cc().en(), 0u) << "a failed enable leaves EN=0";
  // Bounded: the wait gave up near the bound (virtual time), not later.
  EXPECT_LT(rig.clock.now() - start, 3 * rig.controller.ready_bound());
}

TEST(ControllerBringUp, FatalStatusAtEnableIsItsOwnError) {
  SimRig rig(profile_with(sim::FatalStatusFault{}));
  const DriverError error = capture_error([&] { rig.controller.reset(); });
  EXPECT_EQ(error.kind(), ErrorKind::kControllerFatal);
  EXPECT_FALSE(rig.controller.enabled());
  EXPECT_EQ(rig.controller.cc().en(), 0u);
}

TEST(ControllerBringUp, AllOnesRegistersMeanDeviceGone) {
  SimRig rig(profile_with(sim::AllOnesFault{0}));
  const DriverError error = capture_error([&] { rig.controller.reset(); });
  EXPECT_EQ(error.kind(), ErrorKind::kDeviceGone);
  EXPECT_THAT(error.what(), ::testing::HasSubstr("FFFFFFFF"));
  EXPECT_FALSE(rig.controller.enabled());
}

TEST(ControllerBringUp, EntryStateEnabledButNotReadyWaitsForReadyFirst) {
  sim::Profile profile = sim::default_profile();
  profile.timing.ready_latency = 2s;
  SimRig rig(profile);
  // Someone (a previous process) set EN=1 a moment ago; RDY is still 0.
  DmaBuffer asq(rig.sim, 4096), acq(rig.sim, 4096);
  rig.sim.write32(spec::reg::kAqa, spec::Aqa::for_entries(2, 2).raw);
  rig.sim.write64(spec::reg::kAsq, asq.iova());
  rig.sim.write64(spec::reg::kAcq, acq.iova());
  rig.sim.write32(spec::reg::kCc, spec::Cc{}.set_iosqes(6).set_iocqes(4).set_en(1).raw);
  ASSERT_EQ(rig.controller.csts().rdy(), 0u);
  const auto start = rig.clock.now();
  rig.controller.disable();
  EXPECT_GE(rig.clock.now() - start, 2s) << "EN must not be cleared before RDY=1";
  EXPECT_EQ(rig.controller.csts().rdy(), 0u);
  rig.controller.enable();
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(ControllerBringUp, EntryStateDisabledButStillReadyWaitsForNotReady) {
  sim::Profile profile = sim::default_profile();
  profile.timing.disable_latency = 1500ms;
  SimRig rig(profile);
  rig.controller.reset();
  // EN cleared behind the controller's back; RDY stays 1 for the disable latency.
  rig.sim.write32(spec::reg::kCc, rig.controller.cc().set_en(0).raw);
  ASSERT_EQ(rig.controller.csts().rdy(), 1u);
  const auto start = rig.clock.now();
  rig.controller.disable();
  EXPECT_GE(rig.clock.now() - start, 1500ms);
  EXPECT_EQ(rig.controller.csts().rdy(), 0u);
  rig.controller.enable();
  rig.controller.identify_controller();
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(ControllerBringUp, PageSizeFollowsMpsMin) {
  sim::Profile profile = sim::default_profile();
  profile.registers.mpsmin = 1;  // 8 KiB
  profile.registers.mpsmax = 2;
  SimRig rig(profile);
  rig.controller.reset();
  EXPECT_EQ(rig.controller.cc().mps(), 1u);
  EXPECT_EQ(rig.controller.page_size(), 8192u);
  rig.controller.identify_controller();
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(ControllerBringUp, DoorbellStrideFromDstrd) {
  sim::Profile profile = sim::default_profile();
  profile.registers.dstrd = 3;  // 32-byte stride
  SimRig rig(profile);
  rig.controller.reset();
  rig.controller.identify_controller();
  rig.controller.set_number_of_queues(2, 2);
  rig.controller.create_io_queue_pair(2, 8);
  rig.controller.delete_io_queue_pair(2);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(ControllerBringUp, AdminDepthOutOfRangeIsRejectedBeforeTouchingTheDevice) {
  ControllerOptions options;
  options.admin_queue_entries = 4097;
  SimRig rig(sim::default_profile(), options);
  const DriverError error = capture_error([&] { rig.controller.reset(); });
  EXPECT_EQ(error.kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(rig.controller.cc().en(), 0u);
}

TEST(ControllerShutdown, CompletesAndDisables) {
  sim::Profile profile = sim::default_profile();
  profile.timing.shutdown_latency = 2s;
  SimRig rig(profile);
  rig.controller.reset();
  rig.controller.identify_controller();
  const Transition shutdown = rig.controller.shutdown();
  EXPECT_GE(shutdown.latency, 2s);
  EXPECT_FALSE(rig.controller.enabled());
  EXPECT_EQ(rig.controller.cc().en(), 0u);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(ControllerShutdown, BoundedByRtd3eWithAFloor) {
  sim::Profile profile = sim::default_profile();
  profile.timing.shutdown_latency = 8s;
  profile.controller.rtd3e = 1'000'000;  // 1 s: the 5 s floor applies, still too short
  SimRig rig(profile);
  rig.controller.reset();
  rig.controller.identify_controller();
  const DriverError error = capture_error([&] { rig.controller.shutdown(); });
  EXPECT_EQ(error.kind(), ErrorKind::kShutdownTimeout);

  profile.controller.rtd3e = 10'000'000;  // 10 s: enough
  SimRig patient(profile);
  patient.controller.reset();
  patient.controller.identify_controller();
  EXPECT_GE(patient.controller.shutdown().latency, 8s);
}

TEST(ControllerLifetime, DestructorStopsTheDeviceBeforeFreeingDma) {
  VirtualClock clock;
  sim::SimulatedController sim(sim::default_profile(), sim::Mode::kInline, clock);
  {
    Controller controller(sim, {}, clock);
    controller.reset();
    controller.identify_controller();
    controller.set_number_of_queues(1, 1);
    controller.create_io_queue_pair(1, 16);
  }
  EXPECT_EQ(spec::Cc{sim.read32(spec::reg::kCc)}.en(), 0u);
  EXPECT_EQ(sim.mapped_regions(), 0u) << "every DMA region freed";
  EXPECT_TRUE(sim.violations().empty()) << violations_text(sim);
}

TEST(ControllerSafety, MediaChangingCommandsAreRefusedByDefault) {
  SimRig rig(sim::default_profile());
  rig.controller.reset();
  spec::SubmissionEntry format{};
  format.set_opcode(static_cast<uint8_t>(spec::AdminOpcode::kFormatNvm));
  format.nsid = 1;
  const DriverError error = capture_error([&] { rig.controller.admin(format); });
  EXPECT_EQ(error.kind(), ErrorKind::kMediaChangeRefused);
  EXPECT_EQ(rig.sim.counters().admin_commands[0x80], 0u) << "the command never reached the device";
}

}  // namespace
}  // namespace nvqual
