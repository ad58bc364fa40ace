// Bit-field access for register and wire-structure classes only.
// Call sites never shift or mask: they use the named accessors built on these.
#pragma once

#include <cstdint>
#include <type_traits>

namespace nvqual::spec::detail {

template <unsigned Hi, unsigned Lo, typename T>
constexpr T field_mask() {
  static_assert(std::is_unsigned_v<T>);
  static_assert(Hi >= Lo && Hi < sizeof(T) * 8, "field outside the register");
  constexpr unsigned width = Hi - Lo + 1;
  if constexpr (width == sizeof(T) * 8) {
    return static_cast<T>(~T{0});
  } else {
    return static_cast<T>((T{1} << width) - 1);
  }
}

template <unsigned Hi, unsigned Lo, typename T>
constexpr T get_bits(T raw) {
  return static_cast<T>((raw >> Lo) & field_mask<Hi, Lo, T>());
}

// Returns raw with bits Hi..Lo replaced by value (truncated to the field width).
template <unsigned Hi, unsigned Lo, typename T>
constexpr T set_bits(T raw, std::type_identity_t<T> value) {
  constexpr T mask = field_mask<Hi, Lo, T>();
  return static_cast<T>((raw & ~static_cast<T>(mask << Lo)) | static_cast<T>((value & mask) << Lo));
}

}  // namespace nvqual::spec::detail

// Declares `name()` returning the field and `set_name(v)` returning a copy with
// the field replaced, so a register can be edited in one chain.
#define NVQUAL_REG_FIELD(name, hi, lo)                                      \
  constexpr raw_type name() const { return detail::get_bits<hi, lo>(raw); } \
  constexpr auto set_##name(raw_type v) const {                             \
    auto copy = *this;                                                      \
    copy.raw = detail::set_bits<hi, lo>(raw, v);                            \
    return copy;                                                            \
  }
