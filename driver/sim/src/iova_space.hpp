// The simulated IOMMU: host memory handed out at IOVAs, and the translation
// every device access goes through. Not synchronised: Device guards it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "nvqual/driver/transport.hpp"

namespace nvqual::sim {

class IovaSpace {
 public:
  explicit IovaSpace(uint64_t base) : next_iova_(base) {}
  ~IovaSpace();
  IovaSpace(const IovaSpace&) = delete;
  IovaSpace& operator=(const IovaSpace&) = delete;

  // Zeroed memory, size rounded up to 4 KiB, aligned in host and IOVA space.
  // IOVAs only grow and a one-page hole follows each region, so neither a
  // stale address nor an overrun ever lands in another buffer.
  DmaRegion allocate(size_t size, size_t alignment);

  enum class Release { kFreed, kQuarantined, kUnknown };
  // Unmaps the region. With keep_alive the host memory stays allocated until
  // this object dies (the device may still hold a pointer into it).
  Release release(const DmaRegion& region, bool keep_alive);

  // Host address of [iova, iova + length) when one mapped region holds all of
  // it, else nullptr.
  std::byte* translate(uint64_t iova, size_t length) const;
  bool is_mapped(const DmaRegion& region) const;
  size_t mapped_count() const { return mappings_.size(); }

 private:
  struct Mapping {
    uint64_t iova = 0;
    size_t size = 0;
    std::byte* host = nullptr;
  };
  std::map<uint64_t, Mapping> mappings_;  // keyed by IOVA
  std::vector<std::byte*> quarantine_;
  uint64_t next_iova_;
};

}  // namespace nvqual::sim
