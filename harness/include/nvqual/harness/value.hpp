// What a step observed: numbers (register and Identify fields, counts), text
// (Identify strings, with their raw bytes), a completion status, data read
// from the media, or a measured duration. Expectations are checked against these.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "nvqual/driver/spec/status.hpp"

namespace nvqual::harness {

enum class ValueKind { kNumber, kText, kStatus, kData, kDuration };
std::string_view to_string(ValueKind kind);

struct TextValue {
  std::string text;            // trailing padding trimmed
  std::vector<std::byte> raw;  // the field exactly as the device sent it
};

// Logical blocks read from a namespace.
struct DataBlock {
  std::vector<std::byte> bytes;
  uint64_t first_lba = 0;
  uint32_t nsid = 0;
  uint32_t lba_size = 0;
  uint64_t blocks() const { return lba_size == 0 ? 0 : bytes.size() / lba_size; }
};
using DataPtr = std::shared_ptr<const DataBlock>;

using Value = std::variant<uint64_t, TextValue, spec::Status, DataPtr, std::chrono::nanoseconds>;
using Observations = std::map<std::string, Value, std::less<>>;

ValueKind kind_of(const Value& value);
// For messages: "0x1b36 (6966)", "\"QEMU NVMe Ctrl\"", "00/80 LBA Out of Range",
// "8 blocks from LBA 0 of NSID 1 (sha256 1f2e...)", "12.345 ms".
std::string describe(const Value& value);
// Hex SHA-256 of a data block.
std::string sha256_of(const DataBlock& data);
// "12.345 ms" style for durations.
std::string format_duration(std::chrono::nanoseconds duration);

}  // namespace nvqual::harness
