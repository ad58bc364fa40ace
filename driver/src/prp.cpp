#include "nvqual/driver/prp.hpp"

#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "nvqual/driver/errors.hpp"

namespace nvqual::prp {

void require_dword_aligned(uint64_t offset) {
  if (!is_dword_aligned(offset)) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("PRP1 offset {} is not dword aligned (NVMe Base 2.0, 4.1.1)", offset));
  }
}

size_t pages_spanned(uint64_t address, size_t length, size_t page_size) {
  if (length == 0) return 0;
  const uint64_t first = address / page_size;
  const uint64_t last = (address + length - 1) / page_size;
  return static_cast<size_t>(last - first + 1);
}

Plan plan(uint64_t iova, size_t length, size_t page_size) {
  if (length == 0) throw std::invalid_argument("PRP transfer of 0 bytes");
  if (!is_dword_aligned(iova))
    throw std::invalid_argument("PRP1 must be dword aligned, got offset " + std::to_string(iova % kAlignment));
  if (page_size < 4096 || (page_size & (page_size - 1)) != 0) throw std::invalid_argument("bad memory page size");

  Plan result;
  result.prp1 = iova;
  const size_t pages = pages_spanned(iova, length, page_size);
  const uint64_t second_page = (iova / page_size + 1) * page_size;
  if (pages == 2) {
    result.prp2 = second_page;
  } else if (pages > 2) {
    result.list_entries.reserve(pages - 1);
    for (size_t i = 1; i < pages; ++i) result.list_entries.push_back(second_page + (i - 1) * page_size);
  }
  return result;
}

// Each list page holds page_size/8 slots. All but the last page give their last
// slot to the chain pointer, so they carry one entry fewer.
size_t list_pages_needed(size_t entries, size_t page_size) {
  const size_t slots = page_size / sizeof(uint64_t);
  if (entries == 0) return 0;
  if (entries <= slots) return 1;
  return 1 + (entries - slots + (slots - 1) - 1) / (slots - 1);
}

std::vector<std::vector<uint64_t>> lay_out_lists(const std::vector<uint64_t>& entries,
                                                 const std::vector<uint64_t>& list_page_iovas, size_t page_size) {
  const size_t slots = page_size / sizeof(uint64_t);
  if (list_page_iovas.size() != list_pages_needed(entries.size(), page_size)) {
    throw std::invalid_argument("wrong number of PRP list pages");
  }
  std::vector<std::vector<uint64_t>> pages;
  size_t next = 0;
  for (size_t page = 0; page < list_page_iovas.size(); ++page) {
    std::vector<uint64_t> slots_of_page(slots, 0);
    const size_t remaining = entries.size() - next;
    if (remaining <= slots) {
      for (size_t i = 0; i < remaining; ++i) slots_of_page[i] = entries[next++];
    } else {
      for (size_t i = 0; i + 1 < slots; ++i) slots_of_page[i] = entries[next++];
      slots_of_page[slots - 1] = list_page_iovas[page + 1];
    }
    pages.push_back(std::move(slots_of_page));
  }
  return pages;
}

}  // namespace nvqual::prp
