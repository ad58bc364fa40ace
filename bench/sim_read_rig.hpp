// What every read benchmark starts from: the simulated controller with zero
// command latency (inline or on its own device thread), brought up, with one
// I/O queue pair and namespace 1's LBA size. Shared so the benchmarks compare
// the read paths, not differences in their set-up.
#pragma once

#include <chrono>
#include <cstdint>

#include "nvqual/driver/controller.hpp"
#include "nvqual/sim/profile.hpp"
#include "nvqual/sim/simulated_controller.hpp"

namespace nvqual::bench {

inline sim::Profile zero_latency_profile() {
  sim::Profile profile = sim::default_profile();
  profile.timing.command_latency = std::chrono::microseconds(0);
  return profile;
}

struct SimReadRig {
  // `queue_entries` includes the slot a queue always keeps empty.
  SimReadRig(bool threaded, uint32_t queue_entries)
      : device(zero_latency_profile(), threaded ? sim::Mode::kThreaded : sim::Mode::kInline), controller(device) {
    controller.reset();
    controller.identify_controller();
    controller.set_number_of_queues(1, 1);
    queue = &controller.create_io_queue_pair(1, queue_entries);
    lba_size = static_cast<uint32_t>(controller.identify_namespace(1).lba_size());
  }

  sim::SimulatedController device;
  Controller controller;
  QueuePair* queue = nullptr;
  uint32_t lba_size = 0;
};

}  // namespace nvqual::bench
