#include "device_thread.hpp"

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace nvqual::sim {

struct DeviceThread::Impl {
  explicit Impl(std::function<size_t()> scan_work) : scan(std::move(scan_work)) {}
  boost::asio::io_context io{1};  // one thread runs it
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work = boost::asio::make_work_guard(io);
  std::function<size_t()> scan;
  std::atomic<bool> pending{false};   // notify() was called since the last scan
  std::atomic<bool> sleeping{false};  // the thread is (about to be) blocked in run_one()
  std::thread thread;
};

struct DeviceThread::Timer::Impl {
  explicit Impl(boost::asio::io_context& io) : timer(io) {}
  boost::asio::steady_timer timer;
};

DeviceThread::DeviceThread(std::function<size_t()> scan) : impl_(std::make_unique<Impl>(std::move(scan))) {
  impl_->thread = std::thread([this] { run(); });
}

DeviceThread::~DeviceThread() { stop(); }

void DeviceThread::run() {
  Impl& s = *impl_;
  auto last_work = std::chrono::steady_clock::now();
  while (!s.io.stopped()) {
    size_t done = s.io.poll();
    if (s.pending.load(std::memory_order_seq_cst) && s.pending.exchange(false, std::memory_order_seq_cst)) {
      done += s.scan();
    }
    if (done != 0) {
      last_work = std::chrono::steady_clock::now();
      continue;
    }
    if (std::chrono::steady_clock::now() - last_work < kSpin) {
      std::this_thread::yield();
      continue;
    }
    // Going to sleep: announce it, then look for work once more. A notify()
    // either sees `sleeping` and posts a wake-up, or set `pending` before this
    // check (both sides are sequentially consistent).
    s.sleeping.store(true, std::memory_order_seq_cst);
    if (!s.pending.load(std::memory_order_seq_cst)) s.io.run_one();
    s.sleeping.store(false, std::memory_order_seq_cst);
    last_work = std::chrono::steady_clock::now();
  }
}

void DeviceThread::post(std::function<void()> work) { boost::asio::post(impl_->io, std::move(work)); }

void DeviceThread::notify() {
  // Already pending: the thread has not cleared it yet and will scan after it does.
  if (impl_->pending.load(std::memory_order_seq_cst)) return;
  impl_->pending.store(true, std::memory_order_seq_cst);
  if (impl_->sleeping.load(std::memory_order_seq_cst)) boost::asio::post(impl_->io, [] {});
}

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
