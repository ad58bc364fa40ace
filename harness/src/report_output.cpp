#include "nvqual/harness/report_output.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

namespace nvqual::harness {

namespace {

// The code point of the well-formed UTF-8 sequence at text[i] and its length,
// or length 0 when it is not well formed (Unicode 15, Table 3-7).
struct Decoded {
  char32_t code_point = 0;
  size_t length = 0;
};

Decoded decode_utf8(std::string_view text, size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  size_t n = 0;
  char32_t cp = 0;
  char32_t smallest = 0;  // below it the form is overlong
  if (lead >= 0xC0 && lead <= 0xDF) {
    n = 2, cp = lead & 0x1F, smallest = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    n = 3, cp = lead & 0x0F, smallest = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF7) {
    n = 4, cp = lead & 0x07, smallest = 0x10000;
  } else {
    return {};
  }
  if (i + n > text.size()) return {};
  for (size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(text[i + k]);
    if ((c & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < smallest || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
  return {cp, n};
}

// XML 1.0 Char (2.2), less the control characters a reader cannot see.
bool allowed(char32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return true;
  if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return false;
  return cp <= 0xD7FF || (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int error) {
  throw std::runtime_error(fmt::format("cannot {} {}: {}", what, path.string(), std::strerror(error)));
}

}  // namespace

std::string xml_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const Decoded d = decode_utf8(text, i);
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80 ? allowed(c) : d.length != 0 && allowed(d.code_point)) {
      const size_t n = c < 0x80 ? 1 : d.length;
      out.append(text.substr(i, n));
      i += n;
    } else {
      // One byte at a time: the rest of a bad sequence may start a good one.
      out += fmt::format("\\x{:02x}", c);
      ++i;
    }
  }
  return out;
}

std::string terminal_safe(std::string_view text) {
  std::string out;
  for (const char c : xml_safe(text)) {
    if (c == '\t' || c == '\n' || c == '\r') {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("write", tmp, errno);
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : EIO;
      ::close(fd);
      ::unlink(tmp.c_str());
      fail("write (check the free space)", tmp, error);
    }
    done += static_cast<size_t>(n);
  }
  // Without the fsync a crash after the rename can leave an empty report in place of the old one.
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int error = errno;
    ::unlink(tmp.c_str());
    fail("flush", tmp, error);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error(
        fmt::format("cannot rename {} to {}: {}", tmp.string(), path.string(), std::strerror(error)));
  }
  // The rename itself is durable once the directory is; best effort (some file systems refuse it).
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace nvqual::harness
