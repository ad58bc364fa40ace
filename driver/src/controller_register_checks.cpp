// Raw register access the conformance suites need and the driver itself never
// does: the writes whose semantics they check and the reserved offsets they
// read. Kept here so the harness needs no register offsets of its own.
#include "nvqual/driver/controller.hpp"

namespace nvqual {

namespace {

uint32_t offset_of(Controller::WritableRegister which) {
  switch (which) {
    case Controller::WritableRegister::kIntms: return spec::reg::kIntms;
    case Controller::WritableRegister::kIntmc: return spec::reg::kIntmc;
    case Controller::WritableRegister::kCsts: return spec::reg::kCsts;
  }
  return spec::reg::kCsts;
}

// NVMe Base 2.0 Figure 35: 18h-1Bh is reserved, and 6Ch-DFFh between CRTO and
// PMRCAP. The optional registers in between (BPINFO..NSSD, CRTO) are not.
struct ReservedRange {
  uint32_t first;
  uint32_t last;  // inclusive, dword aligned
};
constexpr ReservedRange kReserved[] = {{0x18, 0x18}, {0x6C, 0xDFC}};

}  // namespace

uint32_t Controller::write_register(WritableRegister which, uint32_t value) {
  const uint32_t offset = offset_of(which);
  transport_.write32(offset, value);
  return transport_.read32(offset);
}

std::vector<Controller::ReservedRead> Controller::read_reserved_registers() {
  std::vector<ReservedRead> reads;
  for (const ReservedRange& range : kReserved) {
    for (uint32_t offset = range.first; offset <= range.last; offset += 4) {
      reads.push_back({offset, transport_.read32(offset)});
    }
  }
  return reads;
}

}  // namespace nvqual
