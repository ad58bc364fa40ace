// Controller::read's batches: everything is checked and every PRP list built
// before the first entry is posted, so a refused or failed batch leaves no
// entry on the queue (one rung later would send it with freed PRP lists).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/lba_stamp.hpp"
#include "support/hooked_rig.hpp"
#include "support/sim_rig.hpp"

namespace nvqual {
namespace {

using ::testing::HasSubstr;
using testing_support::capture_error;
using testing_support::HookedRig;
using testing_support::violations_text;

struct BatchRig : HookedRig {
  // MDTS 2 with 4 KiB pages: 32 blocks (16 KiB, four pages) per command, so
  // every command of a read needs a PRP list page of its own.
  BatchRig() : HookedRig(mdts2()) {
    controller->reset();
    controller->identify_controller();
    controller->set_number_of_queues(1, 1);
    queue = &controller->create_io_queue_pair(1, 16);
  }
  static sim::Profile mdts2() {
    sim::Profile profile = sim::default_profile();
    profile.controller.mdts = 2;
    return profile;
  }
  QueuePair* queue = nullptr;
};

TEST(ReadBatches, APrpListThatCannotBeAllocatedLeavesNothingPosted) {
  BatchRig rig;
  DmaBuffer buffer(rig.device, 128 * 512);  // four commands
  // The list pages come from the controller's arena, mapped when the first
  // command's list is laid out: refusing that mapping fails the batch being built.
  rig.device.fail_allocations_from = rig.device.allocations;
  const DriverError error = capture_error([&] {
    rig.controller->read(*rig.queue, ReadRequest{1, 0, 128, 512}, buffer);
  });
  EXPECT_EQ(error.kind(), ErrorKind::kEnvironment) << error.what();
  EXPECT_EQ(rig.queue->outstanding(), 0u) << "no entry left posted";
  EXPECT_EQ(rig.sim.counters().io_commands[0x02], 0u);
  EXPECT_TRUE(rig.controller->enabled()) << "nothing was in flight: no reason to stop the controller";

  rig.device.fail_allocations_from.reset();
  const ReadResult result = rig.controller->read(*rig.queue, ReadRequest{1, 0, 128, 512}, buffer);
  ASSERT_TRUE(result.ok()) << result.completion.status().describe();
  EXPECT_EQ(result.commands, 4u);
  EXPECT_EQ(rig.sim.counters().io_commands[0x02], 4u) << "exactly the second read's commands reached the device";
  EXPECT_FALSE(lba_stamp::check(buffer.bytes(), 512, 0, 1));
  EXPECT_TRUE(rig.sim.violations().empty()) << violations_text(rig.sim);
}

TEST(ReadBatches, ASizeThatWouldWrapSixtyFourBitsIsRefused) {
  BatchRig rig;
  DmaBuffer buffer(rig.device, 4096);
  // (2^55 + 1) x 512 wraps to 512, which fits the buffer if multiplied.
  const ReadRequest huge{1, 0, (uint64_t{1} << 55) + 1, 512};
  const DriverError error = capture_error([&] { rig.controller->read(*rig.queue, huge, buffer); });
  EXPECT_EQ(error.kind(), ErrorKind::kInvalidArgument);
  EXPECT_THAT(error.what(), HasSubstr("blocks of 512 bytes at offset 0 do not fit a 4096-byte buffer"));
  EXPECT_THAT(capture_error([&] {
                rig.controller->read(*rig.queue, ReadRequest{1, 0, 1, 512}, buffer, 8192);
              }).what(),
              HasSubstr("do not fit"));
  EXPECT_EQ(rig.queue->outstanding(), 0u);
  EXPECT_EQ(rig.sim.counters().io_commands[0x02], 0u);
}

TEST(ReadBatches, AnUnalignedOffsetIsRefusedBeforeAnythingIsPosted) {
  BatchRig rig;
  DmaBuffer buffer(rig.device, 8192);
  const DriverError error = capture_error([&] {
    rig.controller->read(*rig.queue, ReadRequest{1, 0, 8, 512}, buffer, 2);
  });
  EXPECT_EQ(error.kind(), ErrorKind::kInvalidArgument);
  EXPECT_THAT(error.what(), HasSubstr("dword"));
  EXPECT_EQ(rig.queue->outstanding(), 0u);
  EXPECT_TRUE(rig.controller->enabled());
}

}  // namespace
}  // namespace nvqual
