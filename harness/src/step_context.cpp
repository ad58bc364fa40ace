#include "nvqual/harness/step_context.hpp"

#include <fmt/format.h>

namespace nvqual::harness {

void CancelToken::request(CancelCause cause, std::string reason) {
  {
    std::lock_guard lock(mutex_);
    if (requested_.load()) return;  // the first reason wins
    cause_ = cause;
    reason_ = std::move(reason);
    requested_.store(true);
  }
  changed_.notify_all();
}

std::string CancelToken::reason() const {
  std::lock_guard lock(mutex_);
  return reason_;
}

CancelCause CancelToken::cause() const {
  std::lock_guard lock(mutex_);
  return cause_;
}

bool CancelToken::wait_for(std::chrono::nanoseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return requested_.load(); });
}

void CancelToken::reset() {
  std::lock_guard lock(mutex_);
  requested_.store(false);
  reason_.clear();
}

void StepContext::checkpoint() const {
  if (cancel_.requested()) throw CaseCancelled(cancel_.reason());
}

uint32_t StepContext::nsid() const {
  const auto it = variables_.find("nsid");
  return it == variables_.end() ? 1 : static_cast<uint32_t>(it->second);
}

uint32_t StepContext::lba_size() const {
  const auto it = variables_.find("lba_size");
  return it == variables_.end() || it->second == 0 ? 512 : static_cast<uint32_t>(it->second);
}

}  // namespace nvqual::harness
