// Driver mistakes the simulator records (one readable line each), and a
// complete correct session that records none.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/errors.hpp"
#include "nvqual/driver/lba_stamp.hpp"
#include "support/raw_host.hpp"

namespace nvqual::sim_test {
namespace {

TEST(Violations, ACorrectSessionRecordsNone) {
  Rig rig(sim::default_profile());
  {
    rig.host.bring_up(4);
    DmaBuffer page(rig.sim, 4096);
    ASSERT_TRUE(rig.host.execute(rig.host.admin(), cmd::identify(spec::Cns::kController, 0), page).status().ok());
    ASSERT_TRUE(rig.host.execute(rig.host.admin(), cmd::set_number_of_queues(2, 2)).status().ok());
    ASSERT_TRUE(
        rig.host.execute(rig.host.admin(), cmd::identify(spec::Cns::kActiveNamespaceList, 0), page).status().ok());
    ASSERT_TRUE(rig.host.execute(rig.host.admin(), cmd::identify(spec::Cns::kNamespace, 1), page).status().ok());
    Ring one = rig.host.create_io_pair(1, 4);
    Ring two = rig.host.create_io_pair(2, 16);
    DmaBuffer data(rig.sim, 8192);
    for (uint64_t i = 0; i < 40; ++i) {
      Ring& ring = i % 2 == 0 ? one : two;
      ASSERT_TRUE(rig.host.execute(ring, cmd::read(1, i * 16, 16), data).status().ok());
      ASSERT_FALSE(lba_stamp::check(data.bytes(), 512, i * 16, 1));
    }
    // Batched submissions: three commands, one doorbell.
    for (int i = 0; i < 3; ++i) {
      spec::SubmissionEntry read = cmd::read(1, 0, 1);
      read.prp1 = data.iova() + i * 512;
      rig.host.post(two, read);
    }
    rig.host.ring(two);
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(rig.host.wait(two).status().ok());
    rig.host.delete_io_pair(one);
    rig.host.delete_io_pair(two);
    rig.host.write_cc(rig.host.cc().set_shn(spec::Cc::kShnNormal));
    rig.clock.advance(1s);
    EXPECT_EQ(rig.host.csts().shst(), spec::Csts::kShstComplete);
    rig.host.disable();
  }
  EXPECT_EQ(rig.sim.mapped_regions(), 0u);  // everything freed
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Violations, SubmissionDoorbellBeyondTheQueueSize) {
  Rig rig(sim::default_profile());
  rig.host.bring_up(2);
  rig.sim.write32(spec::sq_tail_doorbell(0, 4), 200);
  EXPECT_EQ(rig.sim.violations(),
            std::vector<std::string>{"SQ 0 tail doorbell value 200 is beyond the queue size (2 entries); ignored"});
  EXPECT_EQ(rig.sim.counters().admin_commands[0], 0u);
}

TEST(Violations, DoorbellsOfQueuesThatDoNotExist) {
  Rig rig(sim::default_profile());
  rig.host.bring_up();
  rig.sim.write32(spec::sq_tail_doorbell(5, 4), 1);
  EXPECT_TRUE(has_violation(rig.sim, "SQ 5 tail doorbell written (1), but SQ 5 does not exist"));
  rig.sim.write32(spec::cq_head_doorbell(5, 4), 1);
  EXPECT_TRUE(has_violation(rig.sim, "CQ 5 head doorbell written (1), but CQ 5 does not exist"));
  rig.sim.write32(spec::sq_tail_doorbell(65, 4), 1);
  EXPECT_TRUE(has_violation(rig.sim, "is for queue 65, beyond the 64 I/O queues"));
  EXPECT_EQ(rig.sim.violations().size(), 3u);
}

TEST(Violations, CommandsWhileDisabledOrNotYetReady) {
  sim::Profile profile = sim::default_profile();
  profile.timing.ready_latency = 1s;
  Rig rig(profile);
  rig.host.configure_admin();
  rig.host.post(rig.host.admin(), cmd::identify(spec::Cns::kController, 0));
  rig.host.ring(rig.host.admin());
  EXPECT_TRUE(has_violation(rig.sim, "SQ 0 tail doorbell written (1) while the controller is not ready (CC.EN=0"));
  rig.sim.clear_violations();
  rig.host.write_cc(RawHost::enabled_cc());
  rig.host.ring(rig.host.admin());
  EXPECT_TRUE(has_violation(rig.sim, "not ready (CC.EN=1 but CSTS.RDY=0: wait for RDY=1 first)"));
  EXPECT_EQ(rig.sim.counters().admin_commands[0x06], 0u);
  rig.sim.clear_violations();
  rig.sim.write32(spec::cq_head_doorbell(0, 4), 0);
  EXPECT_TRUE(has_violation(rig.sim, "CQ 0 head doorbell written (0) while the controller is not ready"));
}

TEST(Violations, CommandsAfterShutdown) {
  Rig rig(sim::default_profile());
  rig.host.bring_up();
  rig.host.write_cc(rig.host.cc().set_shn(spec::Cc::kShnNormal));
  rig.clock.advance(1s);
  rig.host.submit(rig.host.admin(), cmd::get_features(0x07));
  EXPECT_TRUE(has_violation(rig.sim, "after a shutdown notification (CSTS.SHST=2)"));
}

TEST(Violations, CompletionHeadBeyondSizeOrReleasingUnpostedEntries) {
  Rig rig(sim::default_profile());
  rig.host.bring_up(8);
  rig.sim.write32(spec::cq_head_doorbell(0, 4), 9);
  EXPECT_TRUE(has_violation(rig.sim, "CQ 0 head doorbell value 9 is beyond the queue size (8 entries)"));
  rig.sim.clear_violations();
  rig.host.execute(rig.host.admin(), cmd::get_features(0x07));  // one posted, consumed: head 1
  rig.sim.write32(spec::cq_head_doorbell(0, 4), 3);
  EXPECT_EQ(rig.sim.violations(), std::vector<std::string>{"CQ 0 head doorbell 3 releases entries the controller has "
                                                           "not posted (head 1, 0 posted); ignored"});
}

TEST(Violations, QueueBaseAndPrpOffsets) {
  Rig rig(sim::default_profile());
  rig.host.bring_up();
  DmaBuffer ring(rig.sim, 8192);
  rig.host.execute(rig.host.admin(), cmd::create_io_cq(1, 4, ring.iova() + 16, true));
  EXPECT_TRUE(has_violation(rig.sim, "Create I/O CQ 1: PRP1 0x"));
  EXPECT_TRUE(has_violation(rig.sim, "a queue base must be page aligned"));
  rig.sim.clear_violations();
  DmaBuffer page(rig.sim, 8192);
  spec::SubmissionEntry identify = cmd::identify(spec::Cns::kController, 0);
  identify.prp1 = page.iova() + 8;
  identify.prp2 = page.iova() + 4096 + 8;
  EXPECT_EQ(code(rig.host.execute(rig.host.admin(), identify)), "00/13");
  EXPECT_TRUE(has_violation(rig.sim, "Identify (CID"));
  EXPECT_TRUE(has_violation(rig.sim, "PRP2"));
}

TEST(Violations, FreeingMemoryTheControllerCanReach) {
  Rig rig(sim::default_profile());
  rig.host.bring_up();
  Ring io = rig.host.create_io_pair(1, 8);
  const size_t mapped = rig.sim.mapped_regions();
  io.cq = DmaBuffer();  // freed while CQ 1 is live
  EXPECT_TRUE(has_violation(rig.sim, "freed while the controller can reach it: CQ 1"));
  EXPECT_EQ(rig.sim.mapped_regions(), mapped - 1);  // unmapped all the same
  rig.sim.clear_violations();

  // The admin rings while enabled.
  rig.host.admin().sq = DmaBuffer();
  EXPECT_TRUE(has_violation(rig.sim, "SQ 0 (ring at 0x"));
  rig.sim.clear_violations();

  // Once the controller is disabled, freeing is fine.
  rig.host.write_cc(rig.host.cc().set_en(0));
  ASSERT_TRUE(rig.host.wait_ready(false));
  io.sq = DmaBuffer();
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Violations, DoubleFreeAndForeignRegions) {
  Rig rig(sim::default_profile());
  DmaRegion region = rig.sim.dma_alloc(4096, 4096);
  rig.sim.dma_free(region);
  EXPECT_NO_VIOLATIONS(rig.sim);
  rig.sim.dma_free(region);
  EXPECT_TRUE(has_violation(rig.sim, "not a mapped region (double free"));
}

TEST(Violations, DmaAllocHandsOutAlignedZeroedMemoryAtSimulatedIovas) {
  Rig rig(sim::default_profile());
  DmaRegion a = rig.sim.dma_alloc(100, 4096);
  DmaRegion b = rig.sim.dma_alloc(8192, 65536);
  EXPECT_GE(a.iova, sim::SimulatedController::kIovaBase);
  EXPECT_EQ(a.size, 4096u);
  EXPECT_EQ(b.iova % 65536, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b.host) % 65536, 0u);
  EXPECT_TRUE(std::all_of(b.host, b.host + b.size, [](std::byte x) { return x == std::byte{0}; }));
  EXPECT_GT(b.iova, a.iova + a.size);  // a hole after each region
  EXPECT_THROW(rig.sim.dma_alloc(4096, 1000), DriverError);
  rig.sim.dma_free(a);
  rig.sim.dma_free(b);
  EXPECT_EQ(rig.sim.mapped_regions(), 0u);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

}  // namespace
}  // namespace nvqual::sim_test
