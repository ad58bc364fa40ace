// An output file that appears whole or not at all: data goes to a temporary
// file beside the target, renamed over it on commit(); destroyed without
// commit (error, exception, signal-driven unwinding), the temporary is removed.
//
// A symbolic link is followed: the temporary goes beside the file it points
// to, which is what gets replaced (the link stays). An existing target that is
// not a regular file (/dev/null, a FIFO, a character or block device) cannot be
// replaced without destroying it: it is written directly, and bytes written
// before a failure stay written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>

namespace nvqual::app {

class AtomicOutputFile {
 public:
  // Throws UsageError naming the path and the reason when it cannot be created.
  // A FIFO must already have a reader (opening it does not wait for one).
  explicit AtomicOutputFile(std::filesystem::path target);
  ~AtomicOutputFile();
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

  void write(std::span<const std::byte> data);
  void commit();
  const std::filesystem::path& target() const { return target_; }
  // What a reader finds when the command stops before commit(), for its message.
  std::string unfinished_note() const;

 private:
  std::filesystem::path target_;     // as the user named it
  std::filesystem::path resolved_;   // symbolic links followed
  std::filesystem::path temporary_;  // empty when writing directly
  std::FILE* file_ = nullptr;
  bool block_device_ = false;
  uint64_t written_ = 0;
  bool committed_ = false;
};

}  // namespace nvqual::app
