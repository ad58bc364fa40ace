#include "nvqual/driver/clock.hpp"

#include <thread>

#include <time.h>

namespace nvqual {

SteadyClock::time_point SteadyClock::now() {
  return std::chrono::time_point_cast<duration>(std::chrono::steady_clock::now());
}

SteadyClock::time_point SteadyClock::coarse_now() {
  // The same time base as steady_clock (CLOCK_MONOTONIC), read at the last tick.
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
}

void SteadyClock::pause(duration hint) {
  // Short hints spin with a yield: register polls on a real device answer in
  // microseconds and sleeping would round up to the scheduler tick.
  if (hint <= std::chrono::microseconds(50)) {
    std::this_thread::yield();
  } else {
    std::this_thread::sleep_for(hint);
  }
}

SteadyClock& SteadyClock::instance() {
  static SteadyClock clock;
  return clock;
}

void InterruptibleClock::pause(duration hint) {
  interrupt_if_requested();
  base_.pause(hint);
  interrupt_if_requested();
}

void InterruptibleClock::watch(const StopRequest* stop) {
  fired_.store(false);
  watched_.store(stop);
}

void InterruptibleClock::interrupt_if_requested() {
  const StopRequest* stop = watched_.load();
  if (stop == nullptr || !stop->requested()) return;
  watched_.store(nullptr);
  fired_.store(true);
  throw WaitInterrupted(stop->reason());
}

}  // namespace nvqual
