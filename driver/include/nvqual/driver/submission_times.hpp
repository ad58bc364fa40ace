// When each outstanding command of one queue was submitted (the SQ tail
// doorbell that covered it was written), by CID. Every command's deadline runs
// from its own submission: a batch waited for in order must not give its last
// command N timeouts.
//
// Open addressing with linear probing, sized once for the queue's capacity:
// no allocation after construction and O(1) per command on the I/O path.
// Commands can complete in any order, so a per-slot table would not do: an SQ
// slot is reused as soon as the device fetched it, completed or not.
#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <vector>

#include "nvqual/driver/clock.hpp"

namespace nvqual {

class SubmissionTimes {
 public:
  // `capacity`: most commands outstanding at once. The table keeps at least
  // half its slots free, so probes stay short.
  explicit SubmissionTimes(uint32_t capacity)
      : slots_(std::bit_ceil(2 * capacity + 2)),
        mask_(slots_.size() - 1),
        shift_(32 - std::countr_zero(static_cast<uint32_t>(slots_.size()))) {}

  void set(uint16_t cid, Clock::time_point when) {
    size_t i = home(cid);
    while (slots_[i].used && slots_[i].cid != cid) i = (i + 1) & mask_;
    slots_[i] = {true, cid, when};
  }

  std::optional<Clock::time_point> get(uint16_t cid) const {
    for (size_t i = home(cid); slots_[i].used; i = (i + 1) & mask_) {
      if (slots_[i].cid == cid) return slots_[i].when;
    }
    return std::nullopt;
  }

  void erase(uint16_t cid) {
    size_t i = home(cid);
    while (slots_[i].used && slots_[i].cid != cid) i = (i + 1) & mask_;
    if (!slots_[i].used) return;
    // Backward-shift deletion: move later entries of the probe run into the
    // hole, so lookups never need tombstones.
    for (size_t next = (i + 1) & mask_; slots_[next].used; next = (next + 1) & mask_) {
      const size_t want = home(slots_[next].cid);
      // The entry may move to the hole unless its home lies cyclically in (i, next].
      const bool stays = i <= next ? (i < want && want <= next) : (i < want || want <= next);
      if (stays) continue;
      slots_[i] = slots_[next];
      i = next;
    }
    slots_[i].used = false;
  }

 private:
  struct Slot {
    bool used = false;
    uint16_t cid = 0;
    Clock::time_point when{};
  };
  // Fibonacci hashing. CIDs are handed out in sequence, so `cid & mask_` would
  // put every outstanding command in one contiguous run, and each erase of the
  // oldest would shift-scan the whole run: O(queue depth) per completion. The
  // multiplication scatters consecutive CIDs, keeping runs short at load <= 1/2.
  size_t home(uint16_t cid) const { return (uint32_t{cid} * 0x9E3779B1u) >> shift_ & mask_; }

  std::vector<Slot> slots_;
  size_t mask_;
  int shift_;
};

}  // namespace nvqual
