// Byte offsets and widths of every named field in the Identify structures, as
// plain FieldSpec tables for code that reads raw pages (conformance checks,
// the libnvme layout test). They are derived from the field tables in
// identify_fields.hpp, which are the one place a field is written: two
// descriptors that share a field's bytes (bit ranges) give one FieldSpec.
// tests/driver/identify_layout_test.cpp checks them against libnvme's <nvme/types.h>.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>

#include "nvqual/driver/field_spec.hpp"
#include "nvqual/driver/identify.hpp"
#include "nvqual/driver/identify_fields.hpp"

namespace nvqual {
namespace detail {

// Fields with distinct bytes in `table` (descriptors of one field's bits count once).
template <typename S, std::size_t N>
constexpr std::size_t wire_field_count(const std::array<IdentifyField<S>, N>& table) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < N; ++i) count += i == 0 || table[i].wire.offset != table[i - 1].wire.offset;
  return count;
}

template <std::size_t Count, typename S, std::size_t N>
constexpr std::array<FieldSpec, Count> wire_fields(const std::array<IdentifyField<S>, N>& table) {
  std::array<FieldSpec, Count> out{};
  std::size_t next = 0;
  for (std::size_t i = 0; i < N; ++i) {
    if (i == 0 || table[i].wire.offset != table[i - 1].wire.offset) out[next++] = table[i].wire;
  }
  return out;
}

template <std::size_t N>
constexpr FieldSpec wire_field_named(const std::array<FieldSpec, N>& layout, std::string_view name) {
  for (const FieldSpec& f : layout) {
    if (name == f.name) return f;
  }
  identify_table_error("no field of that name in the layout");
}

}  // namespace detail

// NVMe Base 2.0, Figure 275: Identify Controller.
namespace id_ctrl_layout {
inline constexpr std::array all = detail::wire_fields<detail::wire_field_count(kIdentifyControllerFields)>(
    kIdentifyControllerFields);
inline constexpr std::size_t kPsdCount = std::tuple_size_v<decltype(IdentifyController::psd)>;
// A field by its spec name, e.g. named("sn"); a name not in the table does not compile.
consteval FieldSpec named(std::string_view name) { return detail::wire_field_named(all, name); }
static_assert(all.back().end() == kIdentifyPageSize, "the vendor specific area ends the page");
}  // namespace id_ctrl_layout

// NVMe Base 2.0, Figure 276: Power State Descriptor, offsets within one 32-byte entry.
namespace id_psd_layout {
inline constexpr uint16_t kSize = kEntryWireSize<PowerStateDescriptor>;
inline constexpr std::array all = detail::wire_fields<detail::wire_field_count(kPowerStateFields)>(kPowerStateFields);
consteval FieldSpec named(std::string_view name) { return detail::wire_field_named(all, name); }
static_assert(kSize == 32 && id_ctrl_layout::named("psd").width == id_ctrl_layout::kPsdCount * kSize);
}  // namespace id_psd_layout

// NVM Command Set 1.0, Figure 97: Identify Namespace.
namespace id_ns_layout {
inline constexpr std::array all = detail::wire_fields<detail::wire_field_count(kIdentifyNamespaceFields)>(
    kIdentifyNamespaceFields);
inline constexpr std::size_t kLbafCount = std::tuple_size_v<decltype(IdentifyNamespace::lbaf)>;
consteval FieldSpec named(std::string_view name) { return detail::wire_field_named(all, name); }
// Bytes 384-4095, one range; tests/driver/identify_layout_test.cpp compares it with libnvme's lbstm + vs.
inline constexpr FieldSpec vs = named("vs");
static_assert(vs.end() == kIdentifyPageSize, "the vendor specific area ends the page");
}  // namespace id_ns_layout

// NVM Command Set 1.0, Figure 98: LBA Format, offsets within one 4-byte entry.
namespace id_lbaf_layout {
inline constexpr uint16_t kSize = kEntryWireSize<LbaFormat>;
inline constexpr std::array all = detail::wire_fields<detail::wire_field_count(kLbaFormatFields)>(kLbaFormatFields);
consteval FieldSpec named(std::string_view name) { return detail::wire_field_named(all, name); }
static_assert(kSize == 4 && all.back().end() == kSize &&
              id_ns_layout::named("lbaf").width == id_ns_layout::kLbafCount * kSize);
}  // namespace id_lbaf_layout

// NVMe Base 2.0, Figure 278: Namespace Identification Descriptor header.
namespace ns_id_desc_layout {
inline constexpr FieldSpec nidt{"nidt", 0, 1};
inline constexpr FieldSpec nidl{"nidl", 1, 1};
inline constexpr uint16_t kHeaderSize = 4;  // bytes 2-3 reserved
}  // namespace ns_id_desc_layout

}  // namespace nvqual
