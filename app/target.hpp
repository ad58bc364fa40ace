// The device a subcommand talks to: the simulated controller (--sim) or a
// vfio-pci bound controller (--bdf / --pci). Exactly one must be named.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "nvqual/driver/transport.hpp"
#include "nvqual/vfio/dma_estimate.hpp"

namespace nvqual::sim {
class SimulatedController;
}

namespace nvqual::app {

struct TargetOptions {
  bool sim = false;
  std::string sim_profile;              // empty: the embedded default profile
  std::optional<uint64_t> sim_hostile;  // hostile mode seed (docs/robustness.md)
  std::string bdf;
  uint64_t iova_base = 0x100000000ull;
  bool function_reset = false;
  // The most DMA memory the command pins (nvqual/vfio/dma_estimate.hpp), checked
  // against RLIMIT_MEMLOCK before a device is touched. Commands that pin more
  // than bring-up and Identify set it before open_target.
  uint64_t dma_estimate_bytes = vfio::dma_estimate::identify();
  // The controller's DMA arena (dma_arena.hpp), mapped once at open; added to
  // dma_estimate_bytes by open_target. --dma-arena MIB.
  uint64_t dma_arena_bytes = vfio::dma_estimate::kDefaultArenaBytes;
};

void add_target_options(CLI::App& command, TargetOptions& options);
// True when the user named a target (either kind).
bool target_named(const TargetOptions& options);

struct Target {
  std::unique_ptr<Transport> transport;
  sim::SimulatedController* simulator = nullptr;  // set when the target is the simulator
  std::string description;                        // "simulator (profile default)" or the BDF
};

// Throws UsageError when no or both targets are named, or a profile is bad;
// DriverError(kEnvironment) when the device cannot be opened.
Target open_target(const TargetOptions& options);

}  // namespace nvqual::app
