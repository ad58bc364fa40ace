// Every shipped fault profile produces its symptom, seen from the host side.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/identify.hpp"
#include "nvqual/driver/lba_stamp.hpp"
#include "support/raw_host.hpp"

namespace nvqual::sim_test {
namespace {

struct FaultRig : Rig {
  explicit FaultRig(const std::string& file) : Rig(fixture("faults/" + file)), data(sim, 8192) {}
  void with_io() {
    host.bring_up();
    io = host.create_io_pair(1, 8);
  }
  spec::CompletionEntry read(uint64_t lba) { return host.execute(io, cmd::read(1, lba, 8), data); }
  DmaBuffer data;
  Ring io;
};

TEST(Faults, NeverReady) {
  FaultRig rig("never-ready.yaml");
  rig.host.configure_admin();
  rig.host.write_cc(RawHost::enabled_cc());
  EXPECT_FALSE(rig.host.wait_ready(true, 120s));
  EXPECT_EQ(rig.host.csts().raw, 0u);  // not ready, not fatal, not gone
  // Giving up after CAP.TO is what a careful driver does: no violation.
  rig.host.write_cc(RawHost::enabled_cc().set_en(0));
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Faults, LateReadyArrivesInsideCapTo) {
  FaultRig rig("late-ready.yaml");
  rig.host.configure_admin();
  rig.host.write_cc(RawHost::enabled_cc());
  rig.clock.advance(4499ms);
  EXPECT_EQ(rig.host.csts().rdy(), 0u);
  rig.clock.advance(1ms);
  EXPECT_EQ(rig.host.csts().rdy(), 1u);
  EXPECT_LT(std::chrono::microseconds(4'500'000), rig.host.cap().ready_timeout());
}

TEST(Faults, ReadyAfterTimeoutArrivesBeyondCapTo) {
  FaultRig rig("ready-after-timeout.yaml");
  rig.host.configure_admin();
  rig.host.write_cc(RawHost::enabled_cc());
  EXPECT_FALSE(rig.host.wait_ready(true, rig.host.cap().ready_timeout()));
  rig.clock.advance(8s);
  EXPECT_EQ(rig.host.csts().rdy(), 1u);
}

TEST(Faults, SlowShutdownTakesLongerThanRtd3e) {
  FaultRig rig("slow-shutdown.yaml");
  rig.host.bring_up();
  rig.host.write_cc(rig.host.cc().set_shn(spec::Cc::kShnNormal));
  rig.clock.advance(std::chrono::microseconds(rig.sim.profile().controller.rtd3e));
  EXPECT_EQ(rig.host.csts().shst(), spec::Csts::kShstOccurring);
  rig.clock.advance(2s);
  EXPECT_EQ(rig.host.csts().shst(), spec::Csts::kShstComplete);
}

TEST(Faults, FatalStatusAtEnable) {
  FaultRig rig("cfs-at-enable.yaml");
  rig.host.configure_admin();
  rig.host.write_cc(RawHost::enabled_cc());
  const spec::Csts csts = rig.host.csts();
  EXPECT_EQ(csts.cfs(), 1u);
  EXPECT_EQ(csts.rdy(), 0u);
  rig.clock.advance(60s);
  EXPECT_EQ(rig.host.csts().rdy(), 0u);
}

TEST(Faults, FatalStatusAfterCommandsAndAResetRecovers) {
  FaultRig rig("cfs-after-commands.yaml");
  rig.host.bring_up();
  DmaBuffer page(rig.sim, 4096);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(rig.host.execute(rig.host.admin(), cmd::identify(spec::Cns::kController, 0), page).status().ok());
  }
  rig.host.submit(rig.host.admin(), cmd::identify(spec::Cns::kController, 0));
  EXPECT_FALSE(rig.host.take(rig.host.admin()).has_value());
  EXPECT_EQ(rig.host.csts().cfs(), 1u);
  EXPECT_EQ(rig.sim.counters().admin_commands[0x06], 5u);  // the sixth was never fetched
  // Reset: CFS clears, the controller works again (the fault fires once).
  rig.host.disable();
  EXPECT_EQ(rig.host.csts().cfs(), 0u);
  rig.host.bring_up();
  EXPECT_TRUE(rig.host.execute(rig.host.admin(), cmd::identify(spec::Cns::kController, 0), page).status().ok());
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Faults, AllOnesFromTheStart) {
  FaultRig rig("all-ones.yaml");
  EXPECT_EQ(rig.sim.read32(spec::reg::kCsts), 0xFFFFFFFFu);
  EXPECT_EQ(rig.sim.read32(spec::reg::kVs), 0xFFFFFFFFu);
  EXPECT_EQ(rig.sim.read64(spec::reg::kCap), ~uint64_t{0});
  rig.sim.write32(spec::reg::kCc, 1);  // writes go nowhere
  EXPECT_EQ(rig.sim.read32(spec::reg::kCc), 0xFFFFFFFFu);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Faults, AllOnesAfterCommands) {
  FaultRig rig("all-ones-after-commands.yaml");
  rig.host.bring_up();
  DmaBuffer page(rig.sim, 4096);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(rig.host.execute(rig.host.admin(), cmd::identify(spec::Cns::kController, 0), page).status().ok());
  }
  EXPECT_EQ(rig.host.csts().rdy(), 1u);
  rig.host.submit(rig.host.admin(), cmd::identify(spec::Cns::kController, 0));
  EXPECT_TRUE(rig.host.csts().all_ones());
  EXPECT_EQ(rig.sim.read32(spec::reg::kAqa), 0xFFFFFFFFu);
}

TEST(Faults, DropCompletion) {
  FaultRig rig("drop-completion.yaml");
  rig.with_io();
  rig.host.submit(rig.io, cmd::read(1, 0, 1));
  EXPECT_FALSE(rig.host.take(rig.io).has_value());
  EXPECT_EQ(rig.sim.counters().completions_dropped, 1u);
  // Only the first read: the next one completes normally.
  const auto second = rig.host.execute(rig.io, cmd::read(1, 8, 8), rig.data);
  EXPECT_TRUE(second.status().ok());
  EXPECT_EQ(second.cid(), 1u);
  EXPECT_EQ(second.sqhd(), 2u);
}

TEST(Faults, DuplicateCompletion) {
  FaultRig rig("duplicate-completion.yaml");
  rig.with_io();
  const auto first = rig.read(0);
  const auto again = rig.host.take(rig.io);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->cid(), first.cid());
  EXPECT_EQ(again->dw3 & ~uint32_t{1u << 16}, first.dw3 & ~uint32_t{1u << 16});
  EXPECT_FALSE(rig.host.take(rig.io).has_value());
}

TEST(Faults, WrongPhaseLooksLikeNoCompletion) {
  FaultRig rig("wrong-phase.yaml");
  rig.with_io();
  const uint16_t cid = rig.host.submit(rig.io, cmd::read(1, 0, 1));
  EXPECT_FALSE(rig.host.take(rig.io).has_value());
  // The entry is in host memory, with the stale phase.
  const spec::CompletionEntry raw = rig.io.cq.as<spec::CompletionEntry>()[0];
  EXPECT_EQ(raw.cid(), cid);
  EXPECT_FALSE(raw.phase());
  EXPECT_EQ(rig.sim.counters().completions_posted, 3u);  // Create I/O CQ, Create I/O SQ, this read
}

TEST(Faults, WrongSqid) {
  FaultRig rig("wrong-sqid.yaml");
  rig.with_io();
  EXPECT_EQ(rig.read(0).sqid(), 7u);
  EXPECT_EQ(rig.read(8).sqid(), 1u);
}

TEST(Faults, WrongSqhd) {
  FaultRig rig("wrong-sqhd.yaml");
  rig.with_io();
  EXPECT_GE(rig.read(0).sqhd(), rig.io.sq_entries);
  EXPECT_EQ(rig.read(8).sqhd(), 2u);
}

TEST(Faults, IdentifyStatusError) {
  FaultRig rig("identify-status-error.yaml");
  rig.host.bring_up();
  std::fill(rig.data.bytes().begin(), rig.data.bytes().end(), std::byte{0x5A});
  const auto done = rig.host.execute(rig.host.admin(), cmd::identify(spec::Cns::kController, 0), rig.data);
  EXPECT_EQ(code(done), "00/06");
  EXPECT_TRUE(done.status().dnr());
  EXPECT_EQ(rig.data.bytes()[0], std::byte{0x5A});  // no data moved
  // Other admin commands are unaffected.
  EXPECT_TRUE(rig.host.execute(rig.host.admin(), cmd::get_features(0x07)).status().ok());
}

TEST(Faults, ReadStatusError) {
  FaultRig rig("read-status-error.yaml");
  rig.with_io();
  EXPECT_EQ(code(rig.read(0)), "02/81");
  EXPECT_TRUE(rig.read(0).status().ok());
}

TEST(Faults, CorruptIdentifySerial) {
  FaultRig rig("corrupt-identify-serial.yaml");
  rig.host.bring_up();
  ASSERT_TRUE(rig.host.execute(rig.host.admin(), cmd::identify(spec::Cns::kController, 0), rig.data).status().ok());
  EXPECT_EQ(rig.data.bytes()[4], std::byte{0x01});
  EXPECT_FALSE(is_printable_ascii_padded(rig.data.bytes().subspan(4, 20)));
  EXPECT_EQ(parse_identify_controller(rig.data.bytes()).mn, rig.sim.profile().controller.model);  // only SN touched
}

TEST(Faults, CorruptIdentifyNamespace) {
  FaultRig rig("corrupt-identify-namespace.yaml");
  rig.host.bring_up();
  ASSERT_TRUE(rig.host.execute(rig.host.admin(), cmd::identify(spec::Cns::kNamespace, 1), rig.data).status().ok());
  const IdentifyNamespace ns = parse_identify_namespace(rig.data.bytes());
  EXPECT_GT(ns.ncap, ns.nsze);
}

TEST(Faults, CorruptReadData) {
  FaultRig rig("corrupt-read-data.yaml");
  rig.with_io();
  ASSERT_TRUE(rig.read(0).status().ok());
  const auto mismatch = lba_stamp::check(rig.data.bytes().first(4096), 512, 0, 1);
  ASSERT_TRUE(mismatch.has_value());
  EXPECT_EQ(mismatch->lba, 0u);
  EXPECT_EQ(mismatch->byte, 16u);
  EXPECT_EQ(mismatch->actual, static_cast<uint8_t>(mismatch->expected ^ 0xFF));
  ASSERT_TRUE(rig.read(8).status().ok());
  EXPECT_FALSE(lba_stamp::check(rig.data.bytes().first(4096), 512, 8, 1));
  ASSERT_TRUE(rig.read(4090).status().ok());
  const auto later = lba_stamp::check(rig.data.bytes().first(4096), 512, 4090, 1);
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(later->lba, 4096u);
}

// ---- data transfer faults: the command succeeds, the data is wrong -----------

TEST(Faults, BadReadTransferSkipMovesNoData) {
  FaultRig rig("harness-read-skip-transfer.yaml");
  rig.with_io();
  std::fill(rig.data.bytes().begin(), rig.data.bytes().end(), std::byte{0x5A});
  EXPECT_TRUE(rig.read(0).status().ok());
  EXPECT_EQ(rig.data.bytes()[0], std::byte{0x5A});
  EXPECT_EQ(rig.data.bytes()[4095], std::byte{0x5A});
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Faults, BadReadTransferEveryThirdRead) {
  FaultRig rig("harness-read-every-3rd-corrupt.yaml");
  rig.with_io();
  for (int n = 1; n <= 6; ++n) {
    ASSERT_TRUE(rig.read(8).status().ok());
    const auto mismatch = lba_stamp::check(rig.data.bytes().first(4096), 512, 8, 1);
    EXPECT_EQ(mismatch.has_value(), n % 3 == 0) << "read " << n;
    if (mismatch) {
      EXPECT_EQ(mismatch->byte, 0u);
    }
  }
}

TEST(Faults, BadReadTransferOnOneQueueOnly) {
  FaultRig rig("harness-read-queue-2-corrupt.yaml");
  rig.with_io();
  Ring second = rig.host.create_io_pair(2, 8);
  ASSERT_TRUE(rig.read(0).status().ok());
  EXPECT_FALSE(lba_stamp::check(rig.data.bytes().first(4096), 512, 0, 1));
  ASSERT_TRUE(rig.host.execute(second, cmd::read(1, 0, 8), rig.data).status().ok());
  const auto mismatch = lba_stamp::check(rig.data.bytes().first(4096), 512, 0, 1);
  ASSERT_TRUE(mismatch.has_value());
  EXPECT_EQ(mismatch->byte, 100u);
}

TEST(Faults, BadReadTransferDropsThePrp1Offset) {
  FaultRig rig("harness-read-drops-prp1-offset.yaml");
  rig.with_io();
  std::fill(rig.data.bytes().begin(), rig.data.bytes().end(), std::byte{0x5A});
  ASSERT_TRUE(rig.host.execute(rig.io, cmd::read(1, 3, 1), rig.data, 64).status().ok());
  // The block landed at the page start, not at offset 64.
  EXPECT_FALSE(lba_stamp::check(rig.data.bytes().first(512), 512, 3, 1));
  EXPECT_TRUE(lba_stamp::check(rig.data.bytes().subspan(64, 512), 512, 3, 1).has_value());
  // Aligned reads are unaffected.
  ASSERT_TRUE(rig.read(8).status().ok());
  EXPECT_FALSE(lba_stamp::check(rig.data.bytes().first(4096), 512, 8, 1));
}

TEST(Faults, Prp1OnlyCutsAnAdminTransferAtThePageEnd) {
  FaultRig rig("harness-admin-prp1-only.yaml");
  rig.host.bring_up();
  std::fill(rig.data.bytes().begin(), rig.data.bytes().end(), std::byte{0x5A});
  ASSERT_TRUE(
      rig.host.execute(rig.host.admin(), cmd::identify(spec::Cns::kController, 0), rig.data, 4096 - 512).status().ok());
  EXPECT_EQ(rig.data.bytes()[4096 - 512], std::byte{0x56});  // VID 4E56h, low byte first, through PRP1
  EXPECT_EQ(rig.data.bytes()[4096 + 4], std::byte{0x5A});    // NN's page (PRP2) never written
}

// ---- controller state faults -------------------------------------------------

TEST(Faults, StaleSqhdAfterResetReportsOneBehindOnce) {
  FaultRig rig("harness-stale-sqhd-after-reset.yaml");
  rig.host.bring_up();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(rig.host.execute(rig.host.admin(), cmd::get_features(0x07)).status().ok());
  rig.host.disable();
  rig.host.bring_up();
  EXPECT_EQ(rig.host.execute(rig.host.admin(), cmd::get_features(0x07)).sqhd(), 0u);  // 1 on a correct controller
  EXPECT_EQ(rig.host.execute(rig.host.admin(), cmd::get_features(0x07)).sqhd(), 2u);
}

TEST(Faults, OverstateQueuesReportsMoreThanItAllocates) {
  FaultRig rig("harness-overstate-queues.yaml");
  rig.host.bring_up();
  const auto granted = rig.host.execute(rig.host.admin(), cmd::set_number_of_queues(4, 4));
  ASSERT_TRUE(granted.status().ok());
  EXPECT_EQ(cmd::decode_number_of_queues(granted.dw0).io_sq, 5u);
  EXPECT_EQ(cmd::decode_number_of_queues(granted.dw0).io_cq, 5u);
  DmaBuffer ring(rig.sim, 4096);
  EXPECT_EQ(code(rig.host.execute(rig.host.admin(), cmd::create_io_cq(5, 2, ring.iova(), true))), "01/01");
  EXPECT_TRUE(rig.host.execute(rig.host.admin(), cmd::create_io_cq(4, 2, ring.iova(), true)).status().ok());
  EXPECT_TRUE(rig.host.execute(rig.host.admin(), cmd::delete_io_cq(4)).status().ok());
}

}  // namespace
}  // namespace nvqual::sim_test
