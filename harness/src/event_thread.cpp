#include "event_thread.hpp"

namespace nvqual::harness {

void EventThread::start() {
  io_.restart();
  work_.emplace(boost::asio::make_work_guard(io_));
  thread_ = std::thread([this] { io_.run(); });
}

void EventThread::stop() {
  if (!thread_.joinable()) return;
  work_.reset();
  thread_.join();
}

}  // namespace nvqual::harness
