// nvqual perf's data path, IoEngine, against the echo device (echo_queues.hpp):
// 4 KiB random Reads at QD 1, 32 and 128 on 1 and 2 queue pairs, one thread
// each, as `nvqual perf --queues N` runs them. The inline simulator brings the
// controller up and creates the queues (admin commands only); every I/O
// doorbell then goes to the echo queues, which complete inside the write, so
// the thread's CPU time per I/O is the driver's own cost, comparable with
// BM_DriverOverheadPerRead (raw queue use) in the same run.
//
// Steady state allocates nothing (issue 9): each thread counts its own heap
// allocations (operator new below, this binary only) and transport DMA
// allocations during the measured runs, and the benchmark fails if either is
// not zero.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "echo_queues.hpp"
#include "nvqual/driver/controller.hpp"
#include "nvqual/driver/io_engine.hpp"
#include "nvqual/driver/latency_histogram.hpp"
#include "nvqual/sim/profile.hpp"
#include "nvqual/sim/simulated_controller.hpp"
#include "thread_cpu.hpp"

namespace {
// Heap allocations made by the calling thread (operator new is replaceable
// program-wide; the array and nothrow forms forward to the plain one, the
// over-aligned forms have their own replacement below).
thread_local uint64_t t_heap_allocations = 0;
thread_local uint64_t t_dma_allocations = 0;
}  // namespace

void* operator new(std::size_t size) {
  ++t_heap_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, std::align_val_t alignment) {
  ++t_heap_allocations;
  const auto align = static_cast<std::size_t>(alignment);
  if (void* p = std::aligned_alloc(align, (size + align - 1) / align * align)) return p;
  throw std::bad_alloc();
}
// g++ 12 in release sees malloc's pointer reach free through the inlined
// replacement and calls it mismatched; the pair is matched by construction.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace {

using namespace nvqual;

// The simulator for everything but the I/O queues' doorbells, which the echo
// queues answer. DMA memory is the simulator's; its regions are remembered
// (set-up only) so the echo can reach the rings by host address.
class EchoOverSimulator final : public Transport {
 public:
  EchoOverSimulator() : sim_(sim::default_profile(), sim::Mode::kInline) {}
  uint32_t read32(uint32_t offset) override { return sim_.read32(offset); }
  uint64_t read64(uint32_t offset) override { return sim_.read64(offset); }
  void write32(uint32_t offset, uint32_t value) override {
    if (!echo_.doorbell(offset, value)) sim_.write32(offset, value);
  }
  void write64(uint32_t offset, uint64_t value) override { sim_.write64(offset, value); }
  DmaRegion dma_alloc(size_t size, size_t alignment) override {
    ++t_dma_allocations;
    const std::lock_guard lock(mutex_);  // two threads may set up engines at once
    const DmaRegion region = sim_.dma_alloc(size, alignment);
    regions_.push_back(region);
    return region;
  }
  void dma_free(const DmaRegion& region) noexcept override {
    const std::lock_guard lock(mutex_);
    std::erase_if(regions_, [&](const DmaRegion& r) { return r.iova == region.iova; });
    sim_.dma_free(region);
  }
  void dma_returned(const DmaRegion& piece) noexcept override {
    const std::lock_guard lock(mutex_);
    sim_.dma_returned(piece);
  }
  uint64_t bar0_size() const override { return sim_.bar0_size(); }
  std::string name() const override { return "echo over simulator"; }
  bool is_simulator() const override { return true; }

  // From now on the queue's doorbells go to the echo, not the simulator.
  void echo_queue(const QueuePair& queue) {
    const QueueGeometry& g = queue.geometry();
    echo_.attach(g.qid, host_of(queue.sq_iova()), host_of(queue.cq_iova()), g.sq_entries, g.doorbell_stride);
  }

 private:
  std::byte* host_of(uint64_t iova) {
    const std::lock_guard lock(mutex_);
    for (const DmaRegion& r : regions_) {
      if (iova >= r.iova && iova < r.iova + r.size) return r.host + (iova - r.iova);
    }
    throw std::runtime_error(fmt::format("IOVA {:#x} is in no DMA region", iova));
  }

  sim::SimulatedController sim_;
  bench::EchoQueues echo_;
  std::mutex mutex_;
  std::vector<DmaRegion> regions_;
};

constexpr uint16_t kMaxQueues = 2;

// One controller with kMaxQueues echoed queue pairs of QD + 1 entries (as
// `nvqual perf` sizes them), each with its own command log as perf gives
// every thread one. Made once per QD and kept for every run.
struct EngineRig {
  explicit EngineRig(uint32_t depth) : controller(device) {
    controller.reset();
    controller.identify_controller();
    controller.set_number_of_queues(kMaxQueues, kMaxQueues);
    lba_size = static_cast<uint32_t>(controller.identify_namespace(1).lba_size());
    nsze = controller.identify_namespace(1).nsze;
    for (uint16_t i = 0; i < kMaxQueues; ++i) {
      queues[i] = &controller.create_io_queue_pair(static_cast<uint16_t>(i + 1), depth + 1);
      logs[i] = std::make_unique<CommandLog>(ControllerOptions{}.command_log_entries);
      queues[i]->set_command_log(logs[i].get());
      device.echo_queue(*queues[i]);
    }
  }

  static EngineRig& for_depth(uint32_t depth) {
    static std::mutex mutex;
    static std::map<uint32_t, std::unique_ptr<EngineRig>> rigs;
    const std::lock_guard lock(mutex);
    auto& rig = rigs[depth];
    if (!rig) rig = std::make_unique<EngineRig>(depth);
    return *rig;
  }

  EchoOverSimulator device;
  std::unique_ptr<CommandLog> logs[kMaxQueues];  // outlive the controller, which logs to them until it stops
  Controller controller;
  QueuePair* queues[kMaxQueues] = {};
  uint32_t lba_size = 0;
  uint64_t nsze = 0;
};

// Commands per run(): long enough that the ramp-up and the drain of QD 128 are
// a small part of it.
constexpr uint64_t kIosPerRun = 8192;

// Each benchmark thread runs its own engine on its own queue pair.
void BM_EnginePerRead(benchmark::State& state) {
  const auto depth = static_cast<uint32_t>(state.range(0));
  EngineRig& rig = EngineRig::for_depth(depth);
  QueuePair& queue = *rig.queues[state.thread_index()];
  IoEngineOptions options;
  options.lba_size = rig.lba_size;
  options.last_lba = rig.nsze - 1;
  options.block_bytes = 4096;
  options.queue_depth = depth;
  options.seed = 1 + static_cast<uint64_t>(state.thread_index());
  IoEngine engine(rig.controller, queue, options);
  LatencyHistogram latencies;

  uint64_t completed = 0;
  uint64_t heap = 0;  // during run() only: the engine's, not the benchmark library's
  uint64_t dma = 0;
  // Both clocks are read inside the loop, so neither the other thread's set-up
  // nor the library's start and stop barriers are counted (one pair per
  // kIosPerRun I/Os).
  double cpu_start = 0;
  double cpu_end = 0;
  std::chrono::steady_clock::time_point wall_start;
  std::chrono::steady_clock::time_point wall_end;
  bool first = true;
  for (auto _ : state) {
    if (first) {
      wall_start = std::chrono::steady_clock::now();
      cpu_start = bench::thread_cpu_ns();
      first = false;
    }
    const uint64_t heap_before = t_heap_allocations;
    const uint64_t dma_before = t_dma_allocations;
    completed += engine.run(IoLimits{.ios = kIosPerRun}, latencies).ios;
    heap += t_heap_allocations - heap_before;
    dma += t_dma_allocations - dma_before;
    cpu_end = bench::thread_cpu_ns();
    wall_end = std::chrono::steady_clock::now();
  }
  const double wall_s = std::chrono::duration<double>(wall_end - wall_start).count();

  // This thread's own rate; the library sums counters over threads, so with
  // two queue pairs IOPS is the total.
  state.counters["IOPS"] = wall_s <= 0 ? 0.0 : static_cast<double>(completed) / wall_s;
  state.counters["driver_cpu_ns_per_io"] = benchmark::Counter(
      completed == 0 ? 0.0 : (cpu_end - cpu_start) / static_cast<double>(completed), benchmark::Counter::kAvgThreads);
  state.counters["heap_allocs"] = static_cast<double>(heap);
  state.counters["dma_allocs"] = static_cast<double>(dma);
  if (heap != 0 || dma != 0) {
    state.SkipWithError(fmt::format("steady state allocated: {} heap and {} DMA allocations in {} I/Os (must be 0)",
                                    heap, dma, completed)
                            .c_str());
  }
}

BENCHMARK(BM_EnginePerRead)->ArgName("qd")->Arg(1)->Arg(32)->Arg(128)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
