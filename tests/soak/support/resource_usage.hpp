// What a long run could leak, measured from outside the code under test:
// resident memory (/proc/self/statm), open file descriptors (/proc/self/fd)
// and DMA memory (CountingTransport, in front of the simulator).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "common/forwarding_transport.hpp"

namespace nvqual::soak {

// Counts the DMA memory the driver and harness hold through this transport.
class CountingTransport final : public testing_support::ForwardingTransport {
 public:
  using ForwardingTransport::ForwardingTransport;

  DmaRegion dma_alloc(size_t size, size_t alignment) override {
    DmaRegion region = inner().dma_alloc(size, alignment);
    ++live_regions_;
    live_bytes_ += region.size;
    ++allocations_;
    return region;
  }
  void dma_free(const DmaRegion& region) noexcept override {
    --live_regions_;
    live_bytes_ -= region.size;
    inner().dma_free(region);
  }

  int64_t live_regions() const { return live_regions_; }
  int64_t live_bytes() const { return live_bytes_; }
  uint64_t allocations() const { return allocations_; }  // since construction

 private:
  int64_t live_regions_ = 0;
  int64_t live_bytes_ = 0;
  uint64_t allocations_ = 0;
};

struct ResourceUsage {
  uint64_t resident_bytes = 0;
  uint64_t open_fds = 0;
  int64_t dma_regions = 0;
  int64_t dma_bytes = 0;

  std::string describe() const {
    return fmt::format("RSS {:.1f} MiB, {} fds, {} DMA regions ({} KiB)", resident_bytes / 1048576.0, open_fds,
                       dma_regions, dma_bytes / 1024);
  }
};

inline uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size_pages = 0, resident_pages = 0;
  statm >> size_pages >> resident_pages;
  return resident_pages * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

inline uint64_t open_fds() {
  uint64_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n - 1;  // the directory iterator's own descriptor
}

inline ResourceUsage measure(const CountingTransport& dma) {
  return {resident_bytes(), open_fds(), dma.live_regions(), dma.live_bytes()};
}

}  // namespace nvqual::soak
