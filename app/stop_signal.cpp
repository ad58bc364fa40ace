#include "stop_signal.hpp"

#include <signal.h>

#include <atomic>

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

int StopOnSignal::received() { return g_received.load(); }

SignalAwareClock::SignalAwareClock() : InterruptibleClock(SteadyClock::instance()) { watch(&g_recorded_signal); }

void StopOnSignal::check(const std::string& doing) {
  const int number = received();
  if (number == 0) return;
  throw Interrupted(number, fmt::format("interrupted by {} while {}", harness::stop_signal_name(number), doing));
}

}  // namespace nvqual::app
