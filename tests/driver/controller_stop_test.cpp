// What the controller does when it cannot be stopped, and the ordering of
// enable(): DMA memory is released only once the controller is known stopped,
// and enabled() never reports a controller that was left with EN=0.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/commands.hpp"
#include "support/hooked_rig.hpp"
#include "support/sim_rig.hpp"

namespace nvqual {
namespace {

using ::testing::HasSubstr;
using testing_support::capture_error;
using testing_support::HookedRig;
using testing_support::HookedTransport;
using testing_support::profile_with;
using testing_support::violations_text;
using namespace std::chrono_literals;

sim::CommandMatch every_io_read() {
  sim::CommandMatch match;
  match.queue = sim::QueueKind::kIo;
  match.opcode = static_cast<uint8_t>(spec::NvmOpcode::kRead);
  return match;
}

// Nothing may stop these devices: no NVM subsystem reset either (the last
// rung of the ladder after a function-level reset).
sim::Profile without_nssr(sim::Profile profile) {
  profile.registers.nssrs = false;
  return profile;
}

ControllerOptions short_timeout() {
  ControllerOptions options;
  options.command_timeout = 1s;
  return options;
}

struct StuckCase {
  const char* name;
  HookedTransport::Reset reset;
};

void PrintTo(const StuckCase& c, std::ostream* os) { *os << c.name; }

class StuckController : public testing::TestWithParam<StuckCase> {};

// A read times out on a device that then ignores CC.EN=0 (RDY stays 1) and
// offers no working function-level reset. Nothing the device could reach may
// be freed: not the queues, not the read's PRP list, not its data buffer,
// not even when the Controller is destroyed. The simulator, still enabled
// with its queues, records any such free as a violation.
TEST_P(StuckController, KeepsEveryReachableBufferAndRefusesFurtherUse) {
  HookedRig rig(without_nssr(profile_with(sim::DropCompletionFault{every_io_read()})), short_timeout());
  Controller& controller = *rig.controller;
  controller.reset();
  controller.identify_controller();
  controller.identify_namespace(1);  // the read's format is known: its Identify page comes and goes before
  controller.set_number_of_queues(1, 1);
  QueuePair& queue = controller.create_io_queue_pair(1, 16);
  const std::vector<uint64_t> rings = {controller.admin_queue().sq_iova(), controller.admin_queue().cq_iova(),
                                       queue.sq_iova(), queue.cq_iova()};
  {
    DmaBuffer buffer(rig.device, 64 * 512);  // 8 pages: the Read needs a PRP list
    const uint64_t data_iova = buffer.iova();
    const size_t freed_before = rig.device.freed.size();
    rig.device.ignore_disable = true;
    rig.device.reset = GetParam().reset;

    const DriverError error = capture_error([&] { controller.read(queue, ReadRequest{1, 0, 64, 512}, buffer); });
    EXPECT_EQ(error.kind(), ErrorKind::kCommandTimeout) << error.what();
    EXPECT_TRUE(controller.unusable());
    EXPECT_FALSE(controller.enabled());
    EXPECT_TRUE(buffer.empty()) << "the in-flight data buffer is taken over, so its owner cannot free it";
    EXPECT_GE(controller.quarantined_bytes(), 64u * 512 + 4096) << "data, PRP list and rings";
    const DriverError again = capture_error([&] { controller.reset(); });
    EXPECT_EQ(again.kind(), ErrorKind::kReadyTimeout);
    EXPECT_THAT(again.what(), HasSubstr("could not be stopped"));
    EXPECT_EQ(capture_error([&] { controller.identify_controller(); }).kind(), ErrorKind::kReadyTimeout);
    EXPECT_EQ(rig.device.freed.size(), freed_before) << "nothing was freed after the failure";
    EXPECT_FALSE(rig.device.was_freed(data_iova));
  }
  const size_t freed_before_destruction = rig.device.freed.size();
  rig.controller = std::nullopt;  // the Controller goes; the transport stays, as it would in the tool
  EXPECT_EQ(rig.device.freed.size(), freed_before_destruction) << "the destructor freed quarantined memory";
  for (uint64_t iova : rings) EXPECT_FALSE(rig.device.was_freed(iova)) << std::hex << iova;
  EXPECT_EQ(spec::Cc{rig.sim.read32(spec::reg::kCc)}.en(), 1u) << "the device really is still enabled";
  EXPECT_TRUE(rig.sim.violations().empty()) << violations_text(rig.sim);
}

INSTANTIATE_TEST_SUITE_P(Resets, StuckController,
                         testing::Values(StuckCase{"no_reset", HookedTransport::Reset::kUnavailable},
                                         StuckCase{"reset_fails", HookedTransport::Reset::kFails}),
                         [](const testing::TestParamInfo<StuckCase>& info) { return std::string(info.param.name); });

sim::CommandMatch admin_opcode(spec::AdminOpcode opcode) {
  sim::CommandMatch match;
  match.queue = sim::QueueKind::kAdmin;
  match.opcode = static_cast<uint8_t>(opcode);
  return match;
}

// The rings of a queue being created belong to the device from the moment the
// create command goes out: when it never answers and cannot be stopped, they
// must not be freed by unwinding either (the simulator ran the command, so
// its CQ 1 points at them).
TEST(StuckController, KeepsTheRingsOfAQueueBeingCreated) {
  HookedRig rig(without_nssr(profile_with(sim::DropCompletionFault{admin_opcode(spec::AdminOpcode::kCreateIoCq)})),
                short_timeout());
  rig.controller->reset();
  rig.controller->identify_controller();
  rig.controller->set_number_of_queues(2, 2);
  rig.device.ignore_disable = true;
  rig.device.reset = HookedTransport::Reset::kUnavailable;
  const size_t freed_before = rig.device.freed.size();
  EXPECT_EQ(capture_error([&] { rig.controller->create_io_queue_pair(1, 16); }).kind(), ErrorKind::kCommandTimeout);
  EXPECT_TRUE(rig.controller->unusable());
  rig.controller = std::nullopt;
  EXPECT_EQ(rig.device.freed.size(), freed_before);
  EXPECT_TRUE(rig.sim.violations().empty()) << violations_text(rig.sim);
}

TEST(StuckController, KeepsTheMemoryOfARawCreate) {
  HookedRig rig(without_nssr(profile_with(sim::DropCompletionFault{admin_opcode(spec::AdminOpcode::kCreateIoCq)})),
                short_timeout());
  rig.controller->reset();
  rig.controller->set_number_of_queues(2, 2);
  rig.device.ignore_disable = true;
  rig.device.reset = HookedTransport::Reset::kUnavailable;
  const size_t freed_before = rig.device.freed.size();
  CreateQueueRequest request;
  request.entries = 8;
  EXPECT_EQ(capture_error([&] { rig.controller->create_io_cq(request); }).kind(), ErrorKind::kCommandTimeout);
  rig.controller = std::nullopt;
  EXPECT_EQ(rig.device.freed.size(), freed_before);
  EXPECT_TRUE(rig.sim.violations().empty()) << violations_text(rig.sim);
}

// The same device with a working function-level reset: the reset stops it, so
// the memory is released and the controller can be brought up again.
TEST(StuckController, AWorkingFunctionResetCountsAsStopped) {
  HookedRig rig(profile_with(sim::DropCompletionFault{every_io_read()}), short_timeout());
  rig.controller->reset();
  rig.controller->identify_controller();
  rig.controller->set_number_of_queues(1, 1);
  QueuePair& queue = rig.controller->create_io_queue_pair(1, 16);
  DmaBuffer buffer(rig.device, 4096);
  rig.device.ignore_disable = true;
  EXPECT_EQ(capture_error([&] {
              rig.controller->read(queue, ReadRequest{1, 0, 1, 512}, buffer);
            }).kind(),
            ErrorKind::kCommandTimeout);
  EXPECT_FALSE(rig.controller->unusable());
  EXPECT_FALSE(buffer.empty()) << "a stopped controller leaves the caller's buffer alone";
  EXPECT_EQ(rig.controller->quarantined_bytes(), 0u);
  EXPECT_GE(rig.device.freed.size(), 4u) << "admin and I/O rings released";
  rig.device.ignore_disable = false;
  rig.controller->reset();
  rig.controller->identify_controller();
  EXPECT_TRUE(rig.sim.violations().empty()) << violations_text(rig.sim);
}

// If anything fails between the first register reads and EN=1 being written,
// enabled() must not report a controller that was never enabled.
TEST(EnableOrdering, AFailureBeforeEnNeverLeavesEnabledTrue) {
  HookedRig rig(sim::default_profile());
  rig.controller->disable();
  int cap_reads = 0;
  // CAP reads all ones from the second read on: enable() reads it once to
  // plan, once after programming CC.
  rig.device.on_read = [&](uint32_t offset, uint64_t value) {
    return offset == spec::reg::kCap && ++cap_reads >= 2 ? spec::kAllOnes64 : value;
  };
  const DriverError error = capture_error([&] { rig.controller->enable(); });
  EXPECT_EQ(error.kind(), ErrorKind::kDeviceGone) << error.what();
  EXPECT_FALSE(rig.controller->enabled());
  EXPECT_EQ(spec::Cc{rig.sim.read32(spec::reg::kCc)}.en(), 0u);
  rig.device.on_read = nullptr;
  rig.controller->enable();  // and the controller can still be brought up
  rig.controller->identify_controller();
  EXPECT_TRUE(rig.sim.violations().empty()) << violations_text(rig.sim);
}

// NVMe Base 2.0, 3.5.1: CAP may change after the first CC write. Here CAP.TO is 1
// (500 ms) until CC is written and 20 (10 s) after, and MQES drops to 15; the
// device needs 3 s to become ready. The re-read values must rule.
TEST(EnableOrdering, CapIsReadAgainAfterProgrammingCc) {
  sim::Profile profile = sim::default_profile();
  profile.registers.crms = 0;  // CAP.TO alone bounds the wait
  profile.timing.ready_latency = 3s;
  ControllerOptions options;
  options.ready_slack = 0ms;
  HookedRig rig(profile, options);
  rig.device.on_read = [&](uint32_t offset, uint64_t value) {
    if (offset != spec::reg::kCap) return value;
    const bool written = rig.device.cc_writes != 0;
    return spec::Cap{value}.set_to(written ? 20 : 1).set_mqes(written ? 15 : 1023).raw;
  };
  const Transition enable = rig.controller->reset();
  EXPECT_EQ(enable.bound, 10s);
  EXPECT_GE(enable.latency, 3s);
  rig.controller->identify_controller();
  rig.controller->set_number_of_queues(1, 1);
  const DriverError error = capture_error([&] { rig.controller->create_io_queue_pair(1, 32); });
  EXPECT_THAT(error.what(), HasSubstr("outside 2..16")) << "MQES from the re-read CAP";
  rig.controller->create_io_queue_pair(1, 16);
  EXPECT_TRUE(rig.sim.violations().empty()) << violations_text(rig.sim);
}

}  // namespace
}  // namespace nvqual
