// DMA memory mapped once and handed out in pieces, so the per-command path
// never maps, unmaps or makes a system call (issue 9; docs/performance.md,
// "The data path"). A Controller owns one (Controller::dma_memory()); PRP
// list pages, harness step buffers and `nvqual read`'s in-flight buffers come
// from it.
//
// The region is allocated from the transport once, at construction, and
// freed in the destructor (or given up, abandon(), when the controller could
// not be stopped). Pieces are whole 4 KiB pages, first fit, tracked in a
// bitmap sized at construction: dma_alloc and dma_free allocate no heap
// memory. A request the arena cannot hold (too large, or the arena is full)
// goes to the transport as before, so no caller ever fails for want of arena.
// Every piece handed out must be freed before the arena goes (owners of the
// Controller free their buffers before it, as for any DMA memory).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "nvqual/driver/transport.hpp"

namespace nvqual {

class DmaArena final : public DmaMemory {
 public:
  static constexpr size_t kPage = 4096;

  // `bytes` rounded up to whole pages; 0 maps nothing (every request goes to the transport).
  DmaArena(Transport& transport, size_t bytes);
  ~DmaArena() override;
  DmaArena(const DmaArena&) = delete;
  DmaArena& operator=(const DmaArena&) = delete;

  // Zeroed, as the transport's memory is. Thread-safe (one uncontended mutex).
  DmaRegion dma_alloc(size_t size, size_t alignment) override;
  void dma_free(const DmaRegion& region) noexcept override;

  // For a controller that could not be stopped: the region stays mapped until
  // the transport closes; nothing is freed, later frees of pieces are ignored.
  void abandon() noexcept;

  size_t size() const { return region_.size; }
  // Pieces handed out now and in all (from the arena, not the transport's fallback).
  size_t pieces_in_use() const;
  uint64_t pieces_served() const;
  // Requests passed on to the transport (too large, or the arena full).
  uint64_t fallbacks() const;

 private:
  bool owns(const DmaRegion& region) const;
  // First run of `pages` free pages starting on a multiple of `step`; npos when none.
  size_t find_run(size_t pages, size_t step) const;
  void mark(size_t first, size_t pages, bool used);

  Transport& transport_;
  DmaRegion region_{};
  bool abandoned_ = false;
  mutable std::mutex mutex_;
  std::vector<bool> used_;  // one bit per page
  size_t in_use_ = 0;
  uint64_t served_ = 0;
  uint64_t fallbacks_ = 0;
};

}  // namespace nvqual
