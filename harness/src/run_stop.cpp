#include "run_stop.hpp"

#include <fmt/format.h>

namespace nvqual::harness {

bool RunStop::request(const std::string& reason, CancelToken& running_case) {
  {
    std::lock_guard lock(mutex_);
    if (requested_.load()) return false;
    reason_ = reason;
    requested_.store(true);
  }
  running_case.request(CancelCause::kInterrupted, "interrupted by " + reason);
  token_.request(CancelCause::kInterrupted, "interrupted by " + reason);
  return true;
}

std::string RunStop::reason() const {
  std::lock_guard lock(mutex_);
  return reason_;
}

std::string RunStop::not_run_reason() const { return fmt::format("not run: the run was interrupted ({})", reason()); }

}  // namespace nvqual::harness
