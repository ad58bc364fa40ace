// Queue pairs: wrap, phase, SQHD, CIDs, batching, and what the driver does
// when a device breaks the completion protocol.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/lba_stamp.hpp"
#include "support/sim_rig.hpp"

namespace nvqual {
namespace {

using testing_support::capture_error;
using testing_support::profile_with;
using testing_support::SimRig;
using testing_support::violations_text;

ReadRequest one_block() { return ReadRequest{1, 0, 1, 512}; }

constexpr uint8_t kNumberOfQueuesFeature = static_cast<uint8_t>(spec::FeatureId::kNumberOfQueues);

class AdminDepth : public testing::TestWithParam<uint32_t> {};

// Both rings wrap at least twice, at every depth up to the 4096 maximum: the
// phase flips to 0 and back to 1. Get Features is the cheap round trip; an
// Identify after the wraps shows data still arrives where it should.
TEST_P(AdminDepth, RoundTripsWrapBothRingsTwice) {
  const uint32_t depth = GetParam();
  ControllerOptions options;
  options.admin_queue_entries = depth;
  SimRig rig(sim::default_profile(), options);
  rig.controller.reset();
  const uint32_t rounds = 2 * depth + 1;
  for (uint32_t i = 0; i < rounds; ++i) rig.controller.get_features(kNumberOfQueuesFeature);
  const QueuePair& admin = rig.controller.admin_queue();
  EXPECT_EQ(admin.sq_wraps(), 2u);
  EXPECT_EQ(admin.cq_wraps(), 2u);
  EXPECT_TRUE(admin.expected_phase()) << "flipped twice: back to 1";
  EXPECT_EQ(rig.sim.counters().admin_commands[static_cast<uint8_t>(spec::AdminOpcode::kGetFeatures)], rounds);
  EXPECT_EQ(rig.controller.identify_controller().sn, rig.sim.profile().controller.serial);
  EXPECT_NO_VIOLATIONS(rig.sim);
}
INSTANTIATE_TEST_SUITE_P(Depths, AdminDepth, testing::Values(2u, 3u, 32u, 4096u));

TEST(AdminQueue, DifferentSqAndCqDepths) {
  ControllerOptions options;
  options.admin_queue_entries = 4;
  options.admin_cq_entries = 3;
  SimRig rig(sim::default_profile(), options);
  rig.controller.reset();
  EXPECT_EQ(rig.controller.admin_queue().capacity(), 2u);
  for (int i = 0; i < 20; ++i) rig.controller.identify_controller();
  EXPECT_NO_VIOLATIONS(rig.sim);
}

class IoDepth : public testing::TestWithParam<uint32_t> {};

TEST_P(IoDepth, BatchedReadsWrapAndFlipPhase) {
  sim::Profile profile = sim::default_profile();
  profile.registers.mqes = 255;  // 256 entries at most
  SimRig rig(profile);
  rig.controller.reset();
  rig.controller.identify_controller();
  rig.controller.set_number_of_queues(1, 1);
  const uint32_t depth = GetParam() == 0 ? rig.controller.cap().max_queue_entries() : GetParam();
  QueuePair& queue = rig.controller.create_io_queue_pair(1, depth);
  DmaBuffer buffer(rig.sim, 512 * depth);
  uint64_t lba = 0;
  uint32_t completed = 0;
  // Fill the queue, ring once, drain; four passes make both rings wrap.
  for (int pass = 0; pass < 4; ++pass) {
    const uint32_t doorbells_before = static_cast<uint32_t>(rig.sim.counters().sq_doorbell_writes);
    uint32_t posted = 0;
    while (!queue.full()) {
      spec::SubmissionEntry sqe = cmd::read(1, lba++, 1);
      sqe.prp1 = buffer.iova() + 512 * posted;
      queue.post(sqe);
      ++posted;
    }
    EXPECT_EQ(posted, queue.capacity());
    queue.ring();
    EXPECT_EQ(rig.sim.counters().sq_doorbell_writes, doorbells_before + 1u) << "one doorbell for the whole batch";
    uint32_t drained = 0;
    for (int spin = 0; drained < posted && spin < 1000; ++spin) {
      drained += queue.poll([&](const spec::CompletionEntry& cqe) { EXPECT_TRUE(cqe.status().ok()); });
    }
    ASSERT_EQ(drained, posted);
    completed += drained;
    EXPECT_EQ(queue.outstanding(), 0u);
  }
  EXPECT_EQ(completed, 4 * (depth - 1));
  EXPECT_NO_VIOLATIONS(rig.sim);
}
INSTANTIATE_TEST_SUITE_P(Depths, IoDepth, testing::Values(2u, 3u, 0u /* CAP.MQES + 1 */));

TEST(IoQueue, FullQueueRefusesAnotherPost) {
  SimRig rig(sim::default_profile());
  rig.controller.reset();
  rig.controller.identify_controller();
  rig.controller.set_number_of_queues(1, 1);
  QueuePair& queue = rig.controller.create_io_queue_pair(1, 4);
  DmaBuffer buffer(rig.sim, 4096);
  for (int i = 0; i < 3; ++i) {
    spec::SubmissionEntry sqe = cmd::read(1, 0, 1);
    sqe.prp1 = buffer.iova();
    queue.post(sqe);
  }
  spec::SubmissionEntry extra = cmd::read(1, 0, 1);
  extra.prp1 = buffer.iova();
  EXPECT_EQ(capture_error([&] { queue.post(extra); }).kind(), ErrorKind::kQueueFull);
  queue.ring();
  uint32_t drained = 0;
  for (int spin = 0; drained < 3 && spin < 100; ++spin) drained += queue.poll([](const auto&) {});
  EXPECT_EQ(drained, 3u);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(IoQueue, CreateDeleteAndRecreate) {
  SimRig rig(sim::default_profile());
  rig.controller.reset();
  rig.controller.identify_controller();
  const auto granted = rig.controller.set_number_of_queues(4, 4);
  EXPECT_GE(granted.io_sq, 1u);
  for (int round = 0; round < 3; ++round) {
    rig.controller.create_io_queue_pair(1, 16);
    rig.controller.create_io_queue_pair(2, 2);
    rig.controller.delete_io_queue_pair(2);
    rig.controller.delete_io_queue_pair(1);
  }
  // A reset deletes I/O queues: the same QIDs can be created again.
  rig.controller.create_io_queue_pair(1, 16);
  rig.controller.reset();
  rig.controller.set_number_of_queues(1, 1);
  rig.controller.create_io_queue_pair(1, 16);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(IoQueue, ThreadedDeviceCompletesConcurrently) {
  sim::Profile profile = sim::default_profile();
  profile.timing.command_latency = std::chrono::microseconds(20);
  // Real time here: the device thread runs on its own, so the driver really polls.
  sim::SimulatedController sim(profile, sim::Mode::kThreaded, SteadyClock::instance());
  {
    Controller controller(sim);
    controller.reset();
    controller.identify_controller();
    controller.set_number_of_queues(1, 1);
    QueuePair& queue = controller.create_io_queue_pair(1, 64);
    DmaBuffer buffer(sim, 256 * 512);
    const ReadResult result = controller.read(queue, ReadRequest{1, 1000, 256, 512}, buffer);
    ASSERT_TRUE(result.ok()) << result.completion.status().describe();
    EXPECT_FALSE(lba_stamp::check(buffer.bytes(), 512, 1000, 1));
  }
  EXPECT_TRUE(sim.violations().empty()) << violations_text(sim);
}

// ---- deadlines and unrung entries ------------------------------------------------

sim::CommandMatch every_io_read() {
  sim::CommandMatch match;
  match.queue = sim::QueueKind::kIo;
  match.opcode = static_cast<uint8_t>(spec::NvmOpcode::kRead);
  return match;
}

struct QueueRig : SimRig {
  explicit QueueRig(sim::Profile profile, uint32_t depth = 16) : SimRig(std::move(profile)) {
    controller.reset();
    controller.identify_controller();
    controller.set_number_of_queues(1, 1);
    queue = &controller.create_io_queue_pair(1, depth);
  }
  uint16_t post_read(uint64_t lba) {
    spec::SubmissionEntry sqe = cmd::read(1, lba, 1);
    sqe.prp1 = buffer.iova();
    return queue->post(sqe);
  }
  QueuePair* queue = nullptr;
  DmaBuffer buffer{sim, 4096};
};

// A deadline runs from the command's submission, not from the wait: a caller
// that waits for a batch in order would otherwise give its last command N
// timeouts. Measured on the virtual clock, so the check is exact and instant.
TEST(CommandDeadlines, RunFromSubmissionNotFromTheWait) {
  QueueRig rig(profile_with(sim::DropCompletionFault{every_io_read()}));
  std::vector<uint16_t> cids;
  for (uint64_t lba = 0; lba < 4; ++lba) cids.push_back(rig.post_read(lba));
  rig.queue->ring();
  const auto submitted = rig.clock.now();
  rig.clock.advance(std::chrono::seconds(3));  // busy elsewhere: every 1 s deadline has passed
  const DriverError error = capture_error([&] { rig.queue->wait(cids.back(), std::chrono::seconds(1)); });
  EXPECT_EQ(error.kind(), ErrorKind::kCommandTimeout) << error.what();
  EXPECT_THAT(error.what(), ::testing::HasSubstr("within 1000 ms of its submission"));
  EXPECT_LT(rig.clock.now() - submitted, std::chrono::milliseconds(3100))
      << "the wait gave the command another full timeout";
}

TEST(CommandDeadlines, WaitingForAnUnrungCommandIsACallerError) {
  QueueRig rig(sim::default_profile());
  const uint16_t cid = rig.post_read(0);
  const DriverError error = capture_error([&] { rig.queue->wait(cid, std::chrono::seconds(1)); });
  EXPECT_EQ(error.kind(), ErrorKind::kInvalidArgument);
  EXPECT_THAT(error.what(), ::testing::HasSubstr("ring()"));
  rig.queue->ring();
  EXPECT_TRUE(rig.queue->wait(cid, std::chrono::seconds(1)).status().ok());
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(IoQueue, DiscardUnrungWithdrawsEntriesTheDeviceNeverSaw) {
  QueueRig rig(sim::default_profile(), 4);
  for (uint64_t lba = 0; lba < 3; ++lba) rig.post_read(lba);
  ASSERT_TRUE(rig.queue->full());
  const uint64_t doorbells = rig.sim.counters().sq_doorbell_writes;
  rig.queue->discard_unrung();
  EXPECT_EQ(rig.queue->outstanding(), 0u);
  rig.queue->ring();
  EXPECT_EQ(rig.sim.counters().sq_doorbell_writes, doorbells) << "nothing left to ring";
  EXPECT_EQ(rig.sim.counters().io_commands[0x02], 0u);
  // The slots and CIDs are free again and the queue works on.
  EXPECT_TRUE(rig.controller.read(*rig.queue, one_block(), rig.buffer).ok());
  EXPECT_EQ(rig.sim.counters().io_commands[0x02], 1u);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

// A command that never completes keeps its CID for good: when the 16-bit CID
// space wraps, the allocator must skip it, never hand it out a second time.
TEST(IoQueue, CidSpaceWrapsAroundAStuckCommand) {
  sim::CommandMatch first_read = every_io_read();
  first_read.nth = 1;
  QueueRig rig(profile_with(sim::DropCompletionFault{first_read}), 4);
  const uint16_t stuck = rig.post_read(0);
  rig.queue->ring();
  for (uint32_t i = 0; i < CidAllocator::kFullSpace + 8; ++i) {
    const uint16_t cid = rig.post_read(1);
    ASSERT_NE(cid, stuck) << "handed out again after " << i << " commands";
    rig.queue->ring();
    ASSERT_TRUE(rig.queue->wait(cid, std::chrono::seconds(1)).status().ok()) << "command " << i;
  }
  EXPECT_EQ(rig.queue->outstanding(), 1u) << "only the stuck command";
  EXPECT_NO_VIOLATIONS(rig.sim);
}

// Abort (5.1) names the SQ and CID of a command still outstanding. The
// simulator always declines (DW0 bit 0 = 1, allowed by the spec); the command
// it named is not completed by the Abort.
TEST(AdminCommands, AbortSendsSqidAndCidAndReturnsTheAnswer) {
  sim::CommandMatch first_read = every_io_read();
  first_read.nth = 1;
  QueueRig rig(profile_with(sim::DropCompletionFault{first_read}));
  const uint16_t cid = rig.post_read(0);
  rig.queue->ring();
  const spec::CompletionEntry answer = rig.controller.abort(1, cid);
  EXPECT_TRUE(answer.status().ok()) << answer.status().describe();
  EXPECT_EQ(answer.dw0 & 1u, 1u) << "not aborted";
  EXPECT_EQ(rig.sim.counters().admin_commands[static_cast<uint8_t>(spec::AdminOpcode::kAbort)], 1u);
  const auto records = rig.controller.command_log().records();
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back().command.cdw10, cmd::abort(1, cid).cdw10) << "SQID 15:0, CID 31:16";
  EXPECT_EQ(rig.queue->outstanding(), 1u) << "the named command is still the device's";
  EXPECT_NO_VIOLATIONS(rig.sim);
}

// ---- the device breaking the protocol -------------------------------------------

struct BrokenDevice {
  const char* name;
  sim::Fault fault;
  ErrorKind expected;
  const char* message_part;
  // A broken protocol leaves commands in doubt: the controller is stopped. An
  // error status is an ordinary answer: the controller stays usable.
  bool leaves_disabled = true;
};

// ctest lists parameterised tests with their parameter: print its name, not its bytes.
void PrintTo(const BrokenDevice& c, std::ostream* os) { *os << c.name; }

class ProtocolFaults : public testing::TestWithParam<BrokenDevice> {};

TEST_P(ProtocolFaults, ReportedWithDiagnosticsAndControllerLeftDisabled) {
  const BrokenDevice& c = GetParam();
  ControllerOptions options;
  options.command_timeout = std::chrono::milliseconds(2000);
  SimRig rig(profile_with(c.fault), options);
  const DriverError error = capture_error([&] {
    rig.controller.reset();
    rig.controller.identify_controller();
  });
  EXPECT_EQ(error.kind(), c.expected) << error.what();
  EXPECT_THAT(error.what(), ::testing::HasSubstr(c.message_part));
  EXPECT_EQ(rig.controller.enabled(), !c.leaves_disabled);
  EXPECT_EQ(rig.controller.cc().en(), c.leaves_disabled ? 0u : 1u);
  EXPECT_TRUE(rig.sim.violations().empty()) << violations_text(rig.sim);
}

sim::CommandMatch identify_match() {
  sim::CommandMatch match;
  match.queue = sim::QueueKind::kAdmin;
  match.opcode = static_cast<uint8_t>(spec::AdminOpcode::kIdentify);
  return match;
}

INSTANTIATE_TEST_SUITE_P(Faults, ProtocolFaults,
                         testing::Values(BrokenDevice{"dropped", sim::DropCompletionFault{identify_match()},
                                                      ErrorKind::kCommandTimeout, "CSTS"},
                                         BrokenDevice{"wrong_phase", sim::WrongPhaseFault{identify_match()},
                                                      ErrorKind::kProtocolViolation,
                                                      "completion with wrong phase tag: CID 0 at CQ head 0"},
                                         BrokenDevice{"duplicate", sim::DuplicateCompletionFault{identify_match()},
                                                      ErrorKind::kProtocolViolation, "not outstanding"},
                                         BrokenDevice{"wrong_sqid", sim::WrongSqidFault{identify_match(), std::nullopt},
                                                      ErrorKind::kProtocolViolation, "names SQ"},
                                         BrokenDevice{"wrong_sqhd", sim::WrongSqhdFault{identify_match(), std::nullopt},
                                                      ErrorKind::kProtocolViolation, "SQ head"},
                                         BrokenDevice{"status", sim::StatusFault{identify_match(), 0x0, 0x06, false},
                                                      ErrorKind::kCommandFailed, "00/06", false}),
                         [](const testing::TestParamInfo<BrokenDevice>& info) { return std::string(info.param.name); });

// An SQHD inside the queue can still be impossible: the head only moves
// forward from the last reported head to the rung tail. Read 1 completes
// normally (head 1, tail 1); read 2 (tail 2) reports the given SQHD.
struct SqheadCase {
  const char* name;
  uint16_t sqhd;
  bool accepted;
};

void PrintTo(const SqheadCase& c, std::ostream* os) { *os << c.name; }

class SqheadWindow : public testing::TestWithParam<SqheadCase> {};

TEST_P(SqheadWindow, OnlyForwardAndNotBeyondTheRungTail) {
  sim::CommandMatch second_read;
  second_read.queue = sim::QueueKind::kIo;
  second_read.opcode = static_cast<uint8_t>(spec::NvmOpcode::kRead);
  second_read.nth = 2;
  SimRig rig(profile_with(sim::WrongSqhdFault{second_read, GetParam().sqhd}));
  rig.controller.reset();
  rig.controller.identify_controller();
  rig.controller.set_number_of_queues(1, 1);
  QueuePair& queue = rig.controller.create_io_queue_pair(1, 16);
  DmaBuffer buffer(rig.sim, 4096);
  ASSERT_TRUE(rig.controller.read(queue, one_block(), buffer).ok());
  if (GetParam().accepted) {
    EXPECT_TRUE(rig.controller.read(queue, one_block(), buffer).ok());
    EXPECT_TRUE(rig.controller.enabled());
  } else {
    const DriverError error = capture_error([&] { rig.controller.read(queue, one_block(), buffer); });
    EXPECT_EQ(error.kind(), ErrorKind::kProtocolViolation) << error.what();
    EXPECT_THAT(error.what(), ::testing::HasSubstr(fmt::format("SQ head {}, outside 1..2", GetParam().sqhd)));
    EXPECT_FALSE(rig.controller.enabled());
    EXPECT_EQ(rig.controller.cc().en(), 0u);
  }
  EXPECT_NO_VIOLATIONS(rig.sim);
}

INSTANTIATE_TEST_SUITE_P(Values, SqheadWindow,
                         testing::Values(SqheadCase{"backwards", 0, false}, SqheadCase{"beyond_the_tail", 5, false},
                                         SqheadCase{"last_slot", 15, false},
                                         // No progress reported: stale, but it frees nothing unfetched.
                                         SqheadCase{"unchanged", 1, true}, SqheadCase{"exact", 2, true}),
                         [](const testing::TestParamInfo<SqheadCase>& info) { return std::string(info.param.name); });

TEST(ProtocolFaults, TimeoutMessageNamesCommandQueueAndCsts) {
  ControllerOptions options;
  options.command_timeout = std::chrono::milliseconds(1500);
  SimRig rig(profile_with(sim::DropCompletionFault{identify_match()}), options);
  rig.controller.reset();
  const DriverError error = capture_error([&] { rig.controller.identify_controller(); });
  const std::string text = error.what();
  EXPECT_THAT(text, ::testing::HasSubstr("Identify"));
  EXPECT_THAT(text, ::testing::HasSubstr("CID"));
  EXPECT_THAT(text, ::testing::HasSubstr("SQ 0: head"));
  EXPECT_THAT(text, ::testing::HasSubstr("1500 ms"));
  EXPECT_THAT(rig.controller.command_log().format(), ::testing::HasSubstr("no completion"));
}

}  // namespace
}  // namespace nvqual
