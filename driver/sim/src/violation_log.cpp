#include "violation_log.hpp"

namespace nvqual::sim {

void ViolationLog::record(std::string line) {
  const std::lock_guard lock(mutex_);
  if (lines_.size() < kMaxLines) {
    lines_.push_back(std::move(line));
  } else {
    ++dropped_;
  }
}

std::vector<std::string> ViolationLog::lines() const {
  const std::lock_guard lock(mutex_);
  auto out = lines_;
  if (dropped_ != 0) out.push_back("... and " + std::to_string(dropped_) + " more violations not kept");
  return out;
}

void ViolationLog::clear() {
  const std::lock_guard lock(mutex_);
  lines_.clear();
  dropped_ = 0;
}

}  // namespace nvqual::sim
