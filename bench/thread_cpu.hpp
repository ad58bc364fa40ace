// CPU time of the calling thread: what the driver thread itself spends per
// I/O, whatever the simulated device thread or other processes use.
#pragma once

#include <time.h>

namespace nvqual::bench {

inline double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

}  // namespace nvqual::bench
