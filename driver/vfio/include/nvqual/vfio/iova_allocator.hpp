// Chooses I/O virtual addresses for DMA mappings inside the ranges the IOMMU
// accepts (VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE; reserved windows such as the
// x86 MSI range 0xfee00000-0xfeefffff are the gaps between them). First fit
// from `base` upwards, so the IOVAs of a run are predictable in traces.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nvqual::vfio {

struct IovaRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive, as the kernel reports it
};

class IovaAllocator {
 public:
  IovaAllocator(std::vector<IovaRange> valid, uint64_t base);

  // The lowest address >= base, aligned to `alignment` (a power of two), such
  // that [iova, iova + size) lies inside one valid range and overlaps no live
  // allocation. nullopt when none fits.
  std::optional<uint64_t> allocate(uint64_t size, uint64_t alignment);
  // Forgets the allocation that starts at `iova`; unknown addresses are ignored.
  void release(uint64_t iova);

  const std::vector<IovaRange>& valid_ranges() const { return valid_; }
  // "0x0-0xfedfffff, 0xfef00000-0xffffffffffff" for messages.
  std::string describe_ranges() const;

 private:
  std::vector<IovaRange> valid_;  // sorted by first
  uint64_t base_;
  std::map<uint64_t, uint64_t> used_;  // start -> size
};

}  // namespace nvqual::vfio
