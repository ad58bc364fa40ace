#include "nvqual/driver/uint128.hpp"

#include <algorithm>

namespace nvqual {

std::string Uint128::to_decimal() const {
  // Repeated division by 10 over 32-bit limbs, most significant first; each
  // step's remainder fits 64 bits, so no 128-bit arithmetic is needed.
  uint32_t limbs[4] = {static_cast<uint32_t>(hi >> 32), static_cast<uint32_t>(hi), static_cast<uint32_t>(lo >> 32),
                       static_cast<uint32_t>(lo)};
  std::string digits;
  auto is_zero = [&] { return std::all_of(std::begin(limbs), std::end(limbs), [](uint32_t l) { return l == 0; }); };
  do {
    uint64_t remainder = 0;
    for (auto& limb : limbs) {
      const uint64_t current = (remainder << 32) | limb;
      limb = static_cast<uint32_t>(current / 10);
      remainder = current % 10;
    }
    digits.push_back(static_cast<char>('0' + remainder));
  } while (!is_zero());
  std::reverse(digits.begin(), digits.end());
  return digits;
}

}  // namespace nvqual
