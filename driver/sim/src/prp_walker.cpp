#include "prp_walker.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace nvqual::sim {

namespace {

PrpOutcome offset_invalid(std::string why) { return {spec::status::kPrpOffsetInvalid, std::move(why)}; }

PrpOutcome unmapped(const char* what, uint64_t iova, size_t length) {
  return {spec::status::kDataTransferError,
          fmt::format("{} 0x{:x} (+{} bytes) is not mapped DMA memory; the command points at memory the "
                      "controller cannot reach (freed, never allocated, or past the buffer's end)",
                      what, iova, length)};
}

}  // namespace

PrpOutcome walk_prps(const IovaSpace& memory, uint64_t prp1, uint64_t prp2, size_t length, uint64_t page_size,
                     std::vector<std::span<std::byte>>& segments) {
  segments.clear();
  if (length == 0) return {};
  const uint64_t offset_mask = page_size - 1;
  if ((prp1 & 0x3) != 0) {
    return offset_invalid(fmt::format("PRP1 0x{:x} is not dword aligned; PRP1's offset must be a multiple of 4", prp1));
  }
  const size_t first = std::min<size_t>(length, page_size - (prp1 & offset_mask));
  std::byte* host = memory.translate(prp1, first);
  if (host == nullptr) return unmapped("PRP1", prp1, first);
  segments.emplace_back(host, first);
  size_t remaining = length - first;
  if (remaining == 0) return {};

  // One more page: PRP2 is that page.
  if (remaining <= page_size) {
    if ((prp2 & offset_mask) != 0) {
      return offset_invalid(
          fmt::format("PRP2 0x{:x} has offset 0x{:x} into its {}-byte page; a second data page "
                      "must be page aligned",
                      prp2, prp2 & offset_mask, page_size));
    }
    host = memory.translate(prp2, remaining);
    if (host == nullptr) return unmapped("PRP2", prp2, remaining);
    segments.emplace_back(host, remaining);
    return {};
  }

  // More: PRP2 points at a PRP list, which may start inside its page (qword aligned).
  if ((prp2 & 0x7) != 0) {
    return offset_invalid(fmt::format("PRP2 0x{:x} (a PRP list pointer) is not qword aligned", prp2));
  }
  uint64_t list = prp2;
  size_t list_pages = 0;
  while (remaining > 0) {
    const size_t slots = (page_size - (list & offset_mask)) / sizeof(uint64_t);
    const auto* entries = reinterpret_cast<const uint64_t*>(memory.translate(list, slots * sizeof(uint64_t)));
    if (entries == nullptr)
      return unmapped(list_pages == 0 ? "PRP list (PRP2)" : "chained PRP list page", list, slots * 8);
    ++list_pages;
    for (size_t i = 0; i < slots && remaining > 0; ++i) {
      const uint64_t entry = entries[i];
      const bool chain = i + 1 == slots && remaining > page_size;
      if ((entry & offset_mask) != 0) {
        return offset_invalid(
            fmt::format("PRP list entry {} of list page {} is 0x{:x}, offset 0x{:x} into its page; "
                        "{} must be page aligned",
                        i, list_pages, entry, entry & offset_mask, chain ? "a list chain pointer" : "list entries"));
      }
      if (chain) {
        list = entry;
        break;
      }
      const size_t chunk = std::min<size_t>(remaining, page_size);
      host = memory.translate(entry, chunk);
      if (host == nullptr) return unmapped("PRP list entry", entry, chunk);
      segments.emplace_back(host, chunk);
      remaining -= chunk;
    }
  }
  return {};
}

void scatter(std::span<const std::byte> data, const std::vector<std::span<std::byte>>& segments) {
  size_t done = 0;
  for (const auto& segment : segments) {
    const size_t n = std::min(segment.size(), data.size() - done);
    std::memcpy(segment.data(), data.data() + done, n);
    done += n;
  }
}

void gather(const std::vector<std::span<std::byte>>& segments, std::span<std::byte> data) {
  size_t done = 0;
  for (const auto& segment : segments) {
    const size_t n = std::min(segment.size(), data.size() - done);
    std::memcpy(data.data() + done, segment.data(), n);
    done += n;
  }
}

}  // namespace nvqual::sim
