// The media-change gate (media_change_policy.hpp): each of the four
// conditions refuses on its own with one line naming it, and a refused
// command never reaches the device (no doorbell write), whichever submit path
// it takes: the Write API, a raw execute(), a batch, or the admin queue.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/forwarding_transport.hpp"
#include "nvqual/driver/commands.hpp"
#include "support/sim_rig.hpp"

namespace nvqual {
namespace {

using ::testing::HasSubstr;
using testing_support::capture_error;
using testing_support::ForwardingTransport;

constexpr uint32_t kFirstAllowed = 100;
constexpr uint32_t kLastAllowed = 199;

// The simulator presented as a real device, so conditions 3 and 4 apply.
class RealDeviceTransport final : public ForwardingTransport {
 public:
  using ForwardingTransport::ForwardingTransport;
  bool is_simulator() const override { return false; }
};

struct Rig {
  Rig() : sim(sim::default_profile(), sim::Mode::kInline, clock), real(sim), controller(real, {}, clock) {
    controller.reset();
    serial = controller.identify_controller().sn;
    controller.set_number_of_queues(1, 1);
    queue = &controller.create_io_queue_pair(1, 16);
    buffer = DmaBuffer(real, 4096);
  }
  // Every condition met; each test then breaks one.
  void allow_all() {
    MediaChangePolicy& p = controller.media_change_policy();
    p.set_suite_declares(true);
    p.set_user_allows(true);
    p.set_confirm_serial(serial);
    p.add_scratch(ScratchRange{1, kFirstAllowed, kLastAllowed, false});
  }
  // The refusal of a one-block Write at `lba`, checking nothing reached the device.
  std::string refused_write(uint64_t lba) {
    const uint64_t doorbells = sim.counters().sq_doorbell_writes;
    WriteRequest request;
    request.slba = lba;
    const DriverError error = capture_error([&] { controller.write(*queue, request, buffer); });
    EXPECT_EQ(error.kind(), ErrorKind::kMediaChangeRefused) << error.what();
    EXPECT_EQ(sim.counters().sq_doorbell_writes, doorbells) << "a refused write reached the device";
    EXPECT_EQ(queue->outstanding(), 0u);
    return error.what();
  }
  uint64_t doorbells() const { return sim.counters().sq_doorbell_writes; }

  VirtualClock clock;
  sim::SimulatedController sim;
  RealDeviceTransport real;
  Controller controller;
  std::string serial;
  QueuePair* queue = nullptr;
  DmaBuffer buffer;
};

TEST(MediaChangePolicy, WithEveryConditionMetAWriteInsideTheScratchRangeIsSent) {
  Rig rig;
  rig.allow_all();
  const uint64_t before = rig.doorbells();
  WriteRequest request;
  request.slba = kFirstAllowed;
  rig.controller.write(*rig.queue, request, rig.buffer);
  EXPECT_GT(rig.doorbells(), before) << "the control case: the gate lets it through";
}

TEST(MediaChangePolicy, ASuiteWithoutMediaChangesTrueIsRefused) {
  Rig rig;
  rig.allow_all();
  rig.controller.media_change_policy().set_suite_declares(false);
  EXPECT_THAT(rig.refused_write(kFirstAllowed), HasSubstr("the suite does not declare media_changes: true"));
}

TEST(MediaChangePolicy, ACommandLineWithoutAllowMediaChangesIsRefused) {
  Rig rig;
  rig.allow_all();
  rig.controller.media_change_policy().set_user_allows(false);
  EXPECT_THAT(rig.refused_write(kFirstAllowed), HasSubstr("does not pass --allow-media-changes"));
}

TEST(MediaChangePolicy, ARealDeviceWithoutConfirmSerialIsRefused) {
  Rig rig;
  rig.allow_all();
  rig.controller.media_change_policy().set_confirm_serial(std::nullopt);
  EXPECT_THAT(rig.refused_write(kFirstAllowed), HasSubstr("needs --confirm-serial"));
}

TEST(MediaChangePolicy, AMistypedSerialIsRefusedAndTheMessageShowsTheSerialFound) {
  Rig rig;
  rig.allow_all();
  rig.controller.media_change_policy().set_confirm_serial("NOT-THIS-ONE");
  const std::string why = rig.refused_write(kFirstAllowed);
  EXPECT_THAT(why, HasSubstr("--confirm-serial NOT-THIS-ONE does not match"));
  EXPECT_THAT(why, HasSubstr(rig.serial));
}

TEST(MediaChangePolicy, ARealDeviceWithNoScratchRangeIsRefused) {
  Rig rig;
  rig.allow_all();
  rig.controller.media_change_policy().clear_scratch();
  EXPECT_THAT(rig.refused_write(kFirstAllowed), HasSubstr("no scratch range is declared"));
}

TEST(MediaChangePolicy, LbasOutsideTheScratchRangeAreRefusedAtBothEdges) {
  Rig rig;
  rig.allow_all();
  EXPECT_THAT(rig.refused_write(kFirstAllowed - 1), HasSubstr("outside every declared scratch range"));
  EXPECT_THAT(rig.refused_write(kLastAllowed + 1), HasSubstr("outside every declared scratch range"));
}

TEST(MediaChangePolicy, ASplitWriteCrossingTheRangeEndIsRefusedWholeBeforeAnyCommand) {
  Rig rig;
  rig.allow_all();
  const uint64_t before = rig.doorbells();
  WriteRequest request;
  request.slba = kLastAllowed - 1;
  request.blocks = 4;  // the first two blocks are scratch, the last two are not
  EXPECT_EQ(capture_error([&] { rig.controller.write(*rig.queue, request, rig.buffer); }).kind(),
            ErrorKind::kMediaChangeRefused);
  EXPECT_EQ(rig.doorbells(), before);
}

TEST(MediaChangePolicy, RawCommandsCannotBypassTheGate) {
  Rig rig;
  rig.allow_all();
  const uint64_t before = rig.doorbells();
  // A raw Write outside the range through execute().
  const auto raw = cmd::write(1, 5, 1);
  EXPECT_EQ(capture_error([&] { rig.controller.execute(*rig.queue, raw, rig.buffer, 512); }).kind(),
            ErrorKind::kMediaChangeRefused);
  // A raw Write Zeroes in a batch (no data).
  const std::vector<spec::SubmissionEntry> batch = {cmd::flush(1), cmd::write_zeroes(1, 500, 1)};
  EXPECT_EQ(capture_error([&] { rig.controller.submit_batch(*rig.queue, batch); }).kind(),
            ErrorKind::kMediaChangeRefused);
  // A DSM in a batch: its ranges are not in a buffer the driver can read.
  const std::vector<spec::SubmissionEntry> dsm = {cmd::dataset_management(1, 1)};
  EXPECT_THAT(capture_error([&] { rig.controller.submit_batch(*rig.queue, dsm); }).what(),
              HasSubstr("not in a data buffer"));
  // A raw DSM whose range list names blocks outside the range.
  cmd::encode_dsm_range({0, 1, 7}, std::span<std::byte, 16>(rig.buffer.data(), 16));
  EXPECT_EQ(
      capture_error([&] { rig.controller.execute(*rig.queue, cmd::dataset_management(1, 1), rig.buffer, 16); }).kind(),
      ErrorKind::kMediaChangeRefused);
  // An unknown I/O opcode and a Format NVM: whole-namespace extents.
  spec::SubmissionEntry vendor{};
  vendor.set_opcode(0x81);
  vendor.nsid = 1;
  EXPECT_EQ(capture_error([&] { rig.controller.execute(*rig.queue, vendor); }).kind(), ErrorKind::kMediaChangeRefused);
  spec::SubmissionEntry format{};
  format.set_opcode(static_cast<uint8_t>(spec::AdminOpcode::kFormatNvm));
  format.nsid = 1;
  EXPECT_THAT(capture_error([&] { rig.controller.admin(format); }).what(), HasSubstr("only --scratch all"));
  EXPECT_EQ(rig.doorbells(), before) << "nothing of these reached the device";
}

TEST(MediaChangePolicy, ADeallocateOutsideTheRangeIsRefusedBeforeAnything) {
  Rig rig;
  rig.allow_all();
  const uint64_t before = rig.doorbells();
  const std::vector<cmd::DsmRange> ranges = {{0, 10, kFirstAllowed}, {0, 1, kLastAllowed + 1}};
  EXPECT_EQ(capture_error([&] { rig.controller.deallocate(*rig.queue, 1, ranges); }).kind(),
            ErrorKind::kMediaChangeRefused);
  EXPECT_EQ(rig.doorbells(), before);
}

TEST(MediaChangePolicy, TheSimulatorNeedsOnlyTheFirstTwoConditions) {
  testing_support::SimRig rig(sim::default_profile());
  rig.controller.reset();
  rig.controller.identify_controller();
  rig.controller.set_number_of_queues(1, 1);
  QueuePair& queue = rig.controller.create_io_queue_pair(1, 16);
  DmaBuffer buffer(rig.sim, 4096);
  WriteRequest request;
  request.slba = 12345;
  EXPECT_THAT(capture_error([&] { rig.controller.write(queue, request, buffer); }).what(),
              HasSubstr("media_changes: true"));
  rig.controller.set_allow_media_changes(true);
  EXPECT_NO_THROW(rig.controller.write(queue, request, buffer)) << "no serial, no scratch range needed";
  // A range declared for the simulator is still enforced.
  rig.controller.media_change_policy().add_scratch(ScratchRange{1, 0, 10, false});
  EXPECT_EQ(capture_error([&] { rig.controller.write(queue, request, buffer); }).kind(),
            ErrorKind::kMediaChangeRefused);
}

TEST(ScratchRange, ParsesRangesAndAllAndRejectsBadInputInOneLine) {
  const ScratchRange r = parse_scratch_range("0x10:31", 2);
  EXPECT_EQ(r.first, 16u);
  EXPECT_EQ(r.last, 31u);
  EXPECT_EQ(r.nsid, 2u);
  EXPECT_TRUE(parse_scratch_range("all", 1).whole);
  EXPECT_THAT(capture_error([] { parse_scratch_range("10", 1); }).what(), HasSubstr("has no ':'"));
  EXPECT_THAT(capture_error([] { parse_scratch_range("20:10", 1); }).what(), HasSubstr("ends before it starts"));
  EXPECT_THAT(capture_error([] { parse_scratch_range("a:10", 1); }).what(), HasSubstr("'a' is not an LBA"));
}

TEST(ScratchRange, OverlappingRangesOfOneNamespaceAreRejected) {
  MediaChangePolicy policy;
  policy.add_scratch(ScratchRange{1, 0, 99, false});
  policy.add_scratch(ScratchRange{2, 50, 60, false});  // another namespace: fine
  EXPECT_THAT(capture_error([&] { policy.add_scratch(ScratchRange{1, 99, 120, false}); }).what(), HasSubstr("overlap"));
  EXPECT_TRUE(policy.lbas_allowed(true, 1, 0, 100));
  EXPECT_FALSE(policy.lbas_allowed(true, 1, 0, 101));
  EXPECT_FALSE(policy.lbas_allowed(true, 1, UINT64_MAX, 2)) << "no wrap past 2^64";
}

}  // namespace
}  // namespace nvqual
