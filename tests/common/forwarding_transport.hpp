// The base of every test transport that stands in front of another one (the
// simulator, usually) and bends a few of its answers: everything is passed on
// unchanged unless a subclass overrides it. Keeps each test transport down to
// the behaviour it changes.
#pragma once

#include <cstdint>
#include <string>

#include "nvqual/driver/transport.hpp"

namespace nvqual::testing_support {

class ForwardingTransport : public Transport {
 public:
  explicit ForwardingTransport(Transport& inner) : inner_(inner) {}

  uint32_t read32(uint32_t offset) override { return inner_.read32(offset); }
  uint64_t read64(uint32_t offset) override { return inner_.read64(offset); }
  void write32(uint32_t offset, uint32_t value) override { inner_.write32(offset, value); }
  void write64(uint32_t offset, uint64_t value) override { inner_.write64(offset, value); }
  DmaRegion dma_alloc(size_t size, size_t alignment) override { return inner_.dma_alloc(size, alignment); }
  void dma_free(const DmaRegion& region) noexcept override { inner_.dma_free(region); }
  void dma_returned(const DmaRegion& piece) noexcept override { inner_.dma_returned(piece); }
  uint64_t bar0_size() const override { return inner_.bar0_size(); }
  bool function_level_reset() override { return inner_.function_level_reset(); }
  void stop_dma() noexcept override { inner_.stop_dma(); }
  std::string name() const override { return inner_.name(); }
  bool is_simulator() const override { return inner_.is_simulator(); }

 protected:
  Transport& inner() { return inner_; }

 private:
  Transport& inner_;
};

}  // namespace nvqual::testing_support
