// The whole synchronous read path a suite step or `nvqual read` takes:
// Controller::read builds the Read, sets up PRPs, submits, waits for the
// completion under its deadline and checks it. One 4 KiB read at a time
// (QD 1) against the zero-latency simulator, threaded and inline. Compare its
// driver_cpu_ns_per_io with BM_Read4KiB at QD 1 from the same run: the
// difference is what the convenience path costs over raw queue use.

#include <benchmark/benchmark.h>

#include "sim_read_rig.hpp"
#include "thread_cpu.hpp"

namespace {

using namespace nvqual;

using bench::thread_cpu_ns;

void BM_ControllerRead4KiB(benchmark::State& state) {
  const bool threaded = state.range(0) != 0;
  bench::SimReadRig rig(threaded, 2);
  DmaBuffer buffer(rig.device, 4096);
  ReadRequest request{1, 0, 4096 / rig.lba_size, rig.lba_size};

  uint64_t completed = 0;
  const double cpu_start = thread_cpu_ns();
  for (auto _ : state) {
    const ReadResult result = rig.controller.read(*rig.queue, request, buffer);
    if (!result.ok()) {
      state.SkipWithError(("read failed: " + result.completion.status().describe()).c_str());
      return;
    }
    request.slba = (request.slba + request.blocks) % (1u << 20);
    ++completed;
  }
  const double cpu_ns = thread_cpu_ns() - cpu_start;
  if (!rig.device.violations().empty()) state.SkipWithError("the simulator recorded driver violations");
  state.counters["IOPS"] = benchmark::Counter(static_cast<double>(completed), benchmark::Counter::kIsRate);
  state.counters["driver_cpu_ns_per_io"] = completed == 0 ? 0.0 : cpu_ns / static_cast<double>(completed);
}

BENCHMARK(BM_ControllerRead4KiB)->ArgName("threaded")->Arg(1)->Arg(0)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
