// BAR0 registers: reset values, read-only and reserved fields, access widths,
// and the CC.EN / CSTS.RDY / SHN state machine timed on a virtual clock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/raw_host.hpp"

namespace nvqual::sim_test {
namespace {

using ::testing::HasSubstr;
namespace reg = spec::reg;

TEST(Registers, ResetValuesComeFromTheProfile) {
  Rig rig(sim::default_profile());
  const sim::RegisterProfile& p = rig.sim.profile().registers;
  const spec::Cap cap{rig.sim.read64(reg::kCap)};
  EXPECT_EQ(cap.mqes(), p.mqes);
  EXPECT_EQ(cap.cqr(), p.cqr ? 1u : 0u);
  EXPECT_EQ(cap.to(), p.to);
  EXPECT_EQ(cap.dstrd(), p.dstrd);
  EXPECT_EQ(cap.nssrs(), p.nssrs ? 1u : 0u);
  EXPECT_EQ(cap.css(), p.css);
  EXPECT_EQ(cap.mpsmin(), p.mpsmin);
  EXPECT_EQ(cap.mpsmax(), p.mpsmax);
  EXPECT_EQ(cap.crms(), p.crms);
  // The two 32-bit halves read the same value.
  EXPECT_EQ(rig.sim.read32(reg::kCap) | (uint64_t{rig.sim.read32(reg::kCap + 4)} << 32), cap.raw);
  EXPECT_EQ(rig.sim.read32(reg::kVs), 0x00020000u);
  EXPECT_EQ(spec::Crto{rig.sim.read32(reg::kCrto)}.crwmt(), p.crwmt);
  for (uint32_t offset :
       {reg::kIntms, reg::kIntmc, reg::kCc, reg::kCsts, reg::kNssr, reg::kAqa, reg::kCmbloc, reg::kCmbsz}) {
    EXPECT_EQ(rig.sim.read32(offset), 0u) << "offset 0x" << std::hex << offset;
  }
  EXPECT_EQ(rig.sim.read64(reg::kAsq), 0u);
  EXPECT_EQ(rig.sim.read64(reg::kAcq), 0u);
  // Reserved offsets read 0.
  for (uint32_t offset : {0x18u, 0x40u, 0x6Cu, 0x100u, 0xE00u, 0xFFCu}) {
    EXPECT_EQ(rig.sim.read32(offset), 0u) << "offset 0x" << std::hex << offset;
  }
  EXPECT_GE(rig.sim.bar_size(), 0x4000u);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Registers, ReadOnlyRegistersIgnoreWritesAndRecordThem) {
  Rig rig(sim::default_profile());
  const uint64_t cap = rig.sim.read64(reg::kCap);
  rig.sim.write32(reg::kCap, 0);
  rig.sim.write32(reg::kCap + 4, 0);
  rig.sim.write64(reg::kCap, 0);
  rig.sim.write32(reg::kVs, 0x00010000);
  rig.sim.write32(reg::kCrto, 0);
  rig.sim.write32(reg::kCmbsz, 0xFFFFFFFF);
  EXPECT_EQ(rig.sim.read64(reg::kCap), cap);
  EXPECT_EQ(rig.sim.read32(reg::kVs), 0x00020000u);
  EXPECT_EQ(rig.sim.read32(reg::kCmbsz), 0u);
  const auto lines = rig.sim.violations();
  ASSERT_EQ(lines.size(), 6u) << violations_text(rig.sim);
  EXPECT_THAT(lines[0], HasSubstr("CAP"));
  EXPECT_THAT(lines[0], HasSubstr("read-only"));
  EXPECT_THAT(lines[3], HasSubstr("VS"));
}

TEST(Registers, ReservedBitsReadZeroAndSettingThemIsRecorded) {
  Rig rig(sim::default_profile());
  rig.sim.write32(reg::kAqa, 0xF00FF00F);
  EXPECT_EQ(rig.sim.read32(reg::kAqa), spec::Aqa{}.set_asqs(0x00F).set_acqs(0x00F).raw);
  rig.sim.write64(reg::kAsq, 0x100000123);
  EXPECT_EQ(rig.sim.read64(reg::kAsq), 0x100000000u);
  rig.sim.write32(reg::kCc, spec::Cc{0x0000000E}.raw);  // bits 3:1 are reserved
  EXPECT_EQ(rig.sim.read32(reg::kCc), 0u);
  ASSERT_EQ(rig.sim.violations().size(), 3u) << violations_text(rig.sim);
  EXPECT_TRUE(has_violation(rig.sim, "AQA written with 0xf00ff00f"));
  EXPECT_TRUE(has_violation(rig.sim, "bits 11:0 are reserved"));
  EXPECT_TRUE(has_violation(rig.sim, "CC written with 0xe: reserved bits"));
}

TEST(Registers, AdminQueueBasesAcceptTwo32BitHalves) {
  Rig rig(sim::default_profile());
  rig.sim.write32(reg::kAsq, 0x2000);
  rig.sim.write32(reg::kAsq + 4, 0x1);
  rig.sim.write32(reg::kAcq, 0x3000);
  rig.sim.write32(reg::kAcq + 4, 0x2);
  EXPECT_EQ(rig.sim.read64(reg::kAsq), 0x100002000u);
  EXPECT_EQ(rig.sim.read32(reg::kAcq + 4), 0x2u);
  EXPECT_EQ(rig.sim.read64(reg::kAcq), 0x200003000u);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Registers, WrongAccessWidthsAreRecorded) {
  Rig rig(sim::default_profile());
  rig.sim.write64(reg::kCc, 0x1);  // CC is 32-bit: ignored
  EXPECT_EQ(rig.sim.read32(reg::kCc), 0u);
  EXPECT_TRUE(has_violation(rig.sim, "64-bit write of 0x1 at 0x14 (CC)"));
  rig.sim.clear_violations();

  rig.sim.read64(reg::kCc);
  EXPECT_TRUE(has_violation(rig.sim, "64-bit read at 0x14 spans CC"));
  rig.sim.clear_violations();

  rig.sim.write64(spec::sq_tail_doorbell(0, 4), 1);
  EXPECT_TRUE(has_violation(rig.sim, "a doorbell takes 32-bit writes only"));
  rig.sim.clear_violations();

  rig.sim.write32(reg::kCc + 2, 1);
  EXPECT_TRUE(has_violation(rig.sim, "not dword aligned"));
  rig.sim.clear_violations();

  rig.sim.read32(spec::sq_tail_doorbell(0, 4));
  EXPECT_TRUE(has_violation(rig.sim, "doorbells are write-only"));
  rig.sim.clear_violations();

  rig.sim.write32(rig.sim.bar_size() + 0x100, 1);
  EXPECT_TRUE(has_violation(rig.sim, "outside BAR0"));
  rig.sim.clear_violations();

  rig.sim.write32(0x18, 1);
  EXPECT_TRUE(has_violation(rig.sim, "a reserved offset"));
}

TEST(Registers, InterruptMaskSetAndClear) {
  Rig rig(sim::default_profile());
  rig.sim.write32(reg::kIntms, 0x5);
  EXPECT_EQ(rig.sim.read32(reg::kIntms), 0x5u);
  rig.sim.write32(reg::kIntmc, 0x1);
  EXPECT_EQ(rig.sim.read32(reg::kIntmc), 0x4u);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(StateMachine, ReadyFollowsEnableAfterTheProfileLatency) {
  sim::Profile profile = sim::default_profile();
  profile.timing.ready_latency = 3s;
  Rig rig(profile);
  rig.host.configure_admin();
  rig.host.write_cc(RawHost::enabled_cc());
  EXPECT_EQ(rig.host.csts().rdy(), 0u);
  rig.clock.advance(2999ms);
  EXPECT_EQ(rig.host.csts().rdy(), 0u);
  rig.clock.advance(1ms);
  EXPECT_EQ(rig.host.csts().rdy(), 1u);
  EXPECT_EQ(rig.sim.counters().ready_transitions, 1u);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(StateMachine, DisableTakesItsLatencyAndResetsAllButTheAdminQueueRegisters) {
  sim::Profile profile = sim::default_profile();
  profile.timing.disable_latency = 1500ms;
  Rig rig(profile);
  rig.host.bring_up();
  rig.sim.write32(reg::kIntms, 0x1);
  const uint32_t aqa = rig.sim.read32(reg::kAqa);
  const uint64_t asq = rig.sim.read64(reg::kAsq);
  const uint64_t acq = rig.sim.read64(reg::kAcq);
  Ring io = rig.host.create_io_pair(1, 8);

  rig.host.write_cc(rig.host.cc().set_en(0));
  EXPECT_EQ(rig.host.csts().rdy(), 1u);  // still resetting
  rig.clock.advance(1499ms);
  EXPECT_EQ(rig.host.csts().rdy(), 1u);
  rig.clock.advance(1ms);
  EXPECT_EQ(rig.host.csts().raw, 0u);
  EXPECT_EQ(rig.sim.read32(reg::kIntms), 0u);
  EXPECT_EQ(rig.host.cc().en(), 0u);
  EXPECT_EQ(rig.sim.read32(reg::kAqa), aqa);
  EXPECT_EQ(rig.sim.read64(reg::kAsq), asq);
  EXPECT_EQ(rig.sim.read64(reg::kAcq), acq);

  // The admin queue starts over (SQ tail, CQ head, phase) and I/O queues are gone:
  // the same QID can be created again.
  rig.host.admin().sq_tail = 0;
  rig.host.admin().cq_head = 0;
  rig.host.admin().phase = true;
  std::fill(rig.host.admin().cq.bytes().begin(), rig.host.admin().cq.bytes().end(), std::byte{0});
  rig.host.write_cc(RawHost::enabled_cc());
  ASSERT_TRUE(rig.host.wait_ready(true));
  DmaBuffer page(rig.sim, 4096);
  const auto identify = rig.host.execute(rig.host.admin(), cmd::identify(spec::Cns::kController, 0), page);
  EXPECT_TRUE(identify.status().ok());
  EXPECT_EQ(identify.sqhd(), 1u);
  Ring again = rig.host.create_io_pair(1, 8);
  rig.host.delete_io_pair(again);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(StateMachine, FirstAdminCommandMovesTailHeadAndSqhdToOne) {
  Rig rig(sim::default_profile());
  rig.host.bring_up(2);
  DmaBuffer page(rig.sim, 4096);
  const auto done = rig.host.execute(rig.host.admin(), cmd::identify(spec::Cns::kController, 0), page);
  EXPECT_TRUE(done.status().ok());
  EXPECT_EQ(done.sqhd(), 1u);
  EXPECT_EQ(done.sqid(), 0u);
  EXPECT_TRUE(done.phase());
  EXPECT_EQ(rig.host.admin().sq_tail, 1u);
  EXPECT_EQ(rig.host.admin().cq_head, 1u);
  // Both 2-entry rings wrap on the next commands; the phase flips.
  for (int i = 0; i < 5; ++i) {
    const auto next = rig.host.execute(rig.host.admin(), cmd::identify(spec::Cns::kController, 0), page);
    EXPECT_TRUE(next.status().ok());
    EXPECT_EQ(next.sqhd(), rig.host.admin().sq_tail);
  }
  EXPECT_EQ(rig.sim.counters().admin_commands[0x06], 6u);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(StateMachine, ShutdownCompletesAfterItsLatency) {
  sim::Profile profile = sim::default_profile();
  profile.timing.shutdown_latency = 2s;
  Rig rig(profile);
  rig.host.bring_up();
  rig.host.write_cc(rig.host.cc().set_shn(spec::Cc::kShnNormal));
  EXPECT_EQ(rig.host.csts().shst(), spec::Csts::kShstOccurring);
  rig.clock.advance(1999ms);
  EXPECT_EQ(rig.host.csts().shst(), spec::Csts::kShstOccurring);
  rig.clock.advance(1ms);
  EXPECT_EQ(rig.host.csts().shst(), spec::Csts::kShstComplete);
  rig.host.disable();
  EXPECT_EQ(rig.host.csts().shst(), spec::Csts::kShstNormal);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(StateMachine, EnableWithoutAnAdminQueueStaysNotReadyAndSaysWhy) {
  Rig rig(sim::default_profile());
  rig.host.write_cc(RawHost::enabled_cc());
  EXPECT_FALSE(rig.host.wait_ready(true, 30s));
  EXPECT_TRUE(has_violation(rig.sim, "an admin queue needs at least 2 entries"));
  EXPECT_TRUE(has_violation(rig.sim, "ASQ=0"));
  EXPECT_TRUE(has_violation(rig.sim, "ACQ=0"));
}

TEST(StateMachine, EnableWithPageSizeOutOfRangeStaysNotReady) {
  Rig rig(sim::default_profile());
  rig.host.configure_admin();
  rig.host.write_cc(RawHost::enabled_cc().set_mps(5));  // MPSMAX is 4
  EXPECT_FALSE(rig.host.wait_ready(true, 30s));
  EXPECT_TRUE(has_violation(rig.sim, "CC.MPS=5 outside CAP.MPSMIN..MPSMAX (0..4)"));
}

TEST(StateMachine, AdminQueueMustBeAlignedToTheChosenPageSize) {
  Rig rig(sim::default_profile());
  rig.host.configure_admin();
  // 8 KiB pages: a ring that is only 4 KiB aligned is misaligned.
  const uint64_t asq = rig.sim.read64(reg::kAsq);
  rig.sim.write64(reg::kAsq, asq % 8192 == 0 ? asq + 4096 : asq);
  rig.host.write_cc(RawHost::enabled_cc().set_mps(1));
  EXPECT_FALSE(rig.host.wait_ready(true, 30s));
  EXPECT_TRUE(has_violation(rig.sim, "not aligned to the 8192-byte memory page"));
}

TEST(StateMachine, AdminQueueInUnmappedMemoryStaysNotReady) {
  Rig rig(sim::default_profile());
  rig.sim.write32(reg::kAqa, spec::Aqa::for_entries(4, 4).raw);
  rig.sim.write64(reg::kAsq, 0x7000000000);
  rig.sim.write64(reg::kAcq, 0x7000010000);
  rig.host.write_cc(RawHost::enabled_cc());
  EXPECT_FALSE(rig.host.wait_ready(true, 30s));
  EXPECT_TRUE(has_violation(rig.sim, "is not mapped DMA memory"));
}

TEST(StateMachine, WrongEntrySizesAtEnableAreRecordedButTheControllerComesUp) {
  Rig rig(sim::default_profile());
  rig.host.configure_admin();
  rig.host.write_cc(RawHost::enabled_cc().set_iosqes(0).set_iocqes(0));
  EXPECT_TRUE(rig.host.wait_ready(true));
  EXPECT_TRUE(has_violation(rig.sim, "CC.IOSQES=0 and CC.IOCQES=0"));
}

TEST(StateMachine, ChangingFixedCcFieldsWhileEnabledIsIgnoredAndRecorded) {
  Rig rig(sim::default_profile());
  rig.host.bring_up();
  rig.host.write_cc(rig.host.cc().set_mps(1).set_iosqes(7));
  EXPECT_EQ(rig.host.cc().mps(), 0u);
  EXPECT_EQ(rig.host.cc().iosqes(), 6u);
  EXPECT_TRUE(has_violation(rig.sim, "CC.MPS changed from 0 to 1 while CC.EN=1"));
  EXPECT_TRUE(has_violation(rig.sim, "CC.IOSQES changed from 6 to 7 while CC.EN=1"));
  rig.sim.clear_violations();
  rig.sim.write32(reg::kAqa, spec::Aqa::for_entries(4, 4).raw);
  EXPECT_TRUE(has_violation(rig.sim, "AQA written (0x30003) while CC.EN=1"));
}

TEST(StateMachine, ClearingEnableBeforeReadyIsRecorded) {
  sim::Profile profile = sim::default_profile();
  profile.timing.ready_latency = 3s;
  Rig rig(profile);
  rig.host.configure_admin();
  rig.host.write_cc(RawHost::enabled_cc());
  rig.clock.advance(1s);
  rig.host.write_cc(RawHost::enabled_cc().set_en(0));
  EXPECT_TRUE(has_violation(rig.sim, "CC.EN cleared 1000000 us after it was set, while CSTS.RDY=0"));
  EXPECT_EQ(rig.host.csts().rdy(), 0u);
}

TEST(StateMachine, EnablingBeforeTheDisableFinishedIsRecorded) {
  sim::Profile profile = sim::default_profile();
  profile.timing.disable_latency = 1s;
  Rig rig(profile);
  rig.host.bring_up();
  rig.host.write_cc(rig.host.cc().set_en(0));
  rig.host.write_cc(RawHost::enabled_cc());
  EXPECT_TRUE(has_violation(rig.sim, "CC.EN set to 1 while CSTS.RDY is still 1"));
}

TEST(StateMachine, SubsystemResetRestoresPowerOnStateAndSetsNssro) {
  Rig rig(sim::default_profile());
  rig.host.bring_up();
  rig.sim.write32(reg::kNssr, spec::Nssr::kResetValue);
  const spec::Csts csts = rig.host.csts();
  EXPECT_EQ(csts.rdy(), 0u);
  EXPECT_EQ(csts.nssro(), 1u);
  EXPECT_EQ(rig.sim.read32(reg::kAqa), 0u);
  EXPECT_EQ(rig.sim.read64(reg::kAsq), 0u);
  EXPECT_EQ(rig.sim.read32(reg::kNssr), 0u);                   // NSSR reads 0
  rig.sim.write32(reg::kCsts, spec::Csts{}.set_nssro(1).raw);  // write 1 to clear
  EXPECT_EQ(rig.host.csts().nssro(), 0u);
  EXPECT_EQ(rig.sim.counters().resets, 1u);
  EXPECT_NO_VIOLATIONS(rig.sim);

  rig.sim.write32(reg::kCsts, 0x1);  // RDY is read-only
  EXPECT_TRUE(has_violation(rig.sim, "CSTS is read-only except NSSRO"));
}

TEST(StateMachine, SubsystemResetWithoutSupportIsRecordedAndIgnored) {
  sim::Profile profile = sim::default_profile();
  profile.registers.nssrs = false;
  Rig rig(profile);
  rig.host.bring_up();
  rig.sim.write32(reg::kNssr, spec::Nssr::kResetValue);
  EXPECT_EQ(rig.host.csts().rdy(), 1u);
  EXPECT_TRUE(has_violation(rig.sim, "CAP.NSSRS=0"));
}

TEST(StateMachine, FunctionLevelResetFailsOnAGoneDevice) {
  sim::Profile gone = sim::default_profile();
  gone.faults.push_back(sim::AllOnesFault{0});
  Rig lost(gone);
  EXPECT_FALSE(lost.sim.function_level_reset()) << "a reset cannot reach a device that fell off the bus";
  EXPECT_EQ(lost.sim.read32(reg::kCsts), spec::kAllOnes32);
}

TEST(StateMachine, FunctionLevelResetRestoresPowerOnState) {
  Rig rig(sim::default_profile());
  rig.host.bring_up();
  EXPECT_TRUE(rig.sim.function_level_reset());
  EXPECT_EQ(rig.host.csts().raw, 0u);
  EXPECT_EQ(rig.host.cc().raw, 0u);
  EXPECT_EQ(rig.sim.read32(reg::kAqa), 0u);
  EXPECT_EQ(rig.sim.read64(reg::kAcq), 0u);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(StateMachine, DoorbellStrideFollowsDstrd) {
  sim::Profile profile = sim::default_profile();
  profile.registers.dstrd = 2;  // 16-byte stride
  Rig rig(profile);
  EXPECT_EQ(rig.host.stride(), 16u);
  rig.host.bring_up();
  DmaBuffer page(rig.sim, 4096);
  EXPECT_TRUE(rig.host.execute(rig.host.admin(), cmd::identify(spec::Cns::kController, 0), page).status().ok());
  Ring io = rig.host.create_io_pair(3, 4);  // SQ 3 tail at 0x1060, CQ 3 head at 0x1070
  rig.host.delete_io_pair(io);
  EXPECT_NO_VIOLATIONS(rig.sim);
  rig.sim.write32(0x1004, 1);
  EXPECT_TRUE(has_violation(rig.sim, "falls between doorbells (stride 16 bytes"));
}

}  // namespace
}  // namespace nvqual::sim_test
