#include "written_media.hpp"

#include <algorithm>
#include <cstring>

namespace nvqual::sim {

void WrittenMedia::put(uint64_t lba, Block block, bool durable) {
  if (durable) {
    cache_.erase(lba);
    durable_[lba] = std::move(block);
  } else {
    cache_[lba] = std::move(block);
  }
}

void WrittenMedia::write(uint64_t slba, std::span<const std::byte> data, bool durable) {
  const std::lock_guard lock(mutex_);
  for (size_t i = 0; i + lba_size_ <= data.size(); i += lba_size_) {
    Block block;
    block.bytes.assign(data.begin() + static_cast<std::ptrdiff_t>(i),
                       data.begin() + static_cast<std::ptrdiff_t>(i + lba_size_));
    put(slba + i / lba_size_, std::move(block), durable);
  }
}

void WrittenMedia::fill(uint64_t slba, uint64_t blocks, Kind kind, bool durable) {
  const std::lock_guard lock(mutex_);
  for (uint64_t i = 0; i < blocks; ++i) put(slba + i, Block{kind, {}}, durable);
}

bool WrittenMedia::written(uint64_t slba, uint64_t blocks) const {
  const std::lock_guard lock(mutex_);
  for (const auto* layer : {&durable_, &cache_}) {
    const auto it = layer->lower_bound(slba);
    if (it != layer->end() && it->first - slba < blocks) return true;
  }
  return false;
}

void WrittenMedia::flush() {
  const std::lock_guard lock(mutex_);
  for (auto& [lba, block] : cache_) durable_[lba] = std::move(block);
  cache_.clear();
}

void WrittenMedia::lose_unflushed() {
  const std::lock_guard lock(mutex_);
  cache_.clear();
}

void WrittenMedia::overlay(uint64_t slba, std::span<std::byte> out) const {
  const uint64_t blocks = out.size() / lba_size_;
  const std::lock_guard lock(mutex_);
  if (durable_.empty() && cache_.empty()) return;  // the read path's common case
  for (uint64_t i = 0; i < blocks; ++i) {
    const Block* block = nullptr;
    if (const auto c = cache_.find(slba + i); c != cache_.end()) {
      block = &c->second;
    } else if (const auto d = durable_.find(slba + i); d != durable_.end()) {
      block = &d->second;
    }
    if (block == nullptr) continue;
    std::byte* dst = out.data() + i * lba_size_;
    switch (block->kind) {
      case Kind::kData: std::memcpy(dst, block->bytes.data(), lba_size_); break;
      case Kind::kZeroes: std::memset(dst, 0, lba_size_); break;
      case Kind::kDeallocated: std::memset(dst, std::to_integer<int>(deallocated_), lba_size_); break;
    }
  }
}

}  // namespace nvqual::sim
