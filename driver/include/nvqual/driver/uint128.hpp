// A 128-bit unsigned counter as NVMe stores them (TNVMCAP, NVMCAP, the SMART
// counters): little-endian on the wire, kept here as two 64-bit halves so no
// caller needs a compiler extension to hold or compare one.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace nvqual {

struct Uint128 {
  uint64_t lo = 0;
  uint64_t hi = 0;

  constexpr bool fits_64() const { return hi == 0; }
  // The low 64 bits when the value fits, else UINT64_MAX (saturated), so a
  // caller that only handles 64-bit values never silently wraps.
  constexpr uint64_t saturated_64() const { return hi == 0 ? lo : ~uint64_t{0}; }
  // Exact decimal form, e.g. "340282366920938463463374607431768211455".
  std::string to_decimal() const;

  friend constexpr bool operator==(const Uint128&, const Uint128&) = default;
  friend constexpr auto operator<=>(const Uint128& a, const Uint128& b) {
    if (auto c = a.hi <=> b.hi; c != 0) return c;
    return a.lo <=> b.lo;
  }
};

}  // namespace nvqual
