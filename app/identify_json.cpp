#include "identify_json.hpp"

#include <array>
#include <concepts>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "identify_print.hpp"  // uuid_string, hex_string
#include "nvqual/driver/identify_fields.hpp"

namespace nvqual::app {
namespace {

// nvme-cli's "vs" for a namespace: the vendor bytes up to the first NUL, in
// rows of 16 characters, non-printable bytes shown as '.'.
nlohmann::json vendor_rows(const std::vector<uint8_t>& vs) {
  nlohmann::json rows = nlohmann::json::array();
  std::string row;
  for (uint8_t b : vs) {
    if (b == 0) break;
    row.push_back(b >= '!' && b <= '~' ? static_cast<char>(b) : '.');
    if (row.size() == 16) {
      rows.push_back(row);
      row.clear();
    }
  }
  if (!row.empty()) rows.push_back(row);
  return rows;
}

template <typename S, size_t N>
nlohmann::json fields_json(const std::array<IdentifyField<S>, N>& table, const S& s);

// One field's value in the form nvme-cli gives it (Show, identify_field_descriptor.hpp).
template <typename S, typename T>
nlohmann::json json_value(const IdentifyField<S>& f, const S& s, const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value ? 1 : 0;  // nvme-cli prints flag bits as numbers
  } else if constexpr (std::unsigned_integral<T>) {
    return value;
  } else if constexpr (std::is_same_v<T, Uint128>) {
    // nlohmann::json has no integer wider than 64 bits: a decimal string beyond.
    if (value.fits_64()) return value.lo;
    return value.to_decimal();
  } else if constexpr (std::is_same_v<T, std::string>) {
    return value;
  } else if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
    return vendor_rows(value);
  } else if constexpr (EntryArray<T>) {
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& entry : entries_in_use(f, s, value)) {
      entries.push_back(fields_json(entry_fields(std::type_identity<typename T::value_type>{}), entry));
    }
    return entries;
  } else {  // std::array<uint8_t, N>
    if constexpr (std::tuple_size_v<T> == 16) {
      if (f.show == Show::kUuid) return uuid_string(value);
    }
    return hex_string(value);
  }
}

template <typename S, size_t N>
nlohmann::json fields_json(const std::array<IdentifyField<S>, N>& table, const S& s) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& f : table) {
    if (f.show == Show::kNotShown) continue;
    std::visit([&](auto member) { j[f.json_key()] = json_value(f, s, s.*member); }, f.member);
  }
  return j;
}

}  // namespace

nlohmann::json identify_controller_json(const IdentifyController& ctrl) {
  return fields_json(kIdentifyControllerFields, ctrl);
}

nlohmann::json identify_namespace_json(const IdentifyNamespace& ns) {
  return fields_json(kIdentifyNamespaceFields, ns);
}

}  // namespace nvqual::app
