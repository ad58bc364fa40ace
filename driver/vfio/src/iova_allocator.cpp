#include "nvqual/vfio/iova_allocator.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace nvqual::vfio {
namespace {

// Rounds up to a power-of-two alignment; nullopt on overflow.
std::optional<uint64_t> align_up(uint64_t value, uint64_t alignment) {
  const uint64_t mask = alignment - 1;
  if (value > UINT64_MAX - mask) return std::nullopt;
  return (value + mask) & ~mask;
}

}  // namespace

IovaAllocator::IovaAllocator(std::vector<IovaRange> valid, uint64_t base) : valid_(std::move(valid)), base_(base) {
  std::sort(valid_.begin(), valid_.end(), [](const IovaRange& a, const IovaRange& b) { return a.first < b.first; });
}

std::optional<uint64_t> IovaAllocator::allocate(uint64_t size, uint64_t alignment) {
  if (size == 0 || alignment == 0 || (alignment & (alignment - 1)) != 0) return std::nullopt;
  // The first aligned address after the inclusive `last`; nullopt past the top of the address space.
  const auto after = [alignment](uint64_t last) -> std::optional<uint64_t> {
    if (last == UINT64_MAX) return std::nullopt;
    return align_up(last + 1, alignment);
  };
  for (const auto& range : valid_) {
    if (range.last < base_) continue;
    auto candidate = align_up(std::max(range.first, base_), alignment);
    // Inclusive ends throughout: a range may end at UINT64_MAX.
    while (candidate && *candidate <= range.last && size - 1 <= range.last - *candidate) {
      const uint64_t last_byte = *candidate + (size - 1);
      // A live allocation starting before the candidate may reach into it;
      // the first one starting at or after it must start past last_byte.
      auto next = used_.lower_bound(*candidate);
      if (next != used_.begin()) {
        const auto previous = std::prev(next);
        const uint64_t previous_last = previous->first + (previous->second - 1);
        if (previous_last >= *candidate) {
          candidate = after(previous_last);
          continue;
        }
      }
      if (next != used_.end() && next->first <= last_byte) {
        candidate = after(next->first + (next->second - 1));
        continue;
      }
      used_.emplace(*candidate, size);
      return candidate;
    }
  }
  return std::nullopt;
}

void IovaAllocator::release(uint64_t iova) { used_.erase(iova); }

std::string IovaAllocator::describe_ranges() const {
  std::string text;
  for (const auto& range : valid_) {
    text += fmt::format("{}0x{:x}-0x{:x}", text.empty() ? "" : ", ", range.first, range.last);
  }
  return text.empty() ? "none" : text;
}

}  // namespace nvqual::vfio
