// Human-readable Identify output in the layout of nvme-cli's `id-ctrl` and
// `id-ns` (one "field : value" line per field, hex where nvme-cli prints hex),
// so a lab engineer can put the two side by side.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "nvqual/driver/identify.hpp"

namespace nvqual::app {

std::string format_identify_controller(const IdentifyController& ctrl);
std::string format_identify_namespace(const IdentifyNamespace& ns, uint32_t nsid);

// Shared with identify_json.cpp: the forms nvme-cli gives these fields.
std::string uuid_string(const std::array<uint8_t, 16>& bytes);  // 8-4-4-4-12 lower-case hex
template <size_t N>
std::string hex_string(const std::array<uint8_t, N>& bytes) {  // plain lower-case hex, byte order kept
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b / 16]);
    out.push_back(kDigits[b % 16]);
  }
  return out;
}

}  // namespace nvqual::app
