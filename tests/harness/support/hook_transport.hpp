// A transport that calls test hooks on register accesses, so a runner test can
// raise a signal at an exact point of the runner's work (the start-up probe's
// ready wait, a health probe, a driver wait inside a step) instead of guessing
// with sleeps. Test infrastructure, so it may name register offsets.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "nvqual/driver/transport.hpp"

namespace nvqual::harness::testing {

class HookTransport final : public Transport {
 public:
  explicit HookTransport(Transport& inner) : inner_(inner) {}

  std::function<void(uint32_t offset)> before_read;                  // before every register read
  std::function<void(uint32_t offset, uint64_t value)> after_write;  // after every register write

  uint32_t read32(uint32_t offset) override {
    if (before_read) before_read(offset);
    return inner_.read32(offset);
  }
  uint64_t read64(uint32_t offset) override {
    if (before_read) before_read(offset);
    return inner_.read64(offset);
  }
  void write32(uint32_t offset, uint32_t value) override {
    inner_.write32(offset, value);
    if (after_write) after_write(offset, value);
  }
  void write64(uint32_t offset, uint64_t value) override {
    inner_.write64(offset, value);
    if (after_write) after_write(offset, value);
  }
  DmaRegion dma_alloc(size_t size, size_t alignment) override { return inner_.dma_alloc(size, alignment); }
  void dma_free(const DmaRegion& region) noexcept override { inner_.dma_free(region); }
  bool function_level_reset() override { return inner_.function_level_reset(); }
  std::string name() const override { return inner_.name(); }
  bool is_simulator() const override { return inner_.is_simulator(); }

 private:
  Transport& inner_;
};

// How many times the test_mark step ran since the last reset: lets a hook act
// only after a case reached a given step.
std::atomic<int>& test_marks();

}  // namespace nvqual::harness::testing
