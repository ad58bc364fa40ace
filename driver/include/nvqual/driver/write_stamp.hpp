// The write stamp: the LBA stamp (lba_stamp.hpp) extended for writes, so a
// read verifies itself without a host-side table (docs/data-integrity.md).
// Bytes 0-7 hold the LBA, 8-11 the NSID, 12-15 the write generation, 16-23
// the run seed (all little-endian), 24-27 the magic "NVQW"; every later byte
// derives from those four values (splitmix64 of them, eight bytes a step).
// A block that disagrees with what was expected is classified by what it
// says about itself:
//   stale        a well-formed stamp of this LBA and run, older generation
//   misdirected  a well-formed stamp of another LBA or NSID
//   corruption   anything else (a torn or altered block, another run, no stamp)
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace nvqual::write_stamp {

struct Stamp {
  uint64_t lba = 0;
  uint32_t nsid = 1;
  uint32_t generation = 1;
  uint64_t seed = 0;
};

inline constexpr size_t kHeaderBytes = 28;  // blocks are at least 512 bytes

void fill_block(std::span<std::byte> block, const Stamp& stamp);
// Consecutive blocks from first.lba, all with first's NSID, generation and seed.
void fill(std::span<std::byte> data, uint32_t lba_size, const Stamp& first);

// True when `data` is exactly `first` (advanced per block); allocation-free
// (`scratch` holds one block, lba_size bytes) for hot paths; check() says why not.
bool matches(std::span<const std::byte> data, uint32_t lba_size, const Stamp& first, std::span<std::byte> scratch);

enum class Verdict { kStale, kMisdirected, kCorruption };
struct Failure {
  uint64_t lba = 0;  // the block expected
  Verdict verdict = Verdict::kCorruption;
  std::string detail;  // one line: what the block holds instead
};
const char* to_string(Verdict verdict);
// The first block of `data` that is not `first` (advanced per block), classified.
std::optional<Failure> check(std::span<const std::byte> data, uint32_t lba_size, const Stamp& first);

}  // namespace nvqual::write_stamp
