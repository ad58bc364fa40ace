// Progress on long work, on stderr, only when stderr is a terminal (logs and
// CI output stay clean). At most a few updates a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace nvqual::app {

class Progress {
 public:
  Progress(std::string what, uint64_t total_bytes);
  ~Progress();
  void advance(uint64_t bytes);

 private:
  std::string what_;
  uint64_t total_;
  uint64_t done_ = 0;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
};

}  // namespace nvqual::app
