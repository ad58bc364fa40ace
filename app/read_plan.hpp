// How `nvqual read` moves a range of any size: up to --queue-depth Read
// commands in flight (StreamReader, nvqual/driver/stream_reader.hpp), their
// data buffers together at most kReadWindowBytes, streamed to the output in
// LBA order. The window bounds the memory a read pins (RLIMIT_MEMLOCK is 8 MiB
// by default on Debian): it lives in the controller's DMA arena, sized for it,
// so the VFIO memlock pre-flight computes a read's needs from these values.
#pragma once

#include <algorithm>
#include <cstdint>

#include "nvqual/vfio/dma_estimate.hpp"

namespace nvqual::app {

// The data of every command in flight at once, and the most one command moves.
inline constexpr uint64_t kReadWindowBytes = uint64_t{4} << 20;
inline constexpr uint64_t kReadCommandBytes = uint64_t{128} << 10;
inline constexpr uint32_t kDefaultReadDepth = 32;
inline constexpr uint64_t kMemoryPage = 4096;

// The arena a read maps: the window, rounded to pages, plus a PRP list page per slot.
inline constexpr uint64_t kReadArenaBytes = vfio::dma_estimate::transfer(kReadWindowBytes);

struct ReadShape {
  uint32_t command_blocks = 1;  // blocks per Read command
  uint32_t depth = 1;           // commands in flight
};

// Blocks per command and commands in flight for a read of `blocks` blocks:
// commands of kReadCommandBytes (lowered to MDTS, `max_transfer` bytes, 0 = no
// limit), smaller when the depth asked for would not fit the window, at
// least one block; then as many in flight as asked, the queue holds
// (`capacity`), the window holds and the range needs.
constexpr ReadShape read_shape(uint64_t blocks, uint64_t lba_size, uint64_t max_transfer, uint32_t depth,
                               uint32_t capacity) {
  uint64_t command = kReadCommandBytes;
  if (max_transfer != 0) command = std::min(command, max_transfer);
  command = std::min<uint64_t>(command, kReadWindowBytes / std::max<uint32_t>(depth, 1));
  const uint64_t command_blocks = std::max<uint64_t>(1, command / lba_size);
  const uint64_t slot_bytes = (command_blocks * lba_size + kMemoryPage - 1) / kMemoryPage * kMemoryPage;
  const uint64_t commands = (blocks + command_blocks - 1) / command_blocks;
  uint64_t in_flight = std::min<uint64_t>(
      {depth, capacity, std::max<uint64_t>(1, kReadWindowBytes / slot_bytes), commands});
  in_flight = std::max<uint64_t>(in_flight, 1);
  return ReadShape{static_cast<uint32_t>(command_blocks), static_cast<uint32_t>(in_flight)};
}

}  // namespace nvqual::app
