// Soak: what a long qualification run does to the process. The whole shipped
// suite set 50 times against one simulator, and a million reads through one
// queue pair. Resident memory, open descriptors and DMA memory must come back
// to the level after a warm-up (allocator pools, static tables and the first
// run's lazily built state are not leaks), within the slack below. Not a timed
// assertion: the figures are printed (docs/robustness.md records them).
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include <gtest/gtest.h>

#include "harness/support/recording_listener.hpp"
#include "harness/support/sim_run.hpp"
#include "nvqual/driver/controller.hpp"
#include "nvqual/driver/dma_buffer.hpp"
#include "nvqual/harness/json_reporter.hpp"
#include "nvqual/harness/junit_reporter.hpp"
#include "nvqual/harness/runner.hpp"
#include "nvqual/sim/profile.hpp"
#include "nvqual/sim/simulated_controller.hpp"
#include "support/resource_usage.hpp"

namespace nvqual::soak {
namespace {

// Resident memory may grow this much past the warm-up level: heap
// fragmentation and the allocator's arenas, not a leak. A leak of one
// CaseResult (its details and command log, several KiB) per case would pass
// 8 MiB within the 50 runs x ~100 cases.
constexpr uint64_t kResidentSlack = 8ull << 20;
constexpr int kSuiteRuns = 50;
constexpr uint64_t kReads = 1'000'000;

harness::RunSummary run_once(CountingTransport& transport, VirtualClock& clock,
                             const std::vector<harness::Suite>& suites, const std::filesystem::path& stem) {
  harness::testing::RecordingListener listener;
  harness::JunitReporter junit(stem.string() + ".xml");
  harness::JsonReporter json(stem.string() + ".json");
  harness::ListenerRepeater repeater;
  repeater.add(listener);
  repeater.add(junit);
  repeater.add(json);
  harness::Runner runner(transport, clock, harness::testing::quick_options(), repeater);
  return runner.run(suites);
}

TEST(Soak, FiftyRunsOfEverySuiteLeaveMemoryDescriptorsAndDmaWhereTheyStarted) {
  const auto suites = harness::testing::shipped_suites();
  VirtualClock clock;
  sim::SimulatedController simulator(sim::default_profile(), sim::Mode::kInline, clock);
  CountingTransport transport(simulator);
  const auto stem = std::filesystem::temp_directory_path() / ("nvqual-soak-" + std::to_string(::getpid()));

  const ResourceUsage before = measure(transport);
  ASSERT_EQ(exit_code_for(run_once(transport, clock, suites, stem)), 0);  // warm-up
  const ResourceUsage warm = measure(transport);
  ResourceUsage peak = warm;
  for (int run = 1; run < kSuiteRuns; ++run) {
    const harness::RunSummary summary = run_once(transport, clock, suites, stem);
    ASSERT_EQ(exit_code_for(summary), 0) << "run " << run + 1;
    const ResourceUsage now = measure(transport);
    // DMA and descriptors: exactly back, after every run.
    ASSERT_EQ(now.dma_regions, 0) << "run " << run + 1 << ": " << now.describe();
    ASSERT_EQ(now.dma_bytes, 0);
    ASSERT_EQ(simulator.mapped_regions(), 0u);
    ASSERT_EQ(now.open_fds, warm.open_fds) << "run " << run + 1 << ": " << now.describe();
    peak.resident_bytes = std::max(peak.resident_bytes, now.resident_bytes);
  }
  const ResourceUsage after = measure(transport);
  std::printf(
      "soak figures: %d runs of %zu suites, %llu DMA allocations; before %s; after warm-up %s; after %s; "
      "peak RSS %.1f MiB\n",
      kSuiteRuns, suites.size(), static_cast<unsigned long long>(transport.allocations()), before.describe().c_str(),
      warm.describe().c_str(), after.describe().c_str(), peak.resident_bytes / 1048576.0);
  EXPECT_LE(after.resident_bytes, warm.resident_bytes + kResidentSlack)
      << "resident memory grew from " << warm.describe() << " to " << after.describe();
  EXPECT_EQ(simulator.violations().size(), size_t{kSuiteRuns}) << "one on-purpose violation (IOQ-020) per run";
  std::filesystem::remove(stem.string() + ".xml");
  std::filesystem::remove(stem.string() + ".json");
}

TEST(Soak, AMillionReadsThroughOneQueuePairAllocateNothingAndKeepTheCommandLogBounded) {
  VirtualClock clock;
  sim::SimulatedController simulator(sim::default_profile(), sim::Mode::kInline, clock);
  CountingTransport transport(simulator);
  const uint64_t fds_before = open_fds();
  {
    Controller controller(transport, {}, clock);
    controller.reset();
    controller.identify_controller();
    controller.set_number_of_queues(1, 1);
    QueuePair& queue = controller.create_io_queue_pair(1, 64);
    const auto lba_size = static_cast<uint32_t>(controller.identify_namespace(1).lba_size());
    DmaBuffer buffer(transport, 4096);
    ReadRequest request{1, 0, 4096 / lba_size, lba_size};
    const uint64_t blocks = simulator.profile().namespaces.at(0).size_blocks;
    const size_t log_capacity = controller.command_log().capacity();

    const auto read_n = [&](uint64_t n) {
      for (uint64_t i = 0; i < n; ++i) {
        const ReadResult result = controller.read(queue, request, buffer);
        ASSERT_TRUE(result.ok()) << "read " << i << ": " << result.completion.status().describe();
        request.slba = (request.slba + request.blocks) % (blocks - request.blocks);
      }
    };
    read_n(10'000);  // warm-up
    const ResourceUsage warm = measure(transport);
    const uint64_t allocations = transport.allocations();
    read_n(kReads - 10'000);
    const ResourceUsage after = measure(transport);
    std::printf(
        "soak figures: %llu reads of 4 KiB through one queue pair; after warm-up %s; after %s; command log "
        "%zu of %zu records\n",
        static_cast<unsigned long long>(kReads), warm.describe().c_str(), after.describe().c_str(),
        controller.command_log().records().size(), log_capacity);
    EXPECT_EQ(transport.allocations(), allocations) << "the read path allocated DMA memory";
    EXPECT_EQ(after.dma_bytes, warm.dma_bytes);
    EXPECT_EQ(after.open_fds, warm.open_fds);
    EXPECT_LE(after.resident_bytes, warm.resident_bytes + kResidentSlack)
        << "resident memory grew from " << warm.describe() << " to " << after.describe();
    EXPECT_EQ(controller.command_log().capacity(), log_capacity);
    EXPECT_LE(controller.command_log().records().size(), log_capacity);
    EXPECT_TRUE(controller.command_log().failures().empty());
  }
  // The controller gone, all it held is back.
  EXPECT_EQ(transport.live_regions(), 0);
  EXPECT_EQ(simulator.mapped_regions(), 0u);
  EXPECT_EQ(open_fds(), fds_before);
  EXPECT_TRUE(simulator.violations().empty()) << ::testing::PrintToString(simulator.violations());
}

}  // namespace
}  // namespace nvqual::soak
