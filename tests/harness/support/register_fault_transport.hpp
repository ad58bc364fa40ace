// A faulty device at the register level, for the honest-check test: it wraps a
// simulated controller and changes what some register reads return (and, for
// a few faults, what a register write does). The
// simulator's own fault types are all about commands and timing; the register
// cases (CAP, CC, CSTS, AQA, ASQ defaults) need a device whose registers lie.
// This is test infrastructure, so it may name register offsets.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "nvqual/driver/spec/registers.hpp"
#include "common/forwarding_transport.hpp"

namespace nvqual::harness::testing {

struct RegisterFault {
  std::string name;     // shows up in the test's findings
  uint32_t offset = 0;  // which register (spec::reg::k...)
  // Given the true value and whether CC.EN is 1, returns what the host reads.
  std::function<uint64_t(uint64_t value, bool enabled)> change;
  // Optional: sees every 32-bit write first (any offset); returns true when it
  // handled the write itself, false to pass it on unchanged. For faults in how
  // a register takes writes (RW1S treated as RW, a read-only field cleared).
  std::function<bool(Transport& inner, uint32_t offset, uint32_t value)> on_write;
};

class RegisterFaultTransport final : public testing_support::ForwardingTransport {
 public:
  RegisterFaultTransport(Transport& inner, RegisterFault fault)
      : ForwardingTransport(inner), fault_(std::move(fault)) {}

  uint32_t read32(uint32_t offset) override { return static_cast<uint32_t>(apply(offset, inner().read32(offset))); }
  uint64_t read64(uint32_t offset) override { return apply(offset, inner().read64(offset)); }
  void write32(uint32_t offset, uint32_t value) override {
    if (fault_.on_write && fault_.on_write(inner(), offset, value)) return;
    inner().write32(offset, value);
  }

 private:
  uint64_t apply(uint32_t offset, uint64_t value) {
    if (offset != fault_.offset) return value;
    const bool enabled = spec::Cc{inner().read32(spec::reg::kCc)}.en() != 0;
    return fault_.change(value, enabled);
  }

  RegisterFault fault_;
};

}  // namespace nvqual::harness::testing
