// The "LBA stamp" test pattern: every logical block says which block it is.
// Bytes 0-7 hold the LBA (little-endian), bytes 8-11 the NSID (little-endian),
// and every later byte i holds (LBA x 31 + i) mod 256. The simulator serves it,
// `nvqual pattern` writes it to images, and reads are checked against it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace nvqual::lba_stamp {

// Fills one logical block (block.size() is the LBA size).
void fill_block(std::span<std::byte> block, uint64_t lba, uint32_t nsid);
// Fills consecutive blocks starting at first_lba.
void fill(std::span<std::byte> data, uint32_t lba_size, uint64_t first_lba, uint32_t nsid);

struct Mismatch {
  uint64_t lba = 0;
  size_t byte = 0;  // offset inside the block
  uint8_t expected = 0;
  uint8_t actual = 0;
};
// The first byte that differs from the pattern, if any.
std::optional<Mismatch> check(std::span<const std::byte> data, uint32_t lba_size, uint64_t first_lba, uint32_t nsid);

}  // namespace nvqual::lba_stamp
