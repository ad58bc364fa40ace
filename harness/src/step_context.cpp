#include "nvqual/harness/step_context.hpp"

#include <atomic>
#include <random>

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

uint64_t StepContext::fresh_write_seed() {
  // A random value per process, plus a count per case: distinct within a run,
  // and (with overwhelming odds) between runs on the same device.
  static const uint64_t process = (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
  static std::atomic<uint64_t> cases{0};
  uint64_t z = process + (cases.fetch_add(1) + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
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
