// One Identify field, described once: where it sits on the wire, which member
// of the typed structure (identify.hpp) holds it, and how nvme-cli shows it.
// identify_fields.hpp lists every field with these descriptors, and everything
// else reads that list: the parsers and encoders (driver/src/identify_codec.hpp),
// the layout tables (identify_layout.hpp), and the app's nvme-cli style text
// and JSON (app/identify_print.cpp, app/identify_json.cpp).
#pragma once

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "nvqual/driver/field_spec.hpp"
#include "nvqual/driver/identify.hpp"
#include "nvqual/driver/uint128.hpp"

namespace nvqual {

// How nvme-cli shows a field in `id-ctrl` / `id-ns` (text) and with `-o json`.
enum class Show : uint8_t {
  kDecimal,     // text: decimal; JSON: number (128-bit: a decimal string beyond 64 bits)
  kHex,         // text: "%#x", so zero stays "0"; JSON: number
  kOui,         // IEEE OUI: text: six hex digits; JSON: number
  kText,        // ASCII string: text escaped for the terminal; JSON: string
  kUuid,        // 16 bytes as 8-4-4-4-12 lower-case hex, in both
  kHexBytes,    // bytes as plain lower-case hex in wire order, in both
  kVendorRows,  // vendor bytes: JSON only, as nvme-cli's rows of 16 printable characters
  kNotShown,    // kept in the structure, shown in neither (the controller's 1 KiB vendor area)
  kEntries,     // a list of sub-structures, each entry shown through its own table
};

// Bits lo..lo+width-1 of a field's bytes; width 0 means the whole field. Two
// descriptors share one field's bytes this way (NVMe Base 2.0 Figure 276:
// byte 3 holds MXPS in bit 0 and NOPS in bit 1).
struct BitRange {
  uint8_t lo = 0;
  uint8_t width = 0;
  constexpr bool whole() const { return width == 0; }
};

// Bytes one entry of a list field takes on the wire; 0 for a type that is not an entry.
template <typename Entry>
inline constexpr uint16_t kEntryWireSize = 0;
template <>
inline constexpr uint16_t kEntryWireSize<PowerStateDescriptor> = 32;  // NVMe Base 2.0, Figure 276
template <>
inline constexpr uint16_t kEntryWireSize<LbaFormat> = 4;  // NVM Command Set 1.0, Figure 98

namespace detail {
template <typename T>
struct IsEntryArray : std::false_type {};
template <typename Entry, std::size_t N>
struct IsEntryArray<std::array<Entry, N>> : std::bool_constant<(kEntryWireSize<Entry> > 0)> {};
}  // namespace detail

// A fixed array of sub-structures: the 32 power state descriptors, the 64 LBA formats.
template <typename T>
concept EntryArray = detail::IsEntryArray<T>::value;

// Every member type a descriptor can point at.
template <typename S>
using MemberOf =
    std::variant<uint8_t S::*, bool S::*, uint16_t S::*, uint32_t S::*, uint64_t S::*, Uint128 S::*, std::string S::*,
                 std::array<uint8_t, 8> S::*, std::array<uint8_t, 16> S::*, std::vector<uint8_t> S::*,
                 std::array<PowerStateDescriptor, 32> S::*, std::array<LbaFormat, 64> S::*>;

namespace detail {
// Not constexpr on purpose: reaching it while the compiler evaluates a table
// makes that table ill-formed, and the diagnostic shows `why`.
[[noreturn]] inline void identify_table_error(const char* why) { throw std::logic_error(why); }

template <typename T>
constexpr bool width_fits(uint16_t width) {
  if constexpr (std::is_same_v<T, bool>) {
    return width >= 1 && width <= 8;  // the bit range says which bit
  } else if constexpr (std::unsigned_integral<T>) {
    return width >= 1 && width <= sizeof(T);  // IEEE: 3 bytes in a uint32_t
  } else if constexpr (std::is_same_v<T, Uint128>) {
    return width == 16;
  } else if constexpr (EntryArray<T>) {
    return width == std::tuple_size_v<T> * kEntryWireSize<typename T::value_type>;
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::vector<uint8_t>>) {
    return width >= 1;
  } else {
    return width == std::tuple_size_v<T>;  // std::array<uint8_t, N>
  }
}
}  // namespace detail

template <typename S>
struct IdentifyField {
  FieldSpec wire;  // spec name in lower case (as libnvme and nvme-cli spell it), byte offset, width
  MemberOf<S> member;
  Show show = Show::kDecimal;
  const char* json = nullptr;        // nvme-cli's JSON key where it differs from the spec name
  BitRange bits{};                   // part of the field's bytes only
  Pad pad = Pad::kSpace;             // strings only
  uint8_t S::*last_entry = nullptr;  // lists only: the 0-based count (NPSS, NLBAF); null: all entries

  constexpr const char* json_key() const { return json != nullptr ? json : wire.name; }

  // Modifiers for the table lines in identify_fields.hpp.
  constexpr IdentifyField key(const char* nvme_cli_key) const {
    IdentifyField f = *this;
    f.json = nvme_cli_key;
    return f;
  }
  constexpr IdentifyField bit_range(uint8_t lo, uint8_t width) const {
    if (width == 0 || width > 32 || lo + width > 8 * wire.width) detail::identify_table_error("bits outside the field");
    IdentifyField f = *this;
    f.bits = BitRange{lo, width};
    return f;
  }
  constexpr IdentifyField nul_padded() const {
    if (!std::holds_alternative<std::string S::*>(member)) detail::identify_table_error("only strings are padded");
    IdentifyField f = *this;
    f.pad = Pad::kNul;
    return f;
  }
  constexpr IdentifyField entries_up_to(uint8_t S::*last) const {
    if (show != Show::kEntries) detail::identify_table_error("only a list has a count");
    IdentifyField f = *this;
    f.last_entry = last;
    return f;
  }
};

// One table line: a field `width` bytes wide at byte `offset`, held in `member`.
template <typename S, typename T>
constexpr IdentifyField<S> field(const char* name, uint16_t offset, uint16_t width, T S::*member,
                                 Show show = Show::kDecimal) {
  if (!detail::width_fits<T>(width)) detail::identify_table_error("the field's width does not fit its member");
  if ((show == Show::kEntries) != EntryArray<T>) detail::identify_table_error("kEntries is for lists, and lists only");
  return IdentifyField<S>{FieldSpec{name, offset, width}, MemberOf<S>(member), show};
}

// A table is well formed when its fields are in wire order, inside the
// structure and apart, except bit ranges that share one field's bytes; a
// bool member must name its bit. Checked by a static_assert on every table.
template <typename S, std::size_t N>
constexpr bool well_formed(const std::array<IdentifyField<S>, N>& table, std::size_t structure_size) {
  for (std::size_t i = 0; i < N; ++i) {
    const IdentifyField<S>& f = table[i];
    if (f.wire.end() > structure_size) detail::identify_table_error("a field runs past its structure");
    if (std::holds_alternative<bool S::*>(f.member) && f.bits.whole())
      detail::identify_table_error("a bool needs bits");
    if (i == 0) continue;
    const IdentifyField<S>& previous = table[i - 1];
    const bool shares_bytes = f.wire.offset == previous.wire.offset;
    if (!shares_bytes && f.wire.offset < previous.wire.end()) detail::identify_table_error("fields overlap");
    if (shares_bytes && (f.wire.width != previous.wire.width || f.bits.whole() || previous.bits.whole() ||
                         f.bits.lo < previous.bits.lo + previous.bits.width)) {
      detail::identify_table_error("two descriptors share bytes without disjoint bit ranges in order");
    }
  }
  return true;
}

// The entries of a list field the structure says are described: 0..NPSS or
// 0..NLBAF (both 0-based), never more than the array holds.
template <typename S, typename Entry, std::size_t N>
std::span<const Entry> entries_in_use(const IdentifyField<S>& f, const S& s, const std::array<Entry, N>& entries) {
  const std::size_t count = f.last_entry == nullptr ? N : std::size_t{s.*f.last_entry} + 1;
  return std::span<const Entry>(entries.data(), std::min(count, N));
}

}  // namespace nvqual
