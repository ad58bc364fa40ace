// What writes changed on a simulated namespace: a sparse overlay of blocks
// over the namespace's generated (or file-backed) contents, in two layers.
// With a volatile write cache (VWC bit 0), a write lands in `cache_` until a
// Flush or FUA makes it durable; a power loss drops the cache. Without one,
// every write is durable when it completes (NVM Command Set 1.0, 3.2.2).
// Thread-safe: commands on several I/O queues run at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <vector>

namespace nvqual::sim {

class WrittenMedia {
 public:
  // `deallocated_byte`: what a read of a deallocated block returns (DLFEAT 2:0:
  // 001b 00h, 010b FFh; 000b "not reported", served as 00h).
  WrittenMedia(uint32_t lba_size, std::byte deallocated_byte) : lba_size_(lba_size), deallocated_(deallocated_byte) {}

  enum class Kind { kData, kZeroes, kDeallocated };
  // Blocks [slba, slba + data.size() / lba_size); durable: FUA or no cache.
  void write(uint64_t slba, std::span<const std::byte> data, bool durable);
  void fill(uint64_t slba, uint64_t blocks, Kind kind, bool durable);
  // True when any of blocks [slba, slba + blocks) was written since the start.
  bool written(uint64_t slba, uint64_t blocks) const;
  void flush();
  void lose_unflushed();
  // Replaces the blocks of `out` (starting at slba) that writes changed.
  void overlay(uint64_t slba, std::span<std::byte> out) const;

 private:
  struct Block {
    Kind kind = Kind::kData;
    std::vector<std::byte> bytes;  // kData only
  };
  void put(uint64_t lba, Block block, bool durable);

  const uint32_t lba_size_;
  const std::byte deallocated_;
  mutable std::mutex mutex_;
  std::map<uint64_t, Block> durable_;
  std::map<uint64_t, Block> cache_;  // newer than durable_ where both hold an LBA
};

}  // namespace nvqual::sim
