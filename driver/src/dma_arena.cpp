#include "nvqual/driver/dma_arena.hpp"

#include <cstring>

namespace nvqual {

namespace {
constexpr size_t kNone = ~size_t{0};
size_t pages_of(size_t bytes) { return (bytes + DmaArena::kPage - 1) / DmaArena::kPage; }
}  // namespace

DmaArena::DmaArena(Transport& transport, size_t bytes) : transport_(transport) {
  if (bytes == 0) return;
  region_ = transport.dma_alloc(pages_of(bytes) * kPage, kPage);
  used_.assign(region_.size / kPage, false);
}

DmaArena::~DmaArena() {
  if (!abandoned_ && region_.host != nullptr) transport_.dma_free(region_);
}

void DmaArena::abandon() noexcept {
  const std::lock_guard lock(mutex_);
  abandoned_ = true;
}

bool DmaArena::owns(const DmaRegion& region) const {
  return region_.host != nullptr && region.host >= region_.host && region.host < region_.host + region_.size;
}

size_t DmaArena::find_run(size_t pages, size_t step) const {
  // The IOVA, not only the host address, must be aligned: step in pages from the region's IOVA.
  const size_t total = used_.size();
  size_t first = 0;
  const uint64_t misalign = (region_.iova / kPage) % step;
  if (misalign != 0) first = step - misalign;
  for (; first + pages <= total; first += step) {
    size_t i = 0;
    while (i < pages && !used_[first + i]) ++i;
    if (i == pages) return first;
  }
  return kNone;
}

void DmaArena::mark(size_t first, size_t pages, bool used) {
  for (size_t i = 0; i < pages; ++i) used_[first + i] = used;
}

DmaRegion DmaArena::dma_alloc(size_t size, size_t alignment) {
  const size_t pages = pages_of(std::max<size_t>(size, 1));
  const size_t step = std::max<size_t>(alignment, kPage) / kPage;
  {
    const std::lock_guard lock(mutex_);
    if (!abandoned_ && pages <= used_.size()) {
      if (const size_t first = find_run(pages, step); first != kNone) {
        mark(first, pages, true);
        ++in_use_;
        ++served_;
        DmaRegion piece{region_.host + first * kPage, region_.iova + first * kPage, pages * kPage};
        std::memset(piece.host, 0, piece.size);
        return piece;
      }
    }
    ++fallbacks_;
  }
  return transport_.dma_alloc(size, alignment);
}

void DmaArena::dma_free(const DmaRegion& region) noexcept {
  if (!owns(region)) {
    transport_.dma_free(region);
    return;
  }
  const std::lock_guard lock(mutex_);
  if (abandoned_) return;
  // The simulator checks that nothing the controller can reach points into it,
  // as it does for a region the transport frees.
  transport_.dma_returned(region);
  mark(static_cast<size_t>(region.host - region_.host) / kPage, region.size / kPage, false);
  --in_use_;
}

size_t DmaArena::pieces_in_use() const {
  const std::lock_guard lock(mutex_);
  return in_use_;
}

uint64_t DmaArena::pieces_served() const {
  const std::lock_guard lock(mutex_);
  return served_;
}

uint64_t DmaArena::fallbacks() const {
  const std::lock_guard lock(mutex_);
  return fallbacks_;
}

}  // namespace nvqual
