// The strict simulated NVMe controller: a Transport whose BAR0 and DMA live in
// process memory. It behaves like a spec-conforming controller (NVMe Base 2.0,
// NVM Command Set 1.0), records every driver mistake it sees as a violation
// (one readable line each), and misbehaves on purpose when its profile lists
// faults.
//
// Modes: kInline processes commands inside the SQ tail doorbell write, so a
// test is deterministic. kThreaded runs a device thread (a Boost.Asio
// io_context); doorbell writes hand work to it and return at once, and each
// command completes after the profile's command latency.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nvqual/driver/clock.hpp"
#include "nvqual/driver/transport.hpp"
#include "nvqual/sim/profile.hpp"

namespace nvqual::sim {

enum class Mode { kInline, kThreaded };

class Device;

// What the simulator has done so far; for tests and the app's summary.
struct SimCounters {
  std::array<uint64_t, 256> admin_commands{};  // commands fetched, by opcode
  std::array<uint64_t, 256> io_commands{};
  uint64_t sq_doorbell_writes = 0;
  uint64_t cq_doorbell_writes = 0;
  uint64_t completions_posted = 0;   // CQEs written to host memory
  uint64_t completions_dropped = 0;  // by a drop-completion fault
  uint64_t max_in_flight = 0;        // most commands fetched and not yet completed at once
  uint64_t ready_transitions = 0;    // times CSTS.RDY went 0 -> 1
  uint64_t resets = 0;               // controller resets (CC.EN 1->0, NSSR, FLR)
};

class SimulatedController final : public nvqual::Transport {
 public:
  // Throws ProfileError when the profile is inconsistent (as the loader checks)
  // and DriverError(kEnvironment) when a backing file cannot be opened.
  explicit SimulatedController(Profile profile, Mode mode = Mode::kInline, Clock& clock = SteadyClock::instance());
  ~SimulatedController() override;
  SimulatedController(const SimulatedController&) = delete;
  SimulatedController& operator=(const SimulatedController&) = delete;

  // ---- Transport ----------------------------------------------------------
  uint32_t read32(uint32_t offset) override;
  uint64_t read64(uint32_t offset) override;
  void write32(uint32_t offset, uint32_t value) override;
  void write64(uint32_t offset, uint64_t value) override;
  // Zeroed host memory at IOVAs from a simulated IOVA space starting at
  // kIovaBase. IOVAs are never reused, so a stale address stays unmapped.
  DmaRegion dma_alloc(size_t size, size_t alignment) override;
  // Freeing memory the controller can still reach (an active queue, the data
  // buffer of an outstanding command) is a violation; that memory is then
  // unmapped but kept allocated until the simulator is destroyed.
  void dma_free(const DmaRegion& region) noexcept override;
  void dma_returned(const DmaRegion& piece) noexcept override;
  // Power-on state: every register (AQA/ASQ/ACQ too) back to its reset value.
  // False (nothing reset) once an all-ones fault made the device gone.
  bool function_level_reset() override;
  uint64_t bar0_size() const override { return bar_size(); }
  std::string name() const override;
  bool is_simulator() const override { return true; }

  // ---- strictness ---------------------------------------------------------
  // Driver mistakes recorded so far, oldest first, one line each.
  std::vector<std::string> violations() const;
  void clear_violations();

  // ---- inspection ---------------------------------------------------------
  const Profile& profile() const;
  Mode mode() const { return mode_; }
  SimCounters counters() const;
  size_t mapped_regions() const;  // DMA regions currently mapped
  uint32_t bar_size() const;      // bytes of BAR0 (registers and doorbells)
  // Hostile mode (Profile::hostile_seed): tell the truth from now on, so a
  // test can read the state the run really left behind.
  void calm_hostility();

  static constexpr uint64_t kIovaBase = 0x100000000ull;

 private:
  Mode mode_;
  std::unique_ptr<Device> device_;
};

}  // namespace nvqual::sim
