#pragma once

#include <chrono>
#include <cstdint>

#include "nvqual/driver/clock.hpp"

// How the polled data paths (IoEngine, StreamReader) idle while their
// commands are in flight: a run of empty polls, then one short pause.
namespace nvqual::idle_polling {

// Empty polls in a row before the path checks deadlines and pauses once.
// The pause is long enough that a VirtualClock reaches a 5 s command timeout
// in about 6 M polls, and a SteadyClock turns it into a yield.
inline constexpr uint32_t kPollsPerPause = 64;
inline constexpr std::chrono::microseconds kPause{50};

// These paths stop on their own stop flag and report what they did; a signal
// must not end them through an InterruptibleClock's pause instead, so idle
// pauses go to the clock underneath.
inline Clock& clock_for_pauses(Clock& clock) {
  if (auto* interruptible = dynamic_cast<InterruptibleClock*>(&clock)) return interruptible->base();
  return clock;
}

}  // namespace nvqual::idle_polling
