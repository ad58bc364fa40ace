// The hostile device: a simulator mode (Profile::hostile_seed, `nvqual run
// --sim-hostile SEED`) in which the controller lies. From the seed alone it
// decides which kinds of lie it tells and how often, then writes arbitrary
// values into completion entries (phase, SQID, SQHD, CID, status, DW0),
// register reads, Identify and log page data, and read data.
//
// It lies, it never corrupts: it changes only values the simulator was about
// to hand the host, inside memory the PRP walker already checked is mapped.
// Queue state, the IOVA checks and the violation log stay truthful, so a
// test can tell a driver mistake from a device lie.
//
// Replay. Every decision is a pure function of the seed and of what the host
// has done (how many completions, register writes, data transfers so far), not
// of time or of how often the host polls: a register lie holds until the host
// writes a register or a command completes. One seed replays the same run.
// Thread safe (atomic counters): I/O data moves without the device mutex.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "queue_state.hpp"

namespace nvqual::sim {

class HostileDevice {
 public:
  explicit HostileDevice(std::optional<uint64_t> seed);

  bool active() const { return active_.load(std::memory_order_relaxed); }
  // Tells the truth from now on (a test reads the final state through it).
  void calm() { active_.store(false, std::memory_order_relaxed); }

  // A 32-bit register read at `offset` that would return `value`.
  uint32_t register_value(uint32_t offset, uint32_t value);
  uint64_t register_value64(uint32_t offset, uint64_t value);
  // A register write (not a doorbell): register lies change after it.
  void register_written() { register_writes_.fetch_add(1, std::memory_order_relaxed); }
  // A completion about to be posted: any field, and the phase tag, may lie.
  void completion(PendingCompletion& completion);
  // Identify / log page data already copied to the host's pages.
  void admin_data(std::span<const std::span<std::byte>> segments);
  // Read data about to be copied to the host.
  void read_data(std::span<std::byte> data);

 private:
  enum Kind : uint64_t { kCompletion = 1, kRegister = 2, kAdminData = 4, kReadData = 8 };
  // A pseudo-random 64-bit value for event `index` of kind `kind` (splitmix64).
  uint64_t draw(uint64_t kind, uint64_t index, uint64_t salt = 0) const;
  bool fires(Kind kind, uint64_t index) const;
  void scramble(std::span<const std::span<std::byte>> segments, Kind kind, uint64_t index) const;

  std::atomic<bool> active_{false};
  uint64_t seed_ = 0;
  uint64_t kinds_ = 0;       // which of Kind this seed lies about
  uint32_t rate_shift_ = 0;  // an event lies with probability 1 / 2^rate_shift_
  std::atomic<uint64_t> completions_{0};
  std::atomic<uint64_t> register_writes_{0};
  std::atomic<uint64_t> admin_transfers_{0};
  std::atomic<uint64_t> read_transfers_{0};
};

}  // namespace nvqual::sim
