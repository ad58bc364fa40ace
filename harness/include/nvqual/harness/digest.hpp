// SHA-256 through OpenSSL's libcrypto (Debian libssl-dev): suite file digests
// go into reports, golden data is compared by digest.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace nvqual::harness {

// Lower-case hex digest.
std::string sha256_hex(std::span<const std::byte> data);
std::string sha256_hex(std::string_view text);
// Throws std::runtime_error naming the file when it cannot be read.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace nvqual::harness
