// Writes through the Controller against the simulator's writable media:
// what was written reads back (split at MDTS, through PRP lists), Write
// Zeroes, Compare, deallocate and Flush do what the spec says with the
// statuses it names, and each write-media fault is visible.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/lba_stamp.hpp"
#include "support/sim_rig.hpp"

namespace nvqual {
namespace {

using testing_support::SimRig;
using testing_support::violations_text;
namespace st = spec::status;

constexpr uint32_t kBlock = 512;

sim::Profile writable(std::vector<sim::Fault> faults = {}, uint8_t vwc = 1) {
  sim::Profile profile = sim::default_profile();
  profile.controller.oncs = 0x8D;  // Compare, DSM, Write Zeroes, Verify
  profile.controller.vwc = vwc;
  profile.namespaces.at(0).dlfeat = 0x09;  // deallocated reads 00h; Write Zeroes DEAC
  profile.faults = std::move(faults);
  return profile;
}

sim::Fault fault(sim::WriteMediaEffect effect) { return sim::WriteMediaFault{effect}; }

struct WriteRig {
  explicit WriteRig(sim::Profile profile) : rig(std::move(profile)) { bring_up(); }
  void bring_up() {
    rig.controller.reset();
    rig.controller.identify_controller();
    rig.controller.set_number_of_queues(2, 2);
    queue = &rig.controller.create_io_queue_pair(1, 64);
    rig.controller.set_allow_media_changes(true);
  }
  // Writes `blocks` of byte `value` at slba; returns the status.
  spec::Status write(uint64_t slba, uint64_t blocks, uint8_t value, bool fua = false) {
    DmaBuffer buffer(rig.sim, blocks * kBlock);
    std::fill_n(buffer.data(), buffer.size(), std::byte{value});
    WriteRequest request{1, slba, blocks, fua};
    return rig.controller.write(*queue, request, buffer).completion.status();
  }
  std::vector<std::byte> read(uint64_t slba, uint64_t blocks) {
    DmaBuffer buffer(rig.sim, blocks * kBlock);
    ReadRequest request;
    request.slba = slba;
    request.blocks = blocks;
    EXPECT_TRUE(rig.controller.read(*queue, request, buffer).ok());
    return {buffer.data(), buffer.data() + blocks * kBlock};  // the buffer is rounded up to pages
  }
  static std::vector<std::byte> filled(uint64_t blocks, uint8_t value) {
    return std::vector<std::byte>(blocks * kBlock, std::byte{value});
  }
  bool holds_stamp(uint64_t slba, uint64_t blocks) {
    return !lba_stamp::check(read(slba, blocks), kBlock, slba, 1).has_value();
  }

  SimRig rig;
  QueuePair* queue = nullptr;
};

TEST(ControllerWrite, WhatIsWrittenReadsBackAcrossMdtsSplitsAndPrpLists) {
  WriteRig w(writable());
  // 300 blocks is 150 KiB: two commands at MDTS 128 KiB, each with a PRP list.
  DmaBuffer buffer(w.rig.sim, 300 * kBlock + 4096);
  lba_stamp::fill(std::span<std::byte>(buffer.data() + 8, 300 * kBlock), kBlock, 7, 1);
  const ReadResult result = w.rig.controller.write(*w.queue, WriteRequest{1, 1000, 300, false}, buffer, 8);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.commands, 2u);
  const auto back = w.read(1000, 300);
  EXPECT_TRUE(std::equal(back.begin(), back.end(), buffer.data() + 8));
  EXPECT_TRUE(w.holds_stamp(999, 1)) << "the block before is untouched";
  EXPECT_TRUE(w.holds_stamp(1300, 1)) << "the block after is untouched";
  EXPECT_NO_VIOLATIONS(w.rig.sim);
}

TEST(ControllerWrite, OutOfRangeIs0080AndAnInactiveNsidIs000B) {
  WriteRig w(writable());
  const uint64_t nsze = w.rig.controller.identify_namespace(1).nsze;
  EXPECT_TRUE(w.write(nsze - 1, 2, 0xAA).same_code(st::kLbaOutOfRange));
  DmaBuffer buffer(w.rig.sim, 4096);
  EXPECT_TRUE(w.rig.controller.write_once(*w.queue, WriteRequest{2, 0, 1, false}, buffer)
                  .status()
                  .same_code(st::kInvalidNamespace));
}

TEST(ControllerWrite, WriteZeroesReadsZerosAndIsRefusedWithoutOncs) {
  WriteRig w(writable());
  EXPECT_TRUE(w.write(50, 4, 0xAA).ok());
  EXPECT_TRUE(w.rig.controller.write_zeroes(*w.queue, WriteZeroesRequest{1, 50, 4, false, false}).ok());
  EXPECT_EQ(w.read(50, 4), WriteRig::filled(4, 0));
  sim::Profile no_oncs = sim::default_profile();  // the default reports Write Zeroes (ONCS 8Dh)
  no_oncs.controller.oncs = 0;
  WriteRig plain(no_oncs);
  EXPECT_TRUE(plain.rig.controller.write_zeroes(*plain.queue, WriteZeroesRequest{1, 50, 4, false, false})
                  .completion.status()
                  .same_code(st::kInvalidOpcode));
}

TEST(ControllerWrite, CompareMatchIs0000AndMismatchIs0285) {
  WriteRig w(writable());
  EXPECT_TRUE(w.write(10, 2, 0x5A).ok());
  DmaBuffer buffer(w.rig.sim, 2 * kBlock);
  std::fill_n(buffer.data(), buffer.size(), std::byte{0x5A});
  ReadRequest request;
  request.slba = 10;
  request.blocks = 2;
  EXPECT_TRUE(w.rig.controller.compare(*w.queue, request, buffer).ok());
  buffer.data()[kBlock + 3] = std::byte{0};
  const spec::Status mismatch = w.rig.controller.compare(*w.queue, request, buffer).completion.status();
  EXPECT_EQ(mismatch.sct(), 0x2);
  EXPECT_EQ(mismatch.sc(), 0x85);
}

TEST(ControllerWrite, DeallocatedBlocksReadAsDlfeatPromises) {
  WriteRig w(writable());
  EXPECT_TRUE(w.write(20, 8, 0xAA).ok());
  const std::vector<cmd::DsmRange> ranges = {{0, 8, 20}};
  EXPECT_TRUE(w.rig.controller.deallocate(*w.queue, 1, ranges).status().ok());
  EXPECT_EQ(w.read(20, 8), WriteRig::filled(8, 0));
}

TEST(ControllerWrite, FlushAndFuaSurviveAPowerLossAndCachedWritesDoNot) {
  WriteRig w(writable({fault(sim::WriteMediaEffect::kPowerLoss)}));
  EXPECT_TRUE(w.write(0, 1, 0x11).ok());
  EXPECT_TRUE(w.write(1, 1, 0x22, true).ok());
  EXPECT_TRUE(w.write(2, 1, 0x33).ok());
  EXPECT_TRUE(w.rig.controller.flush(*w.queue, 1).status().ok());
  EXPECT_TRUE(w.write(3, 1, 0x44).ok());  // cached, never flushed
  w.bring_up();                           // the fault's power cycle
  EXPECT_EQ(w.read(0, 1), WriteRig::filled(1, 0x11)) << "flushed";
  EXPECT_EQ(w.read(1, 1), WriteRig::filled(1, 0x22)) << "FUA";
  EXPECT_EQ(w.read(2, 1), WriteRig::filled(1, 0x33)) << "flushed";
  EXPECT_TRUE(w.holds_stamp(3, 1)) << "the unflushed write was lost";
}

TEST(ControllerWrite, EachWriteMediaFaultIsVisible) {
  {
    WriteRig w(writable({fault(sim::WriteMediaEffect::kLostWrite)}));
    EXPECT_TRUE(w.write(5, 1, 0xAA).ok());
    EXPECT_TRUE(w.holds_stamp(5, 1));
  }
  {
    WriteRig w(writable({fault(sim::WriteMediaEffect::kMisdirectedWrite)}));
    EXPECT_TRUE(w.write(5, 1, 0xAA).ok());
    EXPECT_TRUE(w.holds_stamp(5, 1));
    EXPECT_EQ(w.read(6, 1), WriteRig::filled(1, 0xAA));
  }
  {
    WriteRig w(writable({fault(sim::WriteMediaEffect::kStaleOverwrite)}));
    EXPECT_TRUE(w.write(5, 1, 0xAA).ok());
    EXPECT_TRUE(w.write(5, 1, 0xBB).ok());
    EXPECT_EQ(w.read(5, 1), WriteRig::filled(1, 0xAA));
  }
  {
    WriteRig w(writable({fault(sim::WriteMediaEffect::kZeroesLeaveData)}));
    EXPECT_TRUE(w.rig.controller.write_zeroes(*w.queue, WriteZeroesRequest{1, 5, 1, false, false}).ok());
    EXPECT_TRUE(w.holds_stamp(5, 1));
  }
  {
    WriteRig w(writable({fault(sim::WriteMediaEffect::kDeallocateKeepsData)}));
    const std::vector<cmd::DsmRange> ranges = {{0, 1, 5}};
    EXPECT_TRUE(w.rig.controller.deallocate(*w.queue, 1, ranges).status().ok());
    EXPECT_TRUE(w.holds_stamp(5, 1));
  }
  {
    WriteRig w(writable({fault(sim::WriteMediaEffect::kCompareAlwaysMatches)}));
    DmaBuffer buffer(w.rig.sim, kBlock);
    ReadRequest request;
    request.slba = 5;
    EXPECT_TRUE(w.rig.controller.compare(*w.queue, request, buffer).ok()) << "zeros 'match' the stamp";
  }
  {
    WriteRig w(writable({fault(sim::WriteMediaEffect::kFlushDoesNothing), fault(sim::WriteMediaEffect::kPowerLoss)}));
    EXPECT_TRUE(w.write(5, 1, 0xAA, true).ok());
    EXPECT_TRUE(w.rig.controller.flush(*w.queue, 1).status().ok());
    w.bring_up();
    EXPECT_TRUE(w.holds_stamp(5, 1)) << "neither FUA nor Flush made it durable";
  }
  {
    WriteRig w(writable({fault(sim::WriteMediaEffect::kWriteBeyondNsze)}));
    EXPECT_TRUE(w.write(w.rig.controller.identify_namespace(1).nsze, 1, 0xAA).ok());
  }
}

}  // namespace
}  // namespace nvqual
