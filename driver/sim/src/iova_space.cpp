#include "iova_space.hpp"

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "nvqual/driver/errors.hpp"

namespace nvqual::sim {

namespace {
constexpr size_t kPage = 4096;
constexpr uint64_t round_up(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}
}  // namespace

IovaSpace::~IovaSpace() {
  for (auto& [iova, mapping] : mappings_) std::free(mapping.host);
  for (auto* host : quarantine_) std::free(host);
}

DmaRegion IovaSpace::allocate(size_t size, size_t alignment) {
  if (alignment < kPage || (alignment & (alignment - 1)) != 0) {
    throw DriverError(ErrorKind::kInvalidArgument, "DMA alignment " + std::to_string(alignment) +
                                                       " is not a power of two of at least 4096; pass a page multiple");
  }
  if (size == 0) {
    throw DriverError(ErrorKind::kInvalidArgument, "DMA allocation of 0 bytes; ask for at least one byte");
  }
  const size_t rounded = round_up(size, kPage);
  auto* host = static_cast<std::byte*>(std::aligned_alloc(alignment, round_up(rounded, alignment)));
  if (host == nullptr) throw std::bad_alloc();
  std::memset(host, 0, rounded);
  const uint64_t iova = round_up(next_iova_, alignment);
  next_iova_ = iova + rounded + kPage;
  mappings_.emplace(iova, Mapping{iova, rounded, host});
  return DmaRegion{host, iova, rounded};
}

IovaSpace::Release IovaSpace::release(const DmaRegion& region, bool keep_alive) {
  const auto it = mappings_.find(region.iova);
  if (it == mappings_.end() || it->second.host != region.host) return Release::kUnknown;
  if (keep_alive) {
    quarantine_.push_back(it->second.host);
  } else {
    std::free(it->second.host);
  }
  mappings_.erase(it);
  return keep_alive ? Release::kQuarantined : Release::kFreed;
}

std::byte* IovaSpace::translate(uint64_t iova, size_t length) const {
  auto it = mappings_.upper_bound(iova);
  if (it == mappings_.begin()) return nullptr;
  --it;
  const Mapping& m = it->second;
  if (iova < m.iova || iova - m.iova >= m.size || length > m.size - (iova - m.iova)) return nullptr;
  return m.host + (iova - m.iova);
}

bool IovaSpace::is_mapped(const DmaRegion& region) const {
  const auto it = mappings_.find(region.iova);
  return it != mappings_.end() && it->second.host == region.host;
}

}  // namespace nvqual::sim
