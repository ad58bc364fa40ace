// emergency_disable(): the stop before std::_Exit. It must leave CC.EN=0 and
// DMA stopped, free nothing (another thread may still use the memory, and
// the process exit takes it anyway) and wait at most once, bounded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/emergency_stop.hpp"
#include "support/hooked_rig.hpp"
#include "support/sim_rig.hpp"

namespace nvqual {
namespace {

using testing_support::HookedRig;
using testing_support::profile_with;
using namespace std::chrono_literals;

spec::Cc device_cc(sim::SimulatedController& sim) { return spec::Cc{sim.read32(spec::reg::kCc)}; }

TEST(EmergencyDisable, ClearsEnStopsDmaAndFreesNothing) {
  sim::Profile profile = sim::default_profile();
  profile.timing.disable_latency = 1500ms;  // the one wait is for this
  HookedRig rig(profile);
  Controller& c = *rig.controller;
  c.reset();
  c.identify_controller();
  c.set_number_of_queues(1, 1);
  QueuePair& queue = c.create_io_queue_pair(1, 16);
  const uint64_t rings[] = {c.admin_queue().sq_iova(), c.admin_queue().cq_iova(), queue.sq_iova(), queue.cq_iova()};
  const size_t freed_before = rig.device.freed.size();
  const auto start = rig.clock.now();

  EXPECT_TRUE(c.emergency_disable());
  EXPECT_GE(rig.clock.now() - start, 1500ms) << "RDY=0 was waited for";
  EXPECT_EQ(device_cc(rig.sim).en(), 0u);
  EXPECT_EQ(c.csts().rdy(), 0u);
  EXPECT_EQ(rig.device.dma_stops, 1u);
  EXPECT_EQ(rig.device.cc_writes_after_dma_stop, 0u) << "EN=0 is written before DMA is cut";
  EXPECT_EQ(rig.device.freed.size(), freed_before) << "emergency_disable freed memory";
  for (uint64_t iova : rings) EXPECT_FALSE(rig.device.was_freed(iova));
  EXPECT_TRUE(c.enabled()) << "the Controller object is left alone (another thread may be inside it)";
}

// A controller still coming up is disabled at once: no waiting for RDY=1 first.
TEST(EmergencyDisable, DoesNotWaitForAControllerComingUp) {
  HookedRig rig(profile_with(sim::NeverReadyFault{}));
  DmaBuffer asq(rig.sim, 4096), acq(rig.sim, 4096);
  rig.sim.write32(spec::reg::kAqa, spec::Aqa::for_entries(2, 2).raw);
  rig.sim.write64(spec::reg::kAsq, asq.iova());
  rig.sim.write64(spec::reg::kAcq, acq.iova());
  rig.sim.write32(spec::reg::kCc, spec::Cc{}.set_iosqes(6).set_iocqes(4).set_en(1).raw);
  const auto start = rig.clock.now();
  EXPECT_TRUE(emergency_disable(rig.device, rig.clock));
  EXPECT_LT(rig.clock.now() - start, 1s);
  EXPECT_EQ(device_cc(rig.sim).en(), 0u);
}

// A device that ignores EN=0: one wait, ended by CAP.TO, then it gives up.
TEST(EmergencyDisable, OneBoundedWaitOnADeviceThatIgnoresIt) {
  sim::Profile profile = sim::default_profile();
  profile.registers.to = 4;    // 2 s
  profile.registers.crms = 0;  // CAP.TO alone
  HookedRig rig(profile);
  rig.controller->reset();
  rig.device.ignore_disable = true;
  rig.device.reset = testing_support::HookedTransport::Reset::kUnavailable;
  const size_t freed_before = rig.device.freed.size();
  const uint64_t cc_writes_before = rig.device.cc_writes;
  const auto start = rig.clock.now();
  EXPECT_FALSE(rig.controller->emergency_disable());
  const auto waited = rig.clock.now() - start;
  EXPECT_GE(waited, 2s);
  EXPECT_LT(waited, 3s);
  EXPECT_EQ(rig.device.cc_writes, cc_writes_before + 1) << "one EN=0 write: no retries, no escalation";
  EXPECT_EQ(rig.device.dma_stops, 1u);
  EXPECT_EQ(rig.device.freed.size(), freed_before);
  rig.device.ignore_disable = false;  // let the rig's teardown stop it
}

}  // namespace
}  // namespace nvqual
