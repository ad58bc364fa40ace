// The device thread of threaded mode: a Boost.Asio io_context run by one
// thread, plus timers on it that model command latency. Asio stays out of
// this header so only device_thread.cpp pays for it.
//
// Doorbells do not post to the io_context (a post can cost a system call to
// wake the thread): they leave work the thread finds with `scan` and call
// notify(). The thread keeps scanning for a short while after its last piece
// of work, so a busy host never pays for a wake-up; only a thread that went
// to sleep is woken, by a post.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

namespace nvqual::sim {

class DeviceThread {
 public:
  // A steady timer on the device thread. Not thread safe: callers serialise
  // use of one timer (Device does it under its mutex).
  class Timer {
   public:
    explicit Timer(DeviceThread& thread);
    ~Timer();
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;
    // Runs `handler` on the device thread after `delay`; a later start() or
    // cancel() drops a handler that has not run yet.
    void start(std::chrono::nanoseconds delay, std::function<void()> handler);
    void cancel();

   private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
  };

  // `scan` runs on the device thread after notify(); it returns how much work it did.
  explicit DeviceThread(std::function<size_t()> scan);
  ~DeviceThread();
  DeviceThread(const DeviceThread&) = delete;
  DeviceThread& operator=(const DeviceThread&) = delete;

  void post(std::function<void()> work);
  // Work is waiting for `scan`; wakes the thread if it sleeps. Any thread.
  void notify();
  // Stops the io_context and joins the thread; pending work is dropped.
  // Idempotent. Timers must be destroyed after stop() and before ~DeviceThread.
  void stop();

  // How long the thread keeps scanning after its last work before it sleeps.
  static constexpr std::chrono::microseconds kSpin{50};

 private:
  void run();

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nvqual::sim
