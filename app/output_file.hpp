// An output file that appears whole or not at all: data goes to a temporary
// file beside the target, renamed over it on commit(); destroyed without
// commit (error, exception, signal-driven unwinding), the temporary is removed.
#pragma once

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>

namespace nvqual::app {

class AtomicOutputFile {
 public:
  // Throws UsageError naming the path and the reason when it cannot be created.
  explicit AtomicOutputFile(std::filesystem::path target);
  ~AtomicOutputFile();
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

  void write(std::span<const std::byte> data);
  void commit();
  const std::filesystem::path& target() const { return target_; }

 private:
  std::filesystem::path target_;
  std::filesystem::path temporary_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
};

}  // namespace nvqual::app
