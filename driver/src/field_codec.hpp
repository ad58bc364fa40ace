// Reads and writes the named fields of a little-endian wire structure, given
// their FieldSpec. The parsers use FieldReader and the encoders FieldWriter
// through the same field tables (identify_codec.hpp, log_page_fields.hpp), so
// the two directions cannot drift apart. Every access is bounds checked: a
// reader over any bytes reads only those bytes. Private to the driver library.
#pragma once

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "nvqual/driver/errors.hpp"
#include "nvqual/driver/field_spec.hpp"
#include "nvqual/driver/uint128.hpp"

namespace nvqual::detail {

using Pad = nvqual::Pad;  // field_spec.hpp

// A field binding whose width does not match its member is a programming
// error in the tables, not a device problem.
[[noreturn]] inline void field_mismatch(const FieldSpec& f, const char* why) {
  throw std::logic_error(std::string("field '") + f.name + "': " + why);
}

// A value the caller asked to encode that the wire field cannot hold.
[[noreturn]] inline void value_too_large(const FieldSpec& f) {
  throw DriverError(ErrorKind::kInvalidArgument, std::string("cannot encode field '") + f.name +
                                                     "': the value needs more than " + std::to_string(f.width) +
                                                     " bytes (or its bit range); shorten it");
}

// The `size` bytes at `base`, checked: a sub-structure past the end is a
// table error, never a read or write out of bounds.
template <typename Byte>
std::span<Byte> sub_structure(std::span<Byte> bytes, size_t base, size_t size) {
  if (base > bytes.size() || size > bytes.size() - base) {
    throw std::logic_error("sub-structure at byte " + std::to_string(base) + " runs past the structure");
  }
  return bytes.subspan(base, size);
}

class FieldReader {
 public:
  explicit FieldReader(std::span<const std::byte> bytes) : bytes_(bytes) {}

  // A reader over the sub-structure starting at `base` (a PSD, an LBA format).
  FieldReader at(size_t base, size_t size) const { return FieldReader(sub_structure(bytes_, base, size)); }

  template <std::unsigned_integral T>
  void field(const FieldSpec& f, T& out) const {
    if (f.width > sizeof(T)) field_mismatch(f, "wider than its member");
    out = static_cast<T>(little_endian(f));
  }
  void field(const FieldSpec& f, bool& out) const = delete;  // bits() names the bit
  void field(const FieldSpec& f, Uint128& out) const {
    if (f.width != 16) field_mismatch(f, "a 128-bit member needs 16 bytes");
    out.lo = little_endian(FieldSpec{f.name, f.offset, 8});
    out.hi = little_endian(FieldSpec{f.name, static_cast<uint16_t>(f.offset + 8), 8});
  }
  template <size_t N>
  void field(const FieldSpec& f, std::array<uint8_t, N>& out) const {
    if (f.width != N) field_mismatch(f, "array size differs");
    auto src = slice(f);
    std::transform(src.begin(), src.end(), out.begin(), [](std::byte b) { return std::to_integer<uint8_t>(b); });
  }
  void field(const FieldSpec& f, std::vector<uint8_t>& out) const {
    auto src = slice(f);
    out.resize(src.size());
    std::transform(src.begin(), src.end(), out.begin(), [](std::byte b) { return std::to_integer<uint8_t>(b); });
  }
  // Text with trailing spaces and NULs removed, whichever padding the spec names.
  void text(const FieldSpec& f, std::string& out, Pad /*pad*/) const {
    auto src = slice(f);
    out.assign(reinterpret_cast<const char*>(src.data()), src.size());
    out.erase(out.find_last_not_of(std::string_view(" \0", 2)) + 1);
  }
  // `width` bits starting at bit `lo` of a field of up to 8 bytes.
  template <typename T>
  void bits(const FieldSpec& f, unsigned lo, unsigned width, T& out) const {
    if (f.width > 8 || width == 0 || width > 32 || lo + width > 8u * f.width)
      field_mismatch(f, "bit range outside the field");
    out = static_cast<T>((little_endian(f) >> lo) & ((uint64_t{1} << width) - 1));
  }

 private:
  std::span<const std::byte> slice(const FieldSpec& f) const {
    if (f.end() > bytes_.size()) field_mismatch(f, "runs past the structure");
    return bytes_.subspan(f.offset, f.width);
  }
  uint64_t little_endian(const FieldSpec& f) const {
    if (f.width > 8) field_mismatch(f, "wider than 64 bits");
    uint64_t value = 0;
    auto src = slice(f);
    for (size_t i = src.size(); i-- > 0;) value = (value << 8) | std::to_integer<uint64_t>(src[i]);
    return value;
  }

  std::span<const std::byte> bytes_;
};

// Writes into a zero-filled buffer; bits() read-modify-writes its field so two
// bit ranges can share one.
class FieldWriter {
 public:
  explicit FieldWriter(std::span<std::byte> bytes) : bytes_(bytes) {}

  FieldWriter at(size_t base, size_t size) const { return FieldWriter(sub_structure(bytes_, base, size)); }

  template <std::unsigned_integral T>
  void field(const FieldSpec& f, const T& value) const {
    if (f.width > sizeof(T)) field_mismatch(f, "wider than its member");
    if (f.width < sizeof(T) && (uint64_t{value} >> (8 * f.width)) != 0) {
      value_too_large(f);
    }
    little_endian(f, value);
  }
  void field(const FieldSpec& f, const bool& value) const = delete;
  void field(const FieldSpec& f, const Uint128& value) const {
    if (f.width != 16) field_mismatch(f, "a 128-bit member needs 16 bytes");
    little_endian(FieldSpec{f.name, f.offset, 8}, value.lo);
    little_endian(FieldSpec{f.name, static_cast<uint16_t>(f.offset + 8), 8}, value.hi);
  }
  template <size_t N>
  void field(const FieldSpec& f, const std::array<uint8_t, N>& value) const {
    if (f.width != N) field_mismatch(f, "array size differs");
    auto dst = slice(f);
    std::transform(value.begin(), value.end(), dst.begin(), [](uint8_t b) { return std::byte{b}; });
  }
  // Copies up to the field width; a shorter vector leaves the rest zero.
  void field(const FieldSpec& f, const std::vector<uint8_t>& value) const {
    auto dst = slice(f);
    if (value.size() > dst.size()) value_too_large(f);
    std::transform(value.begin(), value.end(), dst.begin(), [](uint8_t b) { return std::byte{b}; });
  }
  void text(const FieldSpec& f, const std::string& value, Pad pad) const {
    auto dst = slice(f);
    if (value.size() > dst.size()) value_too_large(f);
    std::fill(dst.begin(), dst.end(), std::byte(static_cast<unsigned char>(pad)));
    std::transform(value.begin(), value.end(), dst.begin(),
                   [](char c) { return std::byte(static_cast<unsigned char>(c)); });
  }
  template <typename T>
  void bits(const FieldSpec& f, unsigned lo, unsigned width, const T& value) const {
    if (f.width > 8 || width == 0 || width > 32 || lo + width > 8u * f.width)
      field_mismatch(f, "bit range outside the field");
    const uint64_t mask = (uint64_t{1} << width) - 1;
    const uint64_t v = static_cast<uint64_t>(value);
    if ((v & ~mask) != 0) value_too_large(f);
    little_endian(f, (read_back(f) & ~(mask << lo)) | (v << lo));
  }

 private:
  std::span<std::byte> slice(const FieldSpec& f) const {
    if (f.end() > bytes_.size()) field_mismatch(f, "runs past the structure");
    return bytes_.subspan(f.offset, f.width);
  }
  uint64_t read_back(const FieldSpec& f) const {
    uint64_t value = 0;
    auto src = slice(f);
    for (size_t i = src.size(); i-- > 0;) value = (value << 8) | std::to_integer<uint64_t>(src[i]);
    return value;
  }
  void little_endian(const FieldSpec& f, uint64_t value) const {
    auto dst = slice(f);
    for (auto& b : dst) {
      b = std::byte(value & 0xFF);
      value >>= 8;
    }
  }

  std::span<std::byte> bytes_;
};

}  // namespace nvqual::detail
