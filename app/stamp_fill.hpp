// What `nvqual fill` does to a device, apart from its command line: write the
// LBA stamp or the write stamp over scratch ranges, MDTS-sized Writes in
// batches behind one doorbell, through one DMA buffer allocated by the caller
// and reused chunk after chunk; and read them back to check them. Every Write
// goes through Controller::write, so the driver's media-change policy decides
// each one (docs/data-integrity.md).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nvqual/driver/controller.hpp"

namespace nvqual::app {

// Blocks [first, last] of the plan's namespace.
struct FillRange {
  uint64_t first = 0;
  uint64_t last = 0;
  uint64_t blocks() const { return last - first + 1; }
};

struct FillPlan {
  uint32_t nsid = 1;
  uint32_t lba_size = 512;
  std::vector<FillRange> ranges;
  uint32_t generation = 0;         // 0: the LBA stamp; N: the write stamp of generation N
  uint64_t seed = 0;               // the write stamp's run seed
  std::string stamp_name() const;  // "the LBA stamp" or "the write stamp (generation 2, seed 0x2a)"
};

// Blocks per chunk: whole MDTS-sized commands, `queue_depth` of them when they
// fit `max_chunk_bytes`, at least one command.
uint64_t fill_chunk_blocks(uint64_t blocks_per_command, uint32_t queue_depth, uint32_t lba_size,
                           uint64_t max_chunk_bytes);

// Called after each chunk with its bytes; it may throw to stop (a signal).
using ChunkDone = std::function<void(uint64_t bytes)>;

// Writes the plan's stamp over every range through `buffer` (a whole number
// of blocks, at most the chunk), then Flushes the namespace. Throws
// DriverError(kCommandFailed) naming the LBAs of a failed Write.
void fill_ranges(Controller& controller, QueuePair& queue, DmaBuffer& buffer, const FillPlan& plan,
                 const ChunkDone& done);

// Reads every range back through `buffer`; "" when each block holds the
// plan's stamp, else one line naming the first block that does not.
std::string verify_ranges(Controller& controller, QueuePair& queue, DmaBuffer& buffer, const FillPlan& plan,
                          const ChunkDone& done);

}  // namespace nvqual::app
