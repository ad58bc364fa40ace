// Command identifiers for one submission queue. CIDs advance through the whole
// 16-bit space (so a long run exercises every value, as conformance suites
// expect) and never hand out a CID that is still outstanding. FFFFh is never
// used: the Error Information log uses it for "no command" (2.0, 5.16.1.2).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace nvqual {

class CidAllocator {
 public:
  static constexpr uint32_t kFullSpace = 0xFFFF;  // CIDs 0000h..FFFEh

  explicit CidAllocator(uint32_t space = kFullSpace) : in_use_(space, false), space_(space) {}

  // The next free CID after the last one handed out, or nothing when all are outstanding.
  std::optional<uint16_t> allocate() {
    if (outstanding_ == space_) return std::nullopt;
    for (;;) {
      const uint32_t cid = next_;
      next_ = next_ + 1 == space_ ? 0 : next_ + 1;
      if (!in_use_[cid]) {
        in_use_[cid] = true;
        ++outstanding_;
        return static_cast<uint16_t>(cid);
      }
    }
  }
  // False if the CID was not outstanding (a duplicate or invented completion).
  bool release(uint16_t cid) {
    if (cid >= space_ || !in_use_[cid]) return false;
    in_use_[cid] = false;
    --outstanding_;
    return true;
  }
  bool outstanding(uint16_t cid) const { return cid < space_ && in_use_[cid]; }
  uint32_t outstanding_count() const { return outstanding_; }
  uint32_t space() const { return space_; }
  void reset() {
    in_use_.assign(space_, false);
    outstanding_ = 0;
  }

 private:
  std::vector<bool> in_use_;
  uint32_t space_;
  uint32_t next_ = 0;
  uint32_t outstanding_ = 0;
};

}  // namespace nvqual
