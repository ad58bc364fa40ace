#include "hostile_device.hpp"

#include <algorithm>

namespace nvqual::sim {

namespace {

// splitmix64 (Steele, Lea, Flood 2014): a good 64-bit mix of a counter, so
// each decision is a pure function of (seed, kind, index): no state to replay.
constexpr uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

constexpr uint32_t kAllOnes = 0xFFFFFFFF;

// A lie about a 16-bit field: often an off-by-one (the lie a buggy device
// tells), sometimes anything at all.
uint16_t lie16(uint16_t truth, uint64_t r) {
  switch (r % 4) {
    case 0: return static_cast<uint16_t>(r >> 16);
    case 1: return static_cast<uint16_t>(truth + 1);
    case 2: return static_cast<uint16_t>(truth - 1);
    default: return 0xFFFF;
  }
}

}  // namespace

HostileDevice::HostileDevice(std::optional<uint64_t> seed) {
  if (!seed) return;
  seed_ = *seed;
  const uint64_t plan = draw(0, 0);
  kinds_ = plan & 0xF;
  if (kinds_ == 0) kinds_ = 0xF;                             // every kind at once
  rate_shift_ = 1 + static_cast<uint32_t>((plan >> 8) % 8);  // from every 2nd to every 256th event
  active_.store(true, std::memory_order_relaxed);
}

uint64_t HostileDevice::draw(uint64_t kind, uint64_t index, uint64_t salt) const {
  return mix(seed_ ^ mix(kind ^ mix(index ^ mix(salt))));
}

bool HostileDevice::fires(Kind kind, uint64_t index) const {
  if (!active() || (kinds_ & kind) == 0) return false;
  return (draw(kind, index) & ((uint64_t{1} << rate_shift_) - 1)) == 0;
}

uint32_t HostileDevice::register_value(uint32_t offset, uint32_t value) {
  if (!active() || (kinds_ & kRegister) == 0) return value;
  // One lie per register per host epoch (see the header): polling reads the same lie.
  const uint64_t epoch = register_writes_.load(std::memory_order_relaxed) << 32 |
                         (completions_.load(std::memory_order_relaxed) & kAllOnes);
  const uint64_t index = mix(epoch) ^ offset;
  if (!fires(kRegister, index)) return value;
  const uint64_t r = draw(kRegister, index, 1);
  switch (r % 4) {
    case 0: return static_cast<uint32_t>(r >> 32);            // anything
    case 1: return value ^ (uint32_t{1} << ((r >> 8) % 32));  // one bit wrong
    case 2: return kAllOnes;                                  // "device gone" for one epoch
    default: return 0;
  }
}

uint64_t HostileDevice::register_value64(uint32_t offset, uint64_t value) {
  const uint64_t low = register_value(offset, static_cast<uint32_t>(value));
  const uint64_t high = register_value(offset + 4, static_cast<uint32_t>(value >> 32));
  return low | high << 32;
}

void HostileDevice::completion(PendingCompletion& completion) {
  const uint64_t index = completions_.fetch_add(1, std::memory_order_relaxed);
  if (!fires(kCompletion, index)) return;
  uint64_t fields = draw(kCompletion, index, 1) & 0x3F;
  if (fields == 0) fields = 1;
  spec::CompletionEntry& cqe = completion.cqe;
  const uint64_t r = draw(kCompletion, index, 2);
  if ((fields & 1) != 0) completion.invert_phase = !completion.invert_phase;
  if ((fields & 2) != 0) cqe.set_sqid(lie16(cqe.sqid(), r));
  if ((fields & 4) != 0) cqe.set_sqhd(lie16(cqe.sqhd(), r >> 2));
  if ((fields & 8) != 0) cqe.set_cid(lie16(cqe.cid(), r >> 4));
  if ((fields & 16) != 0) cqe.set_status(spec::Status{static_cast<uint16_t>((r >> 20) & 0x7FFF)});
  if ((fields & 32) != 0) cqe.dw0 = static_cast<uint32_t>(r >> 32);
}

void HostileDevice::admin_data(std::span<const std::span<std::byte>> segments) {
  const uint64_t index = admin_transfers_.fetch_add(1, std::memory_order_relaxed);
  if (fires(kAdminData, index)) scramble(segments, kAdminData, index);
}

void HostileDevice::read_data(std::span<std::byte> data) {
  const uint64_t index = read_transfers_.fetch_add(1, std::memory_order_relaxed);
  if (!fires(kReadData, index)) return;
  const std::span<std::byte> one[] = {data};
  scramble(one, kReadData, index);
}

void HostileDevice::scramble(std::span<const std::span<std::byte>> segments, Kind kind, uint64_t index) const {
  size_t total = 0;
  for (const auto& s : segments) total += s.size();
  if (total == 0) return;
  const auto byte_at = [&](size_t at) -> std::byte& {
    for (const auto& s : segments) {
      if (at < s.size()) return s[at];
      at -= s.size();
    }
    return segments.back().back();  // not reached: at < total
  };
  const uint64_t r = draw(kind, index, 1);
  // One time in eight the whole transfer is noise, else a few bytes are.
  const bool everything = r % 8 == 0;
  const size_t count = everything ? total : 1 + (r >> 3) % 16;
  for (size_t i = 0; i < count; ++i) {
    const uint64_t b = draw(kind, index, 2 + i);
    byte_at(everything ? i : b % total) = static_cast<std::byte>(b >> 56);
  }
}

}  // namespace nvqual::sim
