// The thread that runs the runner's io_context for a whole run: the signal
// handler and the case deadlines live on it, so a signal or a deadline is seen
// at once whatever the runner's own thread is doing.
#pragma once

#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace nvqual::harness {

class EventThread {
 public:
  EventThread() = default;
  ~EventThread() { stop(); }
  EventThread(const EventThread&) = delete;
  EventThread& operator=(const EventThread&) = delete;

  boost::asio::io_context& io() { return io_; }
  // Starts the thread. Signal masks are inherited: unblock before calling.
  void start();
  bool running() const { return thread_.joinable(); }
  // Lets the thread run out and joins it. Bounded once nothing is pending
  // (no case wait left unsettled, the signal set cleared).
  void stop();

 private:
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
};

}  // namespace nvqual::harness
