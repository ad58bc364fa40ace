// 4 KiB reads against the simulated controller in zero-latency threaded mode:
// the device runs on its own thread. Reported per queue depth:
//   IOPS                   reads completed per second of wall time
//   driver_cpu_ns_per_io   CPU time of the driver thread per read, including the
//                          time it spins on an empty completion queue while the
//                          (single-threaded) simulated device catches up
//   driver_work_ns_per_io  time the driver thread spends posting, ringing and in
//                          polls that found completions, per read: the driver's
//                          own cost, without the waiting (timed with the TSC)
// Aim (issue 2): at most 100 ns of driver CPU per I/O (SPDK: about 72 ns).

#include <chrono>
#include <thread>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include <benchmark/benchmark.h>

#include "nvqual/driver/commands.hpp"
#include "sim_read_rig.hpp"
#include "thread_cpu.hpp"

namespace {

using namespace nvqual;

// A cheap timestamp for short intervals: the TSC where there is one.
uint64_t ticks() {
#if defined(__x86_64__)
  return __rdtsc();
#else
  return static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
#endif
}

using bench::thread_cpu_ns;

void BM_Read4KiB(benchmark::State& state) {
  const auto depth = static_cast<uint32_t>(state.range(0));
  const bool threaded = state.range(1) != 0;
  // One slot more than the depth: a queue always keeps one entry empty.
  bench::SimReadRig rig(threaded, depth + 1);
  QueuePair& queue = *rig.queue;
  const uint32_t blocks = 4096 / rig.lba_size;
  DmaBuffer buffers(rig.device, size_t{depth} * 4096);

  uint64_t next_lba = 0;
  uint32_t next_slot = 0;
  auto post_one = [&] {
    spec::SubmissionEntry sqe = cmd::read(1, next_lba, blocks);
    sqe.prp1 = buffers.iova() + size_t{next_slot} * 4096;
    next_slot = next_slot + 1 == depth ? 0 : next_slot + 1;
    next_lba = (next_lba + blocks) % (1u << 20);
    queue.post(sqe);
  };

  uint64_t completed = 0;
  uint64_t failed = 0;
  uint64_t work_ticks = 0;
  const double cpu_start = thread_cpu_ns();
  const auto wall_start = std::chrono::steady_clock::now();
  const uint64_t ticks_start = ticks();
  for (auto _ : state) {
    // Keep `depth` reads in flight: every completion is replaced at once,
    // and the replacements of one poll share one doorbell write.
    const uint64_t submit_start = ticks();
    for (uint32_t i = queue.outstanding(); i < depth; ++i) post_one();
    queue.ring();
    work_ticks += ticks() - submit_start;
    uint32_t done = 0;
    for (uint64_t empty_polls = 0; done == 0; ++empty_polls) {
      const uint64_t poll_start = ticks();
      done = queue.poll([&](const spec::CompletionEntry& cqe) { failed += cqe.status().ok() ? 0 : 1; });
      if (done != 0) work_ticks += ticks() - poll_start;
      // On two shared cores the simulated device thread needs the other one:
      // an empty poll gives the CPU away instead of spinning it from the device.
      if (done == 0) std::this_thread::yield();
      // Bounded: a device that stops answering ends the benchmark, not the machine.
      // The clock is read once per 2^16 empty polls to keep it off the measured path.
      if (done == 0 && (empty_polls & 0xFFFF) == 0xFFFF &&
          std::chrono::steady_clock::now() - wall_start > std::chrono::seconds(60)) {
        state.SkipWithError("no completion for 60 s");
        return;
      }
    }
    completed += done;
  }
  const double cpu_ns = thread_cpu_ns() - cpu_start;
  const double wall_ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - wall_start).count();
  const double ns_per_tick = wall_ns / static_cast<double>(ticks() - ticks_start);
  // Drain what is still in flight before the queue goes away; a device that
  // stops answering must not hang the benchmark.
  const auto drain_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (queue.outstanding() > 0 && std::chrono::steady_clock::now() < drain_deadline) {
    queue.poll([](const spec::CompletionEntry&) {});
  }

  if (failed != 0) state.SkipWithError("reads failed");
  if (queue.outstanding() != 0) state.SkipWithError("reads still outstanding 5 s after the run");
  if (!rig.device.violations().empty()) state.SkipWithError("the simulator recorded driver violations");
  state.counters["IOPS"] = benchmark::Counter(static_cast<double>(completed), benchmark::Counter::kIsRate);
  state.counters["driver_cpu_ns_per_io"] = completed == 0 ? 0.0 : cpu_ns / static_cast<double>(completed);
  state.counters["driver_work_ns_per_io"] = completed == 0 ? 0.0
                                                           : static_cast<double>(work_ticks) * ns_per_tick /
                                                                 static_cast<double>(completed);
  state.counters["violations"] = static_cast<double>(rig.device.violations().size());
}

// Threaded (device on its own thread) at QD 1, 32 and 128; inline for reference.
BENCHMARK(BM_Read4KiB)
    ->ArgNames({"qd", "threaded"})
    ->Args({1, 1})
    ->Args({32, 1})
    ->Args({128, 1})
    ->Args({1, 0})
    ->Args({32, 0})
    ->Args({128, 0})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();  // one main for every benchmark file in bench/
