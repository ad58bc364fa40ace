#include "stop_signal.hpp"

#include <signal.h>

#include <atomic>

#include <fmt/format.h>

namespace nvqual::app {

namespace {

// Lock-free, so the handler may store to it (async-signal-safe).
std::atomic<int> g_received{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void record_signal(int number) {
  int none = 0;
  g_received.compare_exchange_strong(none, number);
}

struct Saved {
  struct sigaction interrupt {};
  struct sigaction terminate {};
  sigset_t mask{};
};
Saved g_saved;

const char* signal_name(int number) { return number == SIGINT ? "SIGINT" : "SIGTERM"; }

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

Interrupted::Interrupted(int signal, const std::string& what) : std::runtime_error(what), signal_(signal) {}

StopOnSignal::StopOnSignal() {
  struct sigaction action {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  // SA_RESTART: a write or device wait in progress finishes; the command
  // looks at the flag between chunks, where stopping leaves nothing half done.
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, &g_saved.interrupt);
  ::sigaction(SIGTERM, &action, &g_saved.terminate);
  const sigset_t set = stop_signals();
  ::pthread_sigmask(SIG_UNBLOCK, &set, &g_saved.mask);
}

StopOnSignal::~StopOnSignal() {
  ::pthread_sigmask(SIG_SETMASK, &g_saved.mask, nullptr);
  ::sigaction(SIGINT, &g_saved.interrupt, nullptr);
  ::sigaction(SIGTERM, &g_saved.terminate, nullptr);
}

int StopOnSignal::received() { return g_received.load(); }

InterruptedWait::InterruptedWait(int signal)
    : DriverError(ErrorKind::kEnvironment,
                  fmt::format("interrupted by {} while waiting for the controller", signal_name(signal))),
      signal_(signal) {}

void SignalAwareClock::pause(duration hint) {
  if (const int number = StopOnSignal::received(); number != 0 && !fired_) {
    fired_ = true;
    throw InterruptedWait(number);
  }
  SteadyClock::instance().pause(hint);
}

void StopOnSignal::check(const std::string& doing) {
  const int number = received();
  if (number == 0) return;
  throw Interrupted(number, fmt::format("interrupted by {} while {}", signal_name(number), doing));
}

}  // namespace nvqual::app
