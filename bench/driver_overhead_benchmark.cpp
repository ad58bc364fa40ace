// The driver's own cost per command, without a simulator's: a QueuePair against
// an "echo" device that completes every command inside the SQ doorbell write,
// moving no data and taking no locks. What remains per read is what nvqual
// does: build the Read, allocate a CID, store the entry, log it, ring, poll,
// check the completion (phase, SQID, SQHD, CID) and ring the CQ head.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include <benchmark/benchmark.h>

#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/queue_pair.hpp"
#include "echo_queues.hpp"
#include "thread_cpu.hpp"

namespace {

using namespace nvqual;

// The echo queues (echo_queues.hpp) with DMA memory whose IOVA is its host address.
class EchoDevice final : public Transport {
 public:
  uint32_t read32(uint32_t) override { return 0; }
  uint64_t read64(uint32_t) override { return 0; }
  void write64(uint32_t, uint64_t) override {}
  void write32(uint32_t offset, uint32_t value) override { queues.doorbell(offset, value); }
  DmaRegion dma_alloc(size_t size, size_t alignment) override {
    const size_t rounded = (size + alignment - 1) / alignment * alignment;
    auto* memory = static_cast<std::byte*>(std::aligned_alloc(alignment, rounded));
    std::memset(memory, 0, rounded);
    return DmaRegion{memory, reinterpret_cast<uint64_t>(memory), rounded};
  }
  void dma_free(const DmaRegion& region) noexcept override { std::free(region.host); }
  std::string name() const override { return "echo"; }
  bool is_simulator() const override { return true; }

  bench::EchoQueues queues;
};

using bench::thread_cpu_ns;

void BM_DriverOverheadPerRead(benchmark::State& state) {
  const auto depth = static_cast<uint32_t>(state.range(0));
  EchoDevice device;
  CommandLog log(256);
  QueuePair queue(device, SteadyClock::instance(), &log, QueueGeometry{1, depth + 1, depth + 1, 4, 4096});
  device.queues.attach(1, reinterpret_cast<std::byte*>(queue.sq_iova()), reinterpret_cast<std::byte*>(queue.cq_iova()),
                       depth + 1, 4);

  uint64_t completed = 0;
  uint64_t lba = 0;
  const double cpu_start = thread_cpu_ns();
  for (auto _ : state) {
    while (!queue.full()) {
      spec::SubmissionEntry sqe = cmd::read(1, lba++, 8);
      sqe.prp1 = 0x100000000ull;
      queue.post(sqe);
    }
    queue.ring();
    completed += queue.poll([](const spec::CompletionEntry& cqe) { benchmark::DoNotOptimize(cqe); });
  }
  const double cpu_ns = thread_cpu_ns() - cpu_start;
  state.counters["IOPS"] = benchmark::Counter(static_cast<double>(completed), benchmark::Counter::kIsRate);
  state.counters["driver_cpu_ns_per_io"] = completed == 0 ? 0.0 : cpu_ns / static_cast<double>(completed);
}

BENCHMARK(BM_DriverOverheadPerRead)->ArgName("qd")->Arg(1)->Arg(32)->Arg(128)->UseRealTime();

}  // namespace
