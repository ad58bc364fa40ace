// Physical Region Page construction (NVMe Base 2.0, 4.1.1). Pure functions,
// tested against boundary tables; no DMA, no transport.
//
// PRP1 may start at any dword-aligned offset in a page. If the transfer ends
// within the page after PRP1's page, PRP2 points at that page; if it spans more,
// PRP2 points at a PRP list. List entries have no offset, and the last entry of
// a full list page points at the next list page.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace nvqual::prp {

// PRP1's offset and every PRP entry are dword aligned (NVMe Base 2.0, 4.1.1):
// the one definition of that rule.
inline constexpr uint64_t kAlignment = 4;
constexpr bool is_dword_aligned(uint64_t value) { return value % kAlignment == 0; }
// Throws DriverError kInvalidArgument naming the offset when it is not dword aligned.
void require_dword_aligned(uint64_t offset);

struct Plan {
  uint64_t prp1 = 0;
  uint64_t prp2 = 0;                   // second data page, or 0 when a list is needed / not used
  std::vector<uint64_t> list_entries;  // data pages after the first, when more than two pages
  bool needs_list() const { return !list_entries.empty(); }
};

// Number of memory pages (of page_size) the transfer [address, address+length) touches.
size_t pages_spanned(uint64_t address, size_t length, size_t page_size);

// Splits a transfer that is contiguous in IOVA space into PRP entries.
// Throws std::invalid_argument if the address is not dword aligned or length is 0.
Plan plan(uint64_t iova, size_t length, size_t page_size);

// Number of PRP list pages needed for `entries` data-page entries.
size_t list_pages_needed(size_t entries, size_t page_size);

// Lays out `entries` across list pages whose IOVAs are given (list_pages_needed of them).
// Returns each page's contents (page_size / 8 slots; unused slots zero) and sets
// `prp2` to the first list page. Chaining: when entries remain after a page's
// last slot, that slot holds the next list page's address instead.
std::vector<std::vector<uint64_t>> lay_out_lists(const std::vector<uint64_t>& entries,
                                                 const std::vector<uint64_t>& list_page_iovas, size_t page_size);

}  // namespace nvqual::prp
