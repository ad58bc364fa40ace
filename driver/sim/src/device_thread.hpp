// The device thread of threaded mode: a Boost.Asio io_context run by one
// thread, plus timers on it that model command latency. Asio stays out of
// this header so only device_thread.cpp pays for it.
#pragma once

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

  DeviceThread();  // starts the thread
  ~DeviceThread();
  DeviceThread(const DeviceThread&) = delete;
  DeviceThread& operator=(const DeviceThread&) = delete;

  void post(std::function<void()> work);
  // Stops the io_context and joins the thread; pending work is dropped.
  // Idempotent. Timers must be destroyed after stop() and before ~DeviceThread.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nvqual::sim
