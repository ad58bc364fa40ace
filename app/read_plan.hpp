// How `nvqual read` moves a range of any size: through one DMA buffer of at
// most kReadChunkBytes, reused chunk after chunk. The chunk bounds the memory
// a read pins (RLIMIT_MEMLOCK is 8 MiB by default on Debian, and the queues
// and PRP lists need some too), so the VFIO memlock pre-flight can compute a
// read's needs from these values instead of guessing.
#pragma once

#include <algorithm>
#include <cstdint>

#include "nvqual/vfio/dma_estimate.hpp"

namespace nvqual::app {

// The VFIO layer's DMA estimate for `read` is computed from the same figure.
inline constexpr uint64_t kReadChunkBytes = vfio::dma_estimate::kReadChunkBytes;

// Blocks per chunk: as many whole blocks as fit, and at least one (a block
// larger than the chunk is read alone). lba_size must be nonzero: callers
// take it from checked_active_format().
constexpr uint64_t read_chunk_blocks(uint64_t lba_size) { return std::max<uint64_t>(1, kReadChunkBytes / lba_size); }

// Bytes of the DMA data buffer a read of `blocks` blocks allocates.
constexpr uint64_t read_buffer_bytes(uint64_t blocks, uint64_t lba_size) {
  return std::min(blocks, read_chunk_blocks(lba_size)) * lba_size;
}

}  // namespace nvqual::app
