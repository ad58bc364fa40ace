#include "nvqual/harness/stop_signals.hpp"

namespace nvqual::harness {

sigset_t stop_signal_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

std::string_view stop_signal_name(int number) { return number == SIGINT ? "SIGINT" : "SIGTERM"; }

}  // namespace nvqual::harness
