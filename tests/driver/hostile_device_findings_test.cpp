// Driver bugs the hostile simulator (tests/robustness) found, each pinned by
// a test that lies the same way on purpose.
#include <gtest/gtest.h>

#include "support/hooked_transport.hpp"
#include "support/refusing_transport.hpp"
#include "support/sim_rig.hpp"

namespace nvqual {
namespace {

using testing_support::capture_error;
using testing_support::violations_text;

// Found with hostile seeds 7, 11, 77 (a CAP read with DSTRD=15): the driver
// rang CQ 0's head doorbell at 0x21000, 128 KiB past a 16 KiB BAR0.
TEST(HostileDeviceFindings, ADoorbellStridePastBar0IsRefusedBeforeAnyDoorbellIsRung) {
  VirtualClock clock;
  sim::SimulatedController sim(sim::default_profile(), sim::Mode::kInline, clock);
  testing_support::HookedTransport lying(sim);
  lying.on_read = [](uint32_t offset, uint64_t value) {
    return offset == spec::reg::kCap ? spec::Cap{value}.set_dstrd(15).raw : value;
  };
  {
    Controller controller(lying, {}, clock);
    const DriverError error = capture_error([&] { controller.reset(); });
    EXPECT_EQ(error.kind(), ErrorKind::kProtocolViolation) << error.what();
    EXPECT_NE(std::string(error.what()).find("past BAR0"), std::string::npos) << error.what();
  }
  EXPECT_TRUE(sim.violations().empty()) << violations_text(sim);
  EXPECT_EQ(sim.mapped_regions(), 0u);
}

// Found with hostile seeds 59, 156, 194: a Create I/O CQ the device carried
// out but reported refused; the driver freed the ring the CQ still pointed at.
TEST(HostileDeviceFindings, ARefusedCreateIoCqKeepsItsRingUntilTheControllerIsDisabled) {
  VirtualClock clock;
  sim::SimulatedController sim(sim::default_profile(), sim::Mode::kInline, clock);
  testing_support::RefusingTransport refusing(sim, static_cast<uint8_t>(spec::AdminOpcode::kCreateIoCq),
                                              spec::status::kInvalidField);
  {
    Controller controller(refusing, {}, clock);
    controller.reset();
    controller.set_number_of_queues(1, 1);
    const DriverError error = capture_error([&] { controller.create_io_queue_pair(1, 16); });
    EXPECT_EQ(error.kind(), ErrorKind::kCommandFailed) << error.what();
    EXPECT_EQ(refusing.refused, 1);
    EXPECT_TRUE(sim.violations().empty()) << violations_text(sim);  // nothing freed under the live CQ
    controller.disable();
  }
  EXPECT_TRUE(sim.violations().empty()) << violations_text(sim);
  EXPECT_EQ(sim.mapped_regions(), 0u);
}

}  // namespace
}  // namespace nvqual
