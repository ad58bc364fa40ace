// Owning handle on a DMA region. Move-only; frees through the transport or
// arena (dma_arena.hpp) that allocated it. Owners must disable the controller before a buffer it may
// still reach is destroyed (Controller does this in its destructor).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "nvqual/driver/transport.hpp"

namespace nvqual {

class DmaBuffer {
 public:
  static constexpr size_t kHostPage = 4096;

  DmaBuffer() = default;
  DmaBuffer(DmaMemory& memory, size_t size, size_t alignment = kHostPage)
      : transport_(&memory), region_(memory.dma_alloc(size, alignment)) {}
  ~DmaBuffer() { release(); }

  DmaBuffer(DmaBuffer&& other) noexcept
      : transport_(std::exchange(other.transport_, nullptr)), region_(std::exchange(other.region_, {})) {}
  DmaBuffer& operator=(DmaBuffer&& other) noexcept {
    if (this != &other) {
      release();
      transport_ = std::exchange(other.transport_, nullptr);
      region_ = std::exchange(other.region_, {});
    }
    return *this;
  }
  DmaBuffer(const DmaBuffer&) = delete;
  DmaBuffer& operator=(const DmaBuffer&) = delete;

  // Gives the region up without freeing it, for memory a device that could
  // not be stopped may still write: it stays allocated and mapped until the
  // transport itself closes (VFIO stops bus mastering first). Leaves the
  // buffer empty.
  void abandon() noexcept {
    transport_ = nullptr;
    region_ = {};
  }

  bool empty() const { return region_.host == nullptr; }
  std::byte* data() const { return region_.host; }
  uint64_t iova() const { return region_.iova; }
  size_t size() const { return region_.size; }
  std::span<std::byte> bytes() const { return {region_.host, region_.size}; }
  template <typename T>
  T* as() const {
    return reinterpret_cast<T*>(region_.host);
  }

 private:
  void release() noexcept {
    if (transport_ != nullptr && region_.host != nullptr) transport_->dma_free(region_);
    region_ = {};
  }

  DmaMemory* transport_ = nullptr;  // what allocated it: a transport or an arena
  DmaRegion region_{};
};

}  // namespace nvqual
