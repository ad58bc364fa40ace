// The slow-completion fault: a matching command completes `delay` after its
// fetch on the simulator's Clock, as a device retrying internally past the
// Error Recovery feature's TLER (NVMe Base 2.0, 5.27.1.5). A VirtualClock
// makes the delay exact and instant; other commands complete at once.
#include <gtest/gtest.h>

#include "nvqual/driver/commands.hpp"
#include "nvqual/sim/profile.hpp"
#include "support/raw_host.hpp"

namespace nvqual::sim_test {
namespace {

using namespace std::chrono_literals;

constexpr uint8_t kRead = 0x02;

sim::SlowCompletionFault slow_read_of(uint32_t slba, std::chrono::microseconds delay) {
  sim::SlowCompletionFault f;
  f.match.queue = sim::QueueKind::kIo;
  f.match.opcode = kRead;
  f.match.dwords.push_back({.index = 10, .value = slba});
  f.delay = delay;
  return f;
}

// The clock time one Read of `slba` takes, submission to completion.
std::chrono::nanoseconds read_latency(Rig& rig, Ring& io, const DmaBuffer& buffer, uint64_t slba) {
  const auto start = rig.clock.now();
  const spec::CompletionEntry cqe = rig.host.execute(io, cmd::read(1, slba, 1), buffer);
  EXPECT_TRUE(cqe.status().ok()) << code(cqe);
  return rig.clock.now() - start;
}

TEST(SlowCompletionFault, OnlyTheMatchingReadCompletesLate) {
  Rig rig(default_with(slow_read_of(0x1238, 3s)));
  rig.host.bring_up();
  Ring io = rig.host.create_io_pair(1, 16);
  DmaBuffer buffer(rig.sim, 4096);
  EXPECT_LT(read_latency(rig, io, buffer, 0x1237), 1ms);
  EXPECT_GE(read_latency(rig, io, buffer, 0x1238), 3s);
  EXPECT_LT(read_latency(rig, io, buffer, 0x1239), 1ms);
  EXPECT_GE(read_latency(rig, io, buffer, 0x1238), 3s);  // nth 0: every time
  rig.host.delete_io_pair(io);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(SlowCompletionFault, ParsesFromAProfile) {
  const sim::Profile p = fixture("faults/harness-slow-read-completion.yaml");
  ASSERT_EQ(p.faults.size(), 1u);
  const auto& f = std::get<sim::SlowCompletionFault>(p.faults[0]);
  EXPECT_EQ(f.delay, 3s);
  EXPECT_EQ(f.match.opcode, kRead);
  ASSERT_EQ(f.match.dwords.size(), 2u);
  EXPECT_EQ(f.match.dwords[0].value, 0x1238u);
}

}  // namespace
}  // namespace nvqual::sim_test
