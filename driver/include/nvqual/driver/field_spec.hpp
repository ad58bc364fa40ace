// Where a named field sits in a little-endian wire structure: its name, byte
// offset and width. Identify (identify_layout.hpp) and log page
// (log_page_layout.hpp) layouts are tables of these.
#pragma once

#include <cstdint>

namespace nvqual {

struct FieldSpec {
  const char* name;
  uint16_t offset;  // from the start of the enclosing structure
  uint16_t width;   // bytes
  constexpr uint16_t end() const { return static_cast<uint16_t>(offset + width); }
};

// How a string field is padded on the wire: SN/MN/FR with spaces, NQNs with
// NULs (NVMe Base 2.0, 1.5 conventions; Figure 275 SUBNQN).
enum class Pad : char { kSpace = ' ', kNul = '\0' };

}  // namespace nvqual
