// A transport that calls test hooks on register accesses, so a runner test can
// raise a signal at an exact point of the runner's work (the start-up probe's
// ready wait, a health probe, a driver wait inside a step) instead of guessing
// with sleeps. Test infrastructure, so it may name register offsets.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "common/forwarding_transport.hpp"

namespace nvqual::harness::testing {

class HookTransport final : public testing_support::ForwardingTransport {
 public:
  using ForwardingTransport::ForwardingTransport;

  std::function<void(uint32_t offset)> before_read;                  // before every register read
  std::function<void(uint32_t offset, uint64_t value)> after_write;  // after every register write

  uint32_t read32(uint32_t offset) override {
    if (before_read) before_read(offset);
    return ForwardingTransport::read32(offset);
  }
  uint64_t read64(uint32_t offset) override {
    if (before_read) before_read(offset);
    return ForwardingTransport::read64(offset);
  }
  void write32(uint32_t offset, uint32_t value) override {
    ForwardingTransport::write32(offset, value);
    if (after_write) after_write(offset, value);
  }
  void write64(uint32_t offset, uint64_t value) override {
    ForwardingTransport::write64(offset, value);
    if (after_write) after_write(offset, value);
  }
};

// How many times the test_mark step ran since the last reset: lets a hook act
// only after a case reached a given step.
std::atomic<int>& test_marks();

}  // namespace nvqual::harness::testing
