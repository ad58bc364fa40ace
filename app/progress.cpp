#include "progress.hpp"

#include <cstdio>
#include <unistd.h>

#include <fmt/core.h>

namespace nvqual::app {

namespace {
// Below this, work finishes before a progress line would help.
constexpr uint64_t kWorthShowing = 64ull << 20;
}  // namespace

Progress::Progress(std::string what, uint64_t total_bytes)
    : what_(std::move(what)),
      total_(total_bytes),
      enabled_(total_bytes >= kWorthShowing && ::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

Progress::~Progress() {
  if (enabled_) fmt::print(stderr, "\n");
}

void Progress::advance(uint64_t bytes) {
  done_ += bytes;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_print_ < std::chrono::milliseconds(250) && done_ < total_) return;
  last_print_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double mib_per_s = seconds > 0 ? static_cast<double>(done_) / (1 << 20) / seconds : 0.0;
  fmt::print(stderr, "\r{}: {} / {} MiB ({:.0f}%, {:.1f} MiB/s)", what_, done_ >> 20, total_ >> 20,
             100.0 * static_cast<double>(done_) / static_cast<double>(total_), mib_per_s);
}

}  // namespace nvqual::app
