// Threaded mode: a device thread processes commands concurrently with the
// host; every wait polls host memory with a real-time deadline (no sleeps).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/lba_stamp.hpp"
#include "support/raw_host.hpp"

namespace nvqual::sim_test {
namespace {

sim::Profile with_latency(std::chrono::microseconds latency) {
  sim::Profile profile = sim::default_profile();
  profile.timing.command_latency = latency;
  return profile;
}

TEST(Threaded, BringUpIdentifyAndReads) {
  Rig rig(sim::default_profile(), sim::Mode::kThreaded);
  EXPECT_EQ(rig.sim.mode(), sim::Mode::kThreaded);
  rig.host.bring_up();
  DmaBuffer page(rig.sim, 4096);
  ASSERT_TRUE(rig.host.execute(rig.host.admin(), cmd::identify(spec::Cns::kController, 0), page).status().ok());
  Ring io = rig.host.create_io_pair(1, 32);
  for (uint64_t lba = 0; lba < 64; lba += 8) {
    ASSERT_TRUE(rig.host.execute(io, cmd::read(1, lba, 8), page).status().ok());
    ASSERT_FALSE(lba_stamp::check(page.bytes(), 512, lba, 1));
  }
  rig.host.delete_io_pair(io);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Threaded, CommandsOnTwoQueuesAreInFlightTogether) {
  Rig rig(with_latency(2ms), sim::Mode::kThreaded);
  rig.host.bring_up();
  Ring one = rig.host.create_io_pair(1, 32);
  Ring two = rig.host.create_io_pair(2, 32);
  DmaBuffer data(rig.sim, 2 * 31 * 4096);
  const auto buffer_of = [&](int queue, int i) { return data.iova() + (queue * 31 + i) * 4096; };
  for (int i = 0; i < 31; ++i) {
    for (int q = 0; q < 2; ++q) {
      spec::SubmissionEntry read = cmd::read(1, static_cast<uint64_t>((q * 31 + i) * 8), 8);
      read.prp1 = buffer_of(q, i);
      rig.host.post(q == 0 ? one : two, read);
    }
  }
  rig.host.ring(one);
  rig.host.ring(two);
  for (int i = 0; i < 31; ++i) {
    for (Ring* ring : {&one, &two}) {
      const auto done = rig.host.wait(*ring);
      ASSERT_TRUE(done.status().ok()) << code(done);
      ASSERT_EQ(done.sqid(), ring->qid);
    }
  }
  for (int n = 0; n < 62; ++n) {
    ASSERT_FALSE(lba_stamp::check(data.bytes().subspan(n * 4096, 4096), 512, static_cast<uint64_t>(n) * 8, 1)) << n;
  }
  // One doorbell handed 31 commands to the device thread, which fetched them all
  // before the first 2 ms latency could expire.
  EXPECT_GE(rig.sim.counters().max_in_flight, 31u);
  EXPECT_EQ(rig.sim.counters().io_commands[0x02], 62u);
  rig.host.delete_io_pair(one);
  rig.host.delete_io_pair(two);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Threaded, ManyReadsAtQueueDepth32WithZeroLatency) {
  Rig rig(sim::default_profile(), sim::Mode::kThreaded);
  rig.host.bring_up();
  Ring io = rig.host.create_io_pair(1, 64);
  DmaBuffer data(rig.sim, 32 * 4096);
  uint64_t submitted = 0;
  uint64_t completed = 0;
  const auto submit = [&] {
    spec::SubmissionEntry read = cmd::read(1, submitted * 8, 8);
    read.prp1 = data.iova() + (submitted % 32) * 4096;
    rig.host.submit(io, read);
    ++submitted;
  };
  for (int i = 0; i < 32; ++i) submit();
  while (completed < 2000) {
    const auto done = rig.host.wait(io);
    ASSERT_TRUE(done.status().ok()) << code(done);
    // Commands complete in order here (one queue, no latency): check the data of this one.
    ASSERT_EQ(done.cid(), static_cast<uint16_t>(completed));
    ASSERT_FALSE(lba_stamp::check(data.bytes().subspan((completed % 32) * 4096, 4096), 512, completed * 8, 1));
    ++completed;
    if (submitted < 2000) submit();
  }
  rig.host.delete_io_pair(io);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Threaded, DeletingASubmissionQueueAbortsItsOutstandingCommands) {
  Rig rig(with_latency(20ms), sim::Mode::kThreaded);
  rig.host.bring_up();
  Ring io = rig.host.create_io_pair(1, 8);
  DmaBuffer data(rig.sim, 4 * 4096);
  // The deletion is fetched first, the reads right after it: when the deletion
  // runs (its latency ends first) the reads are in flight.
  rig.host.submit(rig.host.admin(), cmd::delete_io_sq(1));
  for (int i = 0; i < 4; ++i) {
    spec::SubmissionEntry read = cmd::read(1, 0, 8);
    read.prp1 = data.iova() + i * 4096;
    rig.host.post(io, read);
  }
  rig.host.ring(io);
  const auto deleted = rig.host.wait(rig.host.admin());
  EXPECT_TRUE(deleted.status().ok());
  // The aborted reads were posted before the deletion completed.
  for (int i = 0; i < 4; ++i) {
    const auto aborted = rig.host.take(io);
    ASSERT_TRUE(aborted.has_value()) << i;
    EXPECT_EQ(code(*aborted), "00/08");
  }
  EXPECT_TRUE(rig.host.execute(rig.host.admin(), cmd::delete_io_cq(1)).status().ok());
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Threaded, ResetWhileCommandsAreInFlightDropsThem) {
  Rig rig(with_latency(300ms), sim::Mode::kThreaded);
  rig.host.bring_up();
  Ring io = rig.host.create_io_pair(1, 16);
  {
    DmaBuffer data(rig.sim, 8 * 4096);
    for (int i = 0; i < 8; ++i) {
      spec::SubmissionEntry read = cmd::read(1, 0, 8);
      read.prp1 = data.iova() + i * 4096;
      rig.host.post(io, read);
    }
    rig.host.ring(io);
    rig.host.write_cc(rig.host.cc().set_en(0));
    ASSERT_TRUE(rig.host.wait_ready(false));
  }  // the buffers go once RDY=0: the controller no longer reaches them
  EXPECT_NO_VIOLATIONS(rig.sim);
  // Freeing an outstanding command's buffer while enabled is a violation.
  rig.host.admin().sq_tail = rig.host.admin().cq_head = 0;
  rig.host.admin().phase = true;
  std::fill(rig.host.admin().cq.bytes().begin(), rig.host.admin().cq.bytes().end(), std::byte{0});
  rig.host.write_cc(RawHost::enabled_cc());
  ASSERT_TRUE(rig.host.wait_ready(true));
  Ring again = rig.host.create_io_pair(1, 16);
  auto data = std::make_unique<DmaBuffer>(rig.sim, 4096);
  spec::SubmissionEntry read = cmd::read(1, 0, 8);
  read.prp1 = data->iova();
  rig.host.submit(again, read);
  data.reset();
  EXPECT_TRUE(has_violation(rig.sim, "is still outstanding and may transfer to it") ||
              has_violation(rig.sim, "queued on SQ 1 points into it"))
      << violations_text(rig.sim);
  // The command then finds its memory unmapped: a data transfer error.
  EXPECT_EQ(code(rig.host.wait(again)), "00/04");
}

// A CQ smaller than its SQ: completions that find the CQ full wait inside the
// controller and are posted as the host frees slots (both modes).
void completions_wait_for_a_full_cq(sim::Mode mode) {
  Rig rig(sim::default_profile(), mode);
  rig.host.bring_up();
  Ring io;
  io.qid = 1;
  io.sq_entries = 16;
  io.cq_entries = 4;
  io.sq = DmaBuffer(rig.sim, 16 * 64);
  io.cq = DmaBuffer(rig.sim, 4 * 16);
  ASSERT_TRUE(rig.host.execute(rig.host.admin(), cmd::create_io_cq(1, 4, io.cq.iova(), true)).status().ok());
  ASSERT_TRUE(rig.host.execute(rig.host.admin(), cmd::create_io_sq(1, 16, io.sq.iova(), 1, true)).status().ok());
  DmaBuffer data(rig.sim, 10 * 4096);
  for (int i = 0; i < 10; ++i) {
    spec::SubmissionEntry read = cmd::read(1, static_cast<uint64_t>(i) * 8, 8);
    read.prp1 = data.iova() + i * 4096;
    rig.host.post(io, read);
  }
  rig.host.ring(io);
  for (uint16_t i = 0; i < 10; ++i) {
    const auto done = rig.host.wait(io);
    ASSERT_TRUE(done.status().ok());
    ASSERT_EQ(done.cid(), i);
  }
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(lba_stamp::check(data.bytes().subspan(i * 4096, 4096), 512, static_cast<uint64_t>(i) * 8, 1));
  }
  EXPECT_TRUE(rig.host.execute(rig.host.admin(), cmd::delete_io_sq(1)).status().ok());
  EXPECT_TRUE(rig.host.execute(rig.host.admin(), cmd::delete_io_cq(1)).status().ok());
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Threaded, CompletionsWaitForAFullCompletionQueue) { completions_wait_for_a_full_cq(sim::Mode::kThreaded); }
TEST(Inline, CompletionsWaitForAFullCompletionQueue) { completions_wait_for_a_full_cq(sim::Mode::kInline); }

TEST(Threaded, DoorbellMistakesAreRecordedAsInInlineMode) {
  Rig rig(sim::default_profile(), sim::Mode::kThreaded);
  rig.host.bring_up(4);
  rig.sim.write32(spec::sq_tail_doorbell(0, 4), 9);
  rig.sim.write32(spec::sq_tail_doorbell(3, 4), 1);
  rig.sim.write32(spec::cq_head_doorbell(0, 4), 2);
  rig.sim.write32(spec::cq_head_doorbell(0, 4), 4);
  EXPECT_EQ(rig.sim.violations(),
            (std::vector<std::string>{
                "SQ 0 tail doorbell value 9 is beyond the queue size (4 entries); ignored",
                "SQ 3 tail doorbell written (1), but SQ 3 does not exist; ignored",
                "CQ 0 head doorbell 2 releases entries the controller has not posted (head 0, 0 posted); ignored",
                "CQ 0 head doorbell value 4 is beyond the queue size (4 entries); ignored"}));
  // The controller still works, through the fast path.
  EXPECT_TRUE(rig.host.execute(rig.host.admin(), cmd::get_features(0x07)).status().ok());
  EXPECT_EQ(rig.sim.counters().sq_doorbell_writes, 3u);
  EXPECT_EQ(rig.sim.counters().cq_doorbell_writes, 3u);
}

TEST(Threaded, DestroyingTheSimulatorWithTimersPendingIsClean) {
  VirtualClock clock;
  auto sim = std::make_unique<sim::SimulatedController>(with_latency(1s), sim::Mode::kThreaded, clock);
  {
    RawHost host(*sim, clock);
    host.bring_up();
    host.submit(host.admin(), cmd::get_features(0x07));  // completes in one second, long after we go
    host.leave_enabled_on_exit();
  }
  // The rings were freed under a live controller (recorded, and kept allocated
  // until now); the simulator stops its thread with the timer still pending.
  EXPECT_TRUE(has_violation(*sim, "freed while the controller can reach it"));
  sim.reset();
}

}  // namespace
}  // namespace nvqual::sim_test
