// The work behind `nvqual fill` (app/stamp_fill.cpp) on an in-process
// simulator, read back through the same Controller: every block of each
// range holds the stamp asked for, byte for byte, every block around the
// ranges keeps what it held, chunks split where they should, the driver's
// policy decides each Write, and the read-back check sees a lost write.
#include <algorithm>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/controller.hpp"
#include "nvqual/driver/lba_stamp.hpp"
#include "nvqual/driver/write_stamp.hpp"
#include "nvqual/sim/profile.hpp"
#include "nvqual/sim/simulated_controller.hpp"
#include "stamp_fill.hpp"

namespace nvqual::app {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kBlock = 512;

struct FillRig {
  explicit FillRig(std::vector<sim::Fault> faults = {})
      : sim(profile(std::move(faults)), sim::Mode::kInline, clock), controller(sim, {}, clock) {
    controller.reset();
    controller.identify_controller();
    controller.identify_namespace(1);
    controller.set_number_of_queues(1, 1);
    queue = &controller.create_io_queue_pair(1, 9);  // 8 in flight
    controller.set_allow_media_changes(true);
  }
  static sim::Profile profile(std::vector<sim::Fault> faults) {
    sim::Profile p = sim::default_profile();
    p.controller.vwc = 1;  // so the fill's Flush matters
    p.faults = std::move(faults);
    return p;
  }
  std::vector<std::byte> read(uint64_t slba, uint64_t blocks) {
    DmaBuffer buffer(sim, blocks * kBlock);
    EXPECT_TRUE(controller.read(*queue, ReadRequest{1, slba, blocks, std::nullopt}, buffer).ok());
    return {buffer.data(), buffer.data() + blocks * kBlock};
  }
  // The bytes a block range should hold, built here from the stamp definitions.
  static std::vector<std::byte> lba_stamped(uint64_t slba, uint64_t blocks) {
    std::vector<std::byte> out(blocks * kBlock);
    lba_stamp::fill(out, kBlock, slba, 1);
    return out;
  }
  static std::vector<std::byte> write_stamped(uint64_t slba, uint64_t blocks, uint32_t generation, uint64_t seed) {
    std::vector<std::byte> out(blocks * kBlock);
    write_stamp::fill(out, kBlock, write_stamp::Stamp{slba, 1, generation, seed});
    return out;
  }

  VirtualClock clock;
  sim::SimulatedController sim;
  Controller controller;
  QueuePair* queue = nullptr;
};

FillPlan plan_of(std::vector<FillRange> ranges, uint32_t generation = 0, uint64_t seed = 0) {
  FillPlan plan;
  plan.lba_size = kBlock;
  plan.ranges = std::move(ranges);
  plan.generation = generation;
  plan.seed = seed;
  return plan;
}

TEST(StampFill, ChunksAreWholeMdtsCommandsUpToTheQueueDepthAndTheCap) {
  EXPECT_EQ(fill_chunk_blocks(256, 32, kBlock, 4 << 20), 256u * 32);  // 32 x 128 KiB = 4 MiB
  EXPECT_EQ(fill_chunk_blocks(256, 64, kBlock, 4 << 20), 256u * 32) << "the cap wins";
  EXPECT_EQ(fill_chunk_blocks(256, 3, kBlock, 4 << 20), 256u * 3) << "the queue depth wins";
  EXPECT_EQ(fill_chunk_blocks(256, 8, kBlock, 4096), 256u) << "at least one command";
}

TEST(StampFill, TheWriteStampLandsOnEveryScratchBlockAndNowhereElse) {
  FillRig rig;
  // Two ranges; the buffer holds 3 commands of 256 blocks, so the first range
  // takes two chunks and a partial third, the second is one short chunk.
  const FillPlan plan = plan_of({{1000, 1000 + 1700 - 1}, {5000, 5010}}, 3, 0x2a);
  DmaBuffer buffer(rig.sim, fill_chunk_blocks(256, 8, kBlock, 3 * 256 * kBlock) * kBlock);
  uint64_t reported = 0;
  const uint64_t before = rig.controller.media_changing_commands_sent();
  fill_ranges(rig.controller, *rig.queue, buffer, plan, [&](uint64_t bytes) { reported += bytes; });
  EXPECT_EQ(reported, (1700u + 11u) * kBlock);
  // 1700 blocks at 256 per Write is 7 Writes, 11 blocks one more.
  EXPECT_EQ(rig.controller.media_changing_commands_sent() - before, 8u);

  EXPECT_EQ(rig.read(1000, 1700), FillRig::write_stamped(1000, 1700, 3, 0x2a));
  EXPECT_EQ(rig.read(5000, 11), FillRig::write_stamped(5000, 11, 3, 0x2a));
  EXPECT_EQ(rig.read(990, 10), FillRig::lba_stamped(990, 10)) << "before the first range";
  EXPECT_EQ(rig.read(2700, 2300), FillRig::lba_stamped(2700, 2300)) << "between the ranges";
  EXPECT_EQ(rig.read(5011, 10), FillRig::lba_stamped(5011, 10)) << "after the second range";
  EXPECT_EQ(verify_ranges(rig.controller, *rig.queue, buffer, plan, [](uint64_t) {}), "");
  EXPECT_TRUE(rig.sim.violations().empty());
}

TEST(StampFill, TheLbaStampReplacesWhatWasWrittenBefore) {
  FillRig rig;
  DmaBuffer buffer(rig.sim, 64 * kBlock);
  fill_ranges(rig.controller, *rig.queue, buffer, plan_of({{0, 99}}, 1, 9), [](uint64_t) {});
  ASSERT_NE(rig.read(0, 100), FillRig::lba_stamped(0, 100)) << "the control: generation 1 is there";
  const FillPlan lba = plan_of({{0, 99}});
  fill_ranges(rig.controller, *rig.queue, buffer, lba, [](uint64_t) {});
  EXPECT_EQ(rig.read(0, 100), FillRig::lba_stamped(0, 100));
  EXPECT_EQ(verify_ranges(rig.controller, *rig.queue, buffer, lba, [](uint64_t) {}), "");
}

TEST(StampFill, TheReadBackSeesALostWriteAndNamesTheBlock) {
  FillRig rig({sim::WriteMediaFault{sim::WriteMediaEffect::kLostWrite}});
  DmaBuffer buffer(rig.sim, 64 * kBlock);
  const FillPlan plan = plan_of({{200, 263}}, 2, 5);
  fill_ranges(rig.controller, *rig.queue, buffer, plan, [](uint64_t) {});
  const std::string problem = verify_ranges(rig.controller, *rig.queue, buffer, plan, [](uint64_t) {});
  EXPECT_THAT(problem, HasSubstr("corruption"));
  EXPECT_THAT(problem, HasSubstr("LBA 200"));
}

TEST(StampFill, TheDriverRefusesBlocksOutsideTheScratchRangeBeforeAnyWrite) {
  FillRig rig;
  rig.controller.media_change_policy().add_scratch(ScratchRange{1, 0, 99, false});
  DmaBuffer buffer(rig.sim, 64 * kBlock);
  const uint64_t doorbells = rig.sim.counters().sq_doorbell_writes;
  try {
    fill_ranges(rig.controller, *rig.queue, buffer, plan_of({{50, 149}}), [](uint64_t) {});
    FAIL() << "a fill past the scratch range was not refused";
  } catch (const DriverError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kMediaChangeRefused);
    EXPECT_THAT(e.what(), HasSubstr("outside every declared scratch range"));
  }
  // The first chunk (50..113) crosses the edge: refused whole, nothing rang.
  EXPECT_EQ(rig.sim.counters().sq_doorbell_writes, doorbells);
  EXPECT_EQ(rig.read(50, 100), FillRig::lba_stamped(50, 100));
}

}  // namespace
}  // namespace nvqual::app
