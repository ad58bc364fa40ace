#include "stop_signal.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include <fmt/format.h>

#include "nvqual/harness/stop_signals.hpp"

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

// What SignalAwareClock watches: the first signal the handler recorded.
class RecordedSignal final : public StopRequest {
 public:
  bool requested() const override { return StopOnSignal::received() != 0; }
  std::string reason() const override {
    return fmt::format("interrupted by {} while waiting for the controller",
                       harness::stop_signal_name(StopOnSignal::received()));
  }
};
const RecordedSignal g_recorded_signal;

// ExitOnSignal's lines, composed before the handler can run: it may only
// write(2) and _exit(2).
char g_exit_line_interrupt[256];
char g_exit_line_terminate[256];

extern "C" void exit_on_signal(int number) {
  const char* line = number == SIGINT ? g_exit_line_interrupt : g_exit_line_terminate;
  const ssize_t written = ::write(STDERR_FILENO, line, std::strlen(line));
  (void)written;  // nothing better to do if stderr is gone
  ::_exit(128 + number);
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
  const sigset_t set = harness::stop_signal_set();
  ::pthread_sigmask(SIG_UNBLOCK, &set, &g_saved.mask);
}

StopOnSignal::~StopOnSignal() {
  ::pthread_sigmask(SIG_SETMASK, &g_saved.mask, nullptr);
  ::sigaction(SIGINT, &g_saved.interrupt, nullptr);
  ::sigaction(SIGTERM, &g_saved.terminate, nullptr);
}

ExitOnSignal::ExitOnSignal(const char* doing) {
  for (const auto& [number, line] :
       {std::pair{SIGINT, g_exit_line_interrupt}, std::pair{SIGTERM, g_exit_line_terminate}}) {
    fmt::format_to_n(line, sizeof g_exit_line_interrupt - 1,
                     "nvqual: interrupted by {} while {}; nothing ran and no report was written\n",
                     harness::stop_signal_name(number), doing)
        .out[0] = '\0';
  }
  struct sigaction action {};
  action.sa_handler = exit_on_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, &interrupt_);
  ::sigaction(SIGTERM, &action, &terminate_);
  const sigset_t set = harness::stop_signal_set();
  // A signal already pending (sent before this point) ends the process here.
  ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

ExitOnSignal::~ExitOnSignal() {
  // Hold the signals first, then put the old handlers back: one arriving in
  // between waits, pending, for the next handler instead of being lost.
  const sigset_t set = harness::stop_signal_set();
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::sigaction(SIGINT, &interrupt_, nullptr);
  ::sigaction(SIGTERM, &terminate_, nullptr);
}

int StopOnSignal::received() { return g_received.load(); }

SignalAwareClock::SignalAwareClock() : InterruptibleClock(SteadyClock::instance()) { watch(&g_recorded_signal); }

void StopOnSignal::check(const std::string& doing) {
  const int number = received();
  if (number == 0) return;
  throw Interrupted(number, fmt::format("interrupted by {} while {}", harness::stop_signal_name(number), doing));
}

}  // namespace nvqual::app
