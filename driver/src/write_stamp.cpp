#include "nvqual/driver/write_stamp.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace nvqual::write_stamp {

namespace {

constexpr uint8_t kMagic[4] = {'N', 'V', 'Q', 'W'};

uint64_t splitmix(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void put_le(std::byte* out, uint64_t value, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) out[i] = static_cast<std::byte>((value >> (8 * i)) & 0xFF);
}

uint64_t get_le(const std::byte* in, size_t bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < bytes; ++i) value |= uint64_t{std::to_integer<uint8_t>(in[i])} << (8 * i);
  return value;
}

// The body after the header: a stream seeded by all four values, so changing
// any of them changes nearly every byte.
void fill_body(std::span<std::byte> body, const Stamp& s) {
  uint64_t state = s.seed ^ (s.lba * 0x9E3779B97F4A7C15ull) ^ (uint64_t{s.nsid} << 32) ^ s.generation;
  for (size_t i = 0; i < body.size(); i += 8) {
    const uint64_t word = splitmix(state);
    put_le(body.data() + i, word, std::min<size_t>(8, body.size() - i));
  }
}

Stamp header_of(std::span<const std::byte> block) {
  return Stamp{get_le(block.data(), 8), static_cast<uint32_t>(get_le(block.data() + 8, 4)),
               static_cast<uint32_t>(get_le(block.data() + 12, 4)), get_le(block.data() + 16, 8)};
}

// The block is a well-formed stamp of what its own header says.
bool self_consistent(std::span<const std::byte> block, std::span<std::byte> scratch) {
  if (std::memcmp(block.data() + 24, kMagic, 4) != 0) return false;
  fill_block(scratch, header_of(block));
  return std::memcmp(block.data(), scratch.data(), block.size()) == 0;
}

}  // namespace

void fill_block(std::span<std::byte> block, const Stamp& stamp) {
  put_le(block.data(), stamp.lba, 8);
  put_le(block.data() + 8, stamp.nsid, 4);
  put_le(block.data() + 12, stamp.generation, 4);
  put_le(block.data() + 16, stamp.seed, 8);
  std::memcpy(block.data() + 24, kMagic, 4);
  fill_body(block.subspan(kHeaderBytes), stamp);
}

void fill(std::span<std::byte> data, uint32_t lba_size, const Stamp& first) {
  Stamp s = first;
  for (size_t offset = 0; offset + lba_size <= data.size(); offset += lba_size, ++s.lba) {
    fill_block(data.subspan(offset, lba_size), s);
  }
}

bool matches(std::span<const std::byte> data, uint32_t lba_size, const Stamp& first, std::span<std::byte> scratch) {
  Stamp s = first;
  const auto expected = scratch.first(lba_size);
  for (size_t offset = 0; offset + lba_size <= data.size(); offset += lba_size, ++s.lba) {
    fill_block(expected, s);
    if (std::memcmp(data.data() + offset, expected.data(), lba_size) != 0) return false;
  }
  return true;
}

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kStale: return "stale data";
    case Verdict::kMisdirected: return "misdirected data";
    case Verdict::kCorruption: return "corruption";
  }
  return "corruption";
}

std::optional<Failure> check(std::span<const std::byte> data, uint32_t lba_size, const Stamp& first) {
  std::vector<std::byte> expected(lba_size);
  std::vector<std::byte> scratch(lba_size);
  Stamp s = first;
  for (size_t offset = 0; offset + lba_size <= data.size(); offset += lba_size, ++s.lba) {
    const auto block = data.subspan(offset, lba_size);
    fill_block(expected, s);
    if (std::memcmp(block.data(), expected.data(), lba_size) == 0) continue;
    Failure f;
    f.lba = s.lba;
    if (!self_consistent(block, scratch)) {
      const auto at = std::mismatch(block.begin(), block.end(), expected.begin()).first - block.begin();
      f.detail = fmt::format("LBA {}: byte {} is {:02x}h, expected {:02x}h, and the block is no write stamp", s.lba, at,
                             std::to_integer<uint8_t>(block[at]), std::to_integer<uint8_t>(expected[at]));
      return f;
    }
    const Stamp found = header_of(block);
    if (found.lba != s.lba || found.nsid != s.nsid) {
      f.verdict = Verdict::kMisdirected;
      f.detail = fmt::format("LBA {} of nsid {} holds the block written for LBA {} of nsid {}", s.lba, s.nsid,
                             found.lba, found.nsid);
    } else if (found.seed == s.seed && found.generation < s.generation) {
      f.verdict = Verdict::kStale;
      f.detail = fmt::format("LBA {} holds generation {}, expected {}", s.lba, found.generation, s.generation);
    } else {
      f.detail = fmt::format("LBA {} holds generation {} of run seed {:#x}, expected generation {} of {:#x}", s.lba,
                             found.generation, found.seed, s.generation, s.seed);
    }
    return f;
  }
  return std::nullopt;
}

}  // namespace nvqual::write_stamp
