// The stop ladder on its own (driver/src/stop_ladder.hpp), on the hooked
// transport in front of the simulator: which rung stops which device, that
// memory the device can reach is freed only once a stop is confirmed, and
// what is given up (and counted) when nothing stops it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "queue_memory.hpp"
#include "stop_ladder.hpp"
#include "support/hooked_transport.hpp"
#include "support/sim_rig.hpp"

namespace nvqual {
namespace {

using ::testing::HasSubstr;
using testing_support::HookedTransport;
using testing_support::violations_text;
using namespace std::chrono_literals;

sim::Profile with_nssr(bool nssrs) {
  sim::Profile profile = sim::default_profile();
  profile.registers.nssrs = nssrs;
  return profile;
}

// A simulator brought up by hand (the Controller is not under test here), its
// admin rings in `queues`, and a ladder over both.
struct LadderRig {
  explicit LadderRig(sim::Profile profile)
      : sim(std::move(profile), sim::Mode::kInline, clock), device(sim), ladder(device, clock, queues, 500ms) {}

  void enable() {
    const spec::Cap cap{device.read64(spec::reg::kCap)};
    queues.admin = std::make_unique<QueuePair>(device, clock, nullptr,
                                               QueueGeometry{0, 2, 2, cap.doorbell_stride_bytes(), 4096});
    device.write32(spec::reg::kAqa, spec::Aqa::for_entries(2, 2).raw);
    device.write64(spec::reg::kAsq, queues.admin->sq_iova());
    device.write64(spec::reg::kAcq, queues.admin->cq_iova());
    const uint32_t css = cap.supports_io_command_sets() ? spec::Cc::kCssAllIoSets : spec::Cc::kCssNvm;
    const spec::Cc cc = spec::Cc{}
                            .set_css(css)
                            .set_mps(static_cast<uint32_t>(cap.mpsmin()))
                            .set_ams(spec::Cc::kAmsRoundRobin)
                            .set_iosqes(spec::Cc::kSqEntrySizeLog2)
                            .set_iocqes(spec::Cc::kCqEntrySizeLog2);
    device.write32(spec::reg::kCc, cc.raw);
    device.write32(spec::reg::kCc, cc.set_en(1).raw);
    for (int i = 0; i < 10000 && spec::Csts{device.read32(spec::reg::kCsts)}.rdy() == 0; ++i) clock.pause(1ms);
    ASSERT_EQ(spec::Csts{device.read32(spec::reg::kCsts)}.rdy(), 1u) << violations_text(sim);
    rings = {queues.admin->sq_iova(), queues.admin->cq_iova()};
    ring_bytes = queues.admin->memory_bytes();
  }

  bool any_ring_freed() const { return device.was_freed(rings[0]) || device.was_freed(rings[1]); }

  VirtualClock clock;
  sim::SimulatedController sim;
  HookedTransport device;
  detail::QueueMemory queues;
  detail::StopLadder ladder;
  std::vector<uint64_t> rings;
  size_t ring_bytes = 0;
};

TEST(StopLadder, ADeviceThatHonoursEnZeroIsStoppedByTheFirstRung) {
  LadderRig rig(with_nssr(false));
  ASSERT_NO_FATAL_FAILURE(rig.enable());
  EXPECT_TRUE(rig.ladder.cc_enabled());

  EXPECT_TRUE(rig.ladder.disable_after_failure(detail::InFlight{}, ControllerState::kReady));
  EXPECT_EQ(spec::Csts{rig.sim.read32(spec::reg::kCsts)}.rdy(), 0u);
  EXPECT_FALSE(rig.ladder.cc_enabled());
  EXPECT_FALSE(rig.queues.admin) << "the queues are dropped once the stop is confirmed";
  EXPECT_TRUE(rig.any_ring_freed());
  EXPECT_FALSE(rig.ladder.unusable());
  EXPECT_EQ(rig.ladder.quarantined_bytes(), 0u);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

// EN=0 ignored: the function-level reset is the rung that stops it, and only
// then is the memory released.
TEST(StopLadder, AFunctionLevelResetStopsADeviceThatIgnoresEnZero) {
  LadderRig rig(with_nssr(false));
  ASSERT_NO_FATAL_FAILURE(rig.enable());
  rig.device.ignore_disable = true;

  EXPECT_TRUE(rig.ladder.disable_after_failure(detail::InFlight{}, ControllerState::kReady));
  EXPECT_EQ(spec::Csts{rig.sim.read32(spec::reg::kCsts)}.rdy(), 0u);
  EXPECT_TRUE(rig.any_ring_freed());
  EXPECT_FALSE(rig.ladder.unusable());
  EXPECT_THAT(rig.ladder.escalation_note(), HasSubstr("stopped it"));
  EXPECT_NO_VIOLATIONS(rig.sim);
}

// EN=0 ignored and the function-level reset failing: NSSR, offered by CAP.NSSRS, is the last rung.
TEST(StopLadder, AnNvmSubsystemResetIsTheLastRung) {
  LadderRig rig(with_nssr(true));
  ASSERT_NO_FATAL_FAILURE(rig.enable());
  rig.device.ignore_disable = true;
  rig.device.reset = HookedTransport::Reset::kFails;

  EXPECT_TRUE(rig.ladder.disable_after_failure(detail::InFlight{}, ControllerState::kReady));
  EXPECT_EQ(spec::Csts{rig.sim.read32(spec::reg::kCsts)}.rdy(), 0u);
  EXPECT_EQ(spec::Cc{rig.sim.read32(spec::reg::kCc)}.en(), 0u);
  EXPECT_FALSE(rig.ladder.unusable());
  EXPECT_TRUE(rig.any_ring_freed());
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(StopLadder, NoSubsystemResetWhereCapDoesNotOfferOne) {
  LadderRig rig(with_nssr(false));
  ASSERT_NO_FATAL_FAILURE(rig.enable());
  EXPECT_FALSE(rig.ladder.subsystem_reset());
  EXPECT_EQ(spec::Csts{rig.sim.read32(spec::reg::kCsts)}.rdy(), 1u) << "nothing was reset";
  EXPECT_TRUE(rig.queues.admin) << "a rung that did not run drops nothing";
}

// Nothing stops it: the rings, the in-flight data and its PRP list are given
// up unfreed and counted, and the reason says what to do.
TEST(StopLadder, WhenNoRungWorksEveryReachableBufferIsGivenUpAndCounted) {
  LadderRig rig(with_nssr(false));
  ASSERT_NO_FATAL_FAILURE(rig.enable());
  rig.device.ignore_disable = true;
  rig.device.reset = HookedTransport::Reset::kUnavailable;
  DmaBuffer data(rig.device, 3 * 4096);
  detail::PrpLists lists{DmaBuffer(rig.device, 4096, 4096)};
  const uint64_t data_iova = data.iova();
  const uint64_t list_iova = lists.pages.iova();
  const size_t freed_before = rig.device.freed.size();

  EXPECT_FALSE(rig.ladder.disable_after_failure(detail::InFlight{&data, std::span<detail::PrpLists>(&lists, 1)},
                                                ControllerState::kReady));
  EXPECT_TRUE(rig.ladder.unusable());
  EXPECT_EQ(rig.ladder.quarantined_bytes(), rig.ring_bytes + 3 * 4096 + 4096);
  EXPECT_THAT(std::string(rig.ladder.unusable_reason()), HasSubstr("could not be stopped"));
  EXPECT_THAT(rig.ladder.escalation_note(), HasSubstr("did not stop it either"));
  EXPECT_TRUE(data.empty()) << "the data buffer is taken over so its owner cannot free it";
  EXPECT_FALSE(rig.queues.admin) << "the queue objects go, their memory does not";
  EXPECT_EQ(rig.device.freed.size(), freed_before) << "nothing the device can reach was freed";
  EXPECT_FALSE(rig.any_ring_freed());
  EXPECT_FALSE(rig.device.was_freed(data_iova));
  EXPECT_FALSE(rig.device.was_freed(list_iova));
  EXPECT_EQ(spec::Cc{rig.sim.read32(spec::reg::kCc)}.en(), 1u) << "the device really is still enabled";
  EXPECT_NO_VIOLATIONS(rig.sim);
}

// A device that reads all ones cannot be told EN=0 or be seen to stop: the
// ladder does not take it for stopped, and cc_enabled() does not take all
// ones for EN=1.
TEST(StopLadder, AllOnesRegistersAreNeverTakenForAStop) {
  LadderRig rig(with_nssr(true));
  ASSERT_NO_FATAL_FAILURE(rig.enable());
  rig.device.on_read = [](uint32_t, uint64_t) { return ~uint64_t{0}; };
  rig.device.reset = HookedTransport::Reset::kUnavailable;
  EXPECT_FALSE(rig.ladder.cc_enabled());
  EXPECT_FALSE(rig.ladder.disable_after_failure(detail::InFlight{}, ControllerState::kReady));
  EXPECT_TRUE(rig.ladder.unusable());
  EXPECT_FALSE(rig.any_ring_freed());
  rig.device.on_read = nullptr;
}

// Every member is noexcept: the ladder runs while errors unwind and in destructors.
static_assert(noexcept(std::declval<detail::StopLadder&>().disable_after_failure(detail::InFlight{},
                                                                                 ControllerState::kReady)));
static_assert(noexcept(std::declval<detail::StopLadder&>().escalate_reset(detail::InFlight{})));
static_assert(noexcept(std::declval<detail::StopLadder&>().subsystem_reset()));
static_assert(noexcept(std::declval<detail::StopLadder&>().cc_enabled()));
static_assert(noexcept(std::declval<detail::StopLadder&>().abandon_memory(detail::InFlight{})));
static_assert(noexcept(std::declval<const detail::StopLadder&>().escalation_note()));

}  // namespace
}  // namespace nvqual
