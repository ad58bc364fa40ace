// Accessors on the Identify values and the ASCII string rule.
#include "nvqual/driver/identify.hpp"

#include "nvqual/driver/spec/bits.hpp"

namespace nvqual {

uint8_t IdentifyNamespace::active_format_index() const {
  const uint8_t low = spec::detail::get_bits<3, 0>(flbas);
  // NVM Command Set 1.0, FLBAS bits 6:5: the two upper bits of the format
  // index, meaningful only when more than 16 formats exist; with 16 or fewer
  // they are reserved and ignored here.
  if (format_count() <= 16) return low;
  const uint8_t high = spec::detail::get_bits<6, 5>(flbas);
  return static_cast<uint8_t>(spec::detail::set_bits<5, 4>(low, high));
}

bool IdentifyNamespace::metadata_extended() const { return spec::detail::get_bits<4, 4>(flbas) != 0; }

bool is_printable_ascii_padded(std::span<const std::byte> field) {
  // Padding is spaces, which are printable too, so the rule reduces to "every
  // byte in 20h-7Eh": a NUL terminator, a control byte or 8-bit text fails.
  for (std::byte b : field) {
    const auto c = std::to_integer<unsigned char>(b);
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

}  // namespace nvqual
