#include "nvqual/driver/lba_stamp.hpp"

namespace nvqual::lba_stamp {

namespace {
uint8_t expected_byte(uint64_t lba, uint32_t nsid, size_t i) {
  if (i < 8) return static_cast<uint8_t>(lba >> (8 * i));
  if (i < 12) return static_cast<uint8_t>(nsid >> (8 * (i - 8)));
  return static_cast<uint8_t>((lba * 31 + i) & 0xFF);
}
}  // namespace

void fill_block(std::span<std::byte> block, uint64_t lba, uint32_t nsid) {
  for (size_t i = 0; i < block.size(); ++i) block[i] = std::byte{expected_byte(lba, nsid, i)};
}

void fill(std::span<std::byte> data, uint32_t lba_size, uint64_t first_lba, uint32_t nsid) {
  for (size_t offset = 0, n = 0; offset + lba_size <= data.size(); offset += lba_size, ++n) {
    fill_block(data.subspan(offset, lba_size), first_lba + n, nsid);
  }
}

std::optional<Mismatch> check(std::span<const std::byte> data, uint32_t lba_size, uint64_t first_lba, uint32_t nsid) {
  for (size_t offset = 0, n = 0; offset + lba_size <= data.size(); offset += lba_size, ++n) {
    const uint64_t lba = first_lba + n;
    for (size_t i = 0; i < lba_size; ++i) {
      const auto actual = static_cast<uint8_t>(data[offset + i]);
      const uint8_t expected = expected_byte(lba, nsid, i);
      if (actual != expected) return Mismatch{lba, i, expected, actual};
    }
  }
  return std::nullopt;
}

}  // namespace nvqual::lba_stamp
