// What every fuzz target shares: the input as text or bytes, and a check that
// fails the run (libFuzzer keeps the input as a crash file) when a parser
// breaks a promise its header makes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

namespace nvqual::fuzz {

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline std::span<const std::byte> as_bytes(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const std::byte*>(data), size};
}

// A broken promise is a finding like a crash: abort so libFuzzer saves the input.
inline void require(bool holds, const char* promise) {
  if (!holds) {
    std::fprintf(stderr, "fuzz: broken promise: %s\n", promise);
    std::abort();
  }
}

}  // namespace nvqual::fuzz
