// Driver mistakes the simulator saw, one readable line each. Thread safe: the
// device thread and the driver thread both record.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace nvqual::sim {

class ViolationLog {
 public:
  void record(std::string line);
  std::vector<std::string> lines() const;
  void clear();

  // A driver stuck in a loop of mistakes must not exhaust memory: past this
  // many lines only a count is kept, reported as a final line.
  static constexpr size_t kMaxLines = 1000;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
  size_t dropped_ = 0;
};

}  // namespace nvqual::sim
