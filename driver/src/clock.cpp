#include "nvqual/driver/clock.hpp"

#include <thread>

namespace nvqual {

SteadyClock::time_point SteadyClock::now() {
  return std::chrono::time_point_cast<duration>(std::chrono::steady_clock::now());
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

}  // namespace nvqual
