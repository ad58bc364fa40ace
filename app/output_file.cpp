#include "output_file.hpp"

#include <cerrno>
#include <cstring>
#include <unistd.h>

#include <fmt/format.h>

#include "command.hpp"

namespace nvqual::app {

AtomicOutputFile::AtomicOutputFile(std::filesystem::path target) : target_(std::move(target)) {
  if (target_.empty()) throw UsageError("--out needs a file name");
  if (std::filesystem::is_directory(target_)) {
    throw UsageError(fmt::format("cannot write {}: it is a directory; give a file name", target_.string()));
  }
  temporary_ = target_;
  temporary_ += fmt::format(".partial-{}", ::getpid());
  file_ = std::fopen(temporary_.c_str(), "wb");
  if (file_ == nullptr) {
    const auto parent = target_.has_parent_path() ? target_.parent_path() : std::filesystem::path(".");
    throw UsageError(fmt::format("cannot write {}: {} (check that {} exists and is writable)", target_.string(),
                                 std::strerror(errno), parent.string()));
  }
}

AtomicOutputFile::~AtomicOutputFile() {
  if (file_ != nullptr) std::fclose(file_);
  if (!committed_) {
    std::error_code ignored;
    std::filesystem::remove(temporary_, ignored);
  }
}

void AtomicOutputFile::write(std::span<const std::byte> data) {
  if (std::fwrite(data.data(), 1, data.size(), file_) != data.size()) {
    throw std::runtime_error(fmt::format("writing {} failed: {}", target_.string(), std::strerror(errno)));
  }
}

void AtomicOutputFile::commit() {
  const bool flushed = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  const int saved_errno = errno;
  std::fclose(file_);
  file_ = nullptr;
  if (!flushed) {
    throw std::runtime_error(fmt::format("writing {} failed: {}", target_.string(), std::strerror(saved_errno)));
  }
  std::error_code error;
  std::filesystem::rename(temporary_, target_, error);
  if (error) {
    throw std::runtime_error(fmt::format("cannot move {} into place: {}", target_.string(), error.message()));
  }
  committed_ = true;
}

}  // namespace nvqual::app
