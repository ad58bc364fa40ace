#include "stop_signal_handler.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>

#include "nvqual/driver/emergency_stop.hpp"
#include "nvqual/harness/stop_signals.hpp"

namespace nvqual::harness {

StopSignalHandler::StopSignalHandler(boost::asio::io_context& io, Transport& transport, Clock& emergency_clock,
                                     std::function<bool()> stop_requested,
                                     std::function<void(const std::string&)> request_stop)
    : signals_(io),
      transport_(transport),
      emergency_clock_(emergency_clock),
      stop_requested_(std::move(stop_requested)),
      request_stop_(std::move(request_stop)) {}

void StopSignalHandler::install() {
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  const sigset_t stop_signals = stop_signal_set();
  const timespec no_wait{};
  if (const int held = ::sigtimedwait(&stop_signals, nullptr, &no_wait); held > 0) on_signal(held);
  wait_for_signal();
  ::pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
}

void StopSignalHandler::remove() {
  boost::system::error_code ignored;
  signals_.clear(ignored);
  signals_.cancel(ignored);
}

void StopSignalHandler::wait_for_signal() {
  signals_.async_wait([this](const boost::system::error_code& error, int number) {
    if (error) return;
    on_signal(number);
    wait_for_signal();
  });
}

void StopSignalHandler::on_signal(int number) {
  if (stop_requested_()) {
    // A second interrupt: the user wants out now. DMA memory goes with the process.
    static const char kMessage[] = "nvqual: second interrupt, exiting without finishing the reports\n";
    [[maybe_unused]] auto written = ::write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
    emergency_disable(transport_, emergency_clock_);  // registers only, nothing freed
    std::_Exit(3);
  }
  const std::string name(stop_signal_name(number));
  fmt::print(stderr,
             "nvqual: {}: stopping - disabling the controller and finishing the reports (send it again to exit "
             "at once)\n",
             name);
  request_stop_(name);
}

}  // namespace nvqual::harness
