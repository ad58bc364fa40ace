// How much memory a command pins for DMA at most, so the RLIMIT_MEMLOCK
// pre-flight refuses a too-low limit before the controller is touched instead
// of failing halfway through. Upper bounds derived from how the driver core
// allocates (queues, Identify pages, PRP lists; every buffer in whole 4 KiB
// pages). The transport checks the exact figure again before each mapping, so
// an estimate that is too low still ends in the same one-line message.
#pragma once

#include <cstdint>

namespace nvqual::vfio::dma_estimate {

// The bounded buffer `nvqual read` reads through (app/cmd_read.cpp).
inline constexpr uint64_t kReadChunkBytes = uint64_t{1} << 20;

// The Controller's DMA arena by default (ControllerOptions::dma_arena_bytes);
// every command that opens a device maps it once at open.
inline constexpr uint64_t kDefaultArenaBytes = uint64_t{4} << 20;
// What an arena of `bytes` pins (whole pages). Not in the figures below:
// app/target.cpp adds it to each command's estimate.
uint64_t arena(uint64_t bytes = kDefaultArenaBytes);

// A submission and a completion queue of these depths (64- and 16-byte entries).
uint64_t queue_pair(uint32_t sq_entries, uint32_t cq_entries);

// A data buffer of `bytes` plus the PRP list pages its commands may need.
// A command that needs a list at all carries k >= 2 pages of data (touching
// k + 1 with a PRP1 offset) and needs ceil(k / 511) list pages (511 entries
// and a chain pointer each): at most k / 2. Half the data pages, plus one
// for a short last command, bounds every way the driver splits a transfer.
constexpr uint64_t transfer(uint64_t bytes) {
  const uint64_t data = (bytes + 4095) / 4096;
  return (data + data / 2 + 1) * 4096;
}

// Bring-up and Identify: the admin queue pair (ControllerOptions' default
// depth) and one Identify page at a time. The least any command on a device pins.
uint64_t identify();

// `nvqual read`: identify() plus one I/O queue pair of `queue_entries` and a
// `chunk_bytes` buffer with its PRP lists (0 when its buffers are in the
// arena, as `nvqual read`'s are: app/read_plan.hpp sizes the arena for them).
uint64_t read(uint64_t chunk_bytes = kReadChunkBytes, uint32_t queue_entries = 64);

// `nvqual run`: the harness's worst case within its own limits — the deepest
// admin queue a suite may ask for, two I/O queue pairs of the largest size
// NVMe allows, and two step buffers of the harness's 64 MiB per-step cap.
uint64_t run();

}  // namespace nvqual::vfio::dma_estimate
