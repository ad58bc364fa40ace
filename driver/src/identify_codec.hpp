// Parses or encodes an Identify structure field by field from its table in
// identify_fields.hpp: with a FieldReader the members are filled from the
// page, with a FieldWriter (and a const structure) the page is filled from the
// members. One walk serves both directions, so they cannot drift apart.
// Private to the driver library.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <string>
#include <type_traits>
#include <variant>

#include "field_codec.hpp"
#include "nvqual/driver/identify_fields.hpp"

namespace nvqual::detail {

template <typename Io, typename S, std::size_t N>
void bind_fields(const Io& io, const std::array<IdentifyField<std::remove_const_t<S>>, N>& table, S& s);

// One descriptor; T is const when encoding.
template <typename Io, typename Field, typename T>
void bind_field(const Io& io, const Field& f, T& value) {
  using V = std::remove_const_t<T>;
  if constexpr (EntryArray<V>) {
    using Entry = typename V::value_type;
    constexpr size_t kStride = kEntryWireSize<Entry>;
    for (size_t i = 0; i < value.size(); ++i) {
      bind_fields(io.at(f.wire.offset + i * kStride, kStride), entry_fields(std::type_identity<Entry>{}), value[i]);
    }
  } else if constexpr (std::is_same_v<V, std::string>) {
    io.text(f.wire, value, f.pad);
  } else if constexpr (std::is_same_v<V, bool>) {
    io.bits(f.wire, f.bits.lo, f.bits.width, value);  // well_formed() made sure a bool names its bit
  } else if constexpr (std::unsigned_integral<V>) {
    if (f.bits.whole()) {
      io.field(f.wire, value);
    } else {
      io.bits(f.wire, f.bits.lo, f.bits.width, value);
    }
  } else {
    io.field(f.wire, value);  // Uint128, byte arrays, the vendor specific bytes
  }
}

template <typename Io, typename S, std::size_t N>
void bind_fields(const Io& io, const std::array<IdentifyField<std::remove_const_t<S>>, N>& table, S& s) {
  for (const auto& f : table) {
    std::visit([&](auto member) { bind_field(io, f, s.*member); }, f.member);
  }
}

}  // namespace nvqual::detail
