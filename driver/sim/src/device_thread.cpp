#include "device_thread.hpp"

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace nvqual::sim {

struct DeviceThread::Impl {
  boost::asio::io_context io{1};  // one thread runs it
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work = boost::asio::make_work_guard(io);
  std::thread thread;
};

struct DeviceThread::Timer::Impl {
  explicit Impl(boost::asio::io_context& io) : timer(io) {}
  boost::asio::steady_timer timer;
};

DeviceThread::DeviceThread() : impl_(std::make_unique<Impl>()) {
  impl_->thread = std::thread([io = &impl_->io] { io->run(); });
}

DeviceThread::~DeviceThread() { stop(); }

void DeviceThread::post(std::function<void()> work) { boost::asio::post(impl_->io, std::move(work)); }

void DeviceThread::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->work.reset();
  impl_->io.stop();
  impl_->thread.join();
}

DeviceThread::Timer::Timer(DeviceThread& thread) : impl_(std::make_unique<Impl>(thread.impl_->io)) {}

DeviceThread::Timer::~Timer() = default;

void DeviceThread::Timer::start(std::chrono::nanoseconds delay, std::function<void()> handler) {
  impl_->timer.expires_after(delay);
  impl_->timer.async_wait([handler = std::move(handler)](const boost::system::error_code& ec) {
    if (!ec) handler();
  });
}

void DeviceThread::Timer::cancel() { impl_->timer.cancel(); }

}  // namespace nvqual::sim
