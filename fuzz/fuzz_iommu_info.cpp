// The VFIO_IOMMU_GET_INFO buffer and its capability chain, whose offsets come
// from the kernel (driver/vfio/src/iommu_info.cpp): any buffer parses without
// throwing or reading outside it, the IOVA ranges are never empty nor
// inverted, and the minimum page size is one power of two.
#include <bit>

#include "fuzz_input.hpp"
#include "nvqual/vfio/iommu_info.hpp"

using nvqual::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A heap copy of exactly `size` bytes, so ASan sees any read past the buffer.
  const std::vector<std::byte> buffer(nvqual::fuzz::as_bytes(data, size).begin(),
                                      nvqual::fuzz::as_bytes(data, size).end());
  const nvqual::vfio::IommuInfo info = nvqual::vfio::parse_iommu_info(buffer);
  require(!info.ranges.empty(), "there is always an IOVA range (the kernel's or the fallback)");
  for (const auto& range : info.ranges) require(range.first <= range.last, "no inverted IOVA range");
  require(std::has_single_bit(info.min_page_size), "the minimum page size is a power of two");
  if (!info.ranges_from_kernel) {
    require(
        info.ranges.size() == 1 && info.ranges[0].first == 0 && info.ranges[0].last == nvqual::vfio::kFallbackIovaLast,
        "without kernel ranges, the fallback range");
  }
  return 0;
}
