#include "nvqual/harness/value.hpp"

#include <fmt/format.h>

#include "nvqual/harness/digest.hpp"

namespace nvqual::harness {

std::string_view to_string(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNumber: return "number";
    case ValueKind::kText: return "text";
    case ValueKind::kStatus: return "status";
    case ValueKind::kData: return "data";
    case ValueKind::kDuration: return "duration";
  }
  return "?";
}

ValueKind kind_of(const Value& value) {
  switch (value.index()) {
    case 0: return ValueKind::kNumber;
    case 1: return ValueKind::kText;
    case 2: return ValueKind::kStatus;
    case 3: return ValueKind::kData;
    default: return ValueKind::kDuration;
  }
}

std::string sha256_of(const DataBlock& data) { return sha256_hex(std::span<const std::byte>(data.bytes)); }

std::string format_duration(std::chrono::nanoseconds duration) {
  return fmt::format("{:.3f} ms", static_cast<double>(duration.count()) / 1e6);
}

std::string describe(const Value& value) {
  if (const auto* n = std::get_if<uint64_t>(&value)) {
    return *n < 10 ? fmt::format("{}", *n) : fmt::format("{:#x} ({})", *n, *n);
  }
  if (const auto* t = std::get_if<TextValue>(&value)) return fmt::format("\"{}\"", t->text);
  if (const auto* s = std::get_if<spec::Status>(&value)) return s->describe();
  if (const auto* d = std::get_if<DataPtr>(&value)) {
    if (!*d) return "no data";
    if ((*d)->lba_size == 0) return fmt::format("{} bytes (sha256 {:.16}...)", (*d)->bytes.size(), sha256_of(**d));
    return fmt::format("{} blocks from LBA {} of NSID {} (sha256 {:.16}...)", (*d)->blocks(), (*d)->first_lba,
                       (*d)->nsid, sha256_of(**d));
  }
  return format_duration(std::get<std::chrono::nanoseconds>(value));
}

}  // namespace nvqual::harness
