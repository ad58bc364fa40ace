// The signals that stop nvqual: SIGINT (Ctrl-C) and SIGTERM. Named here once
// for the runner's handler and for the command line (which holds them blocked
// before a run and records them during the one-shot commands), so the two
// can never disagree about which signals stop the work.
#pragma once

#include <signal.h>

#include <string_view>

namespace nvqual::harness {

// A set holding SIGINT and SIGTERM, for sigprocmask/pthread_sigmask/sigtimedwait.
sigset_t stop_signal_set();

// "SIGINT" or "SIGTERM" for one of the stop signals, as reports and messages name it.
std::string_view stop_signal_name(int number);

}  // namespace nvqual::harness
