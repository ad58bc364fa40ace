// PCI configuration space registers nvqual touches (PCI Local Bus 3.0, 6.2.2).
#pragma once

#include <cstdint>

#include "nvqual/driver/spec/bits.hpp"

namespace nvqual::vfio::pci {

namespace detail = ::nvqual::spec::detail;  // for NVQUAL_REG_FIELD

inline constexpr uint32_t kCommandOffset = 0x04;

// Offset 04h: Command register (16 bits).
struct Command {
  using raw_type = uint16_t;
  raw_type raw = 0;
  NVQUAL_REG_FIELD(io_space, 0, 0)             // respond to I/O space accesses
  NVQUAL_REG_FIELD(memory_space, 1, 1)         // respond to memory space accesses (BAR0 MMIO)
  NVQUAL_REG_FIELD(bus_master, 2, 2)           // may issue memory requests (DMA)
  NVQUAL_REG_FIELD(interrupt_disable, 10, 10)  // INTx assertion disabled

  // What a polled userspace driver needs: MMIO and DMA on, legacy interrupts off.
  constexpr Command for_polled_driver() const { return set_memory_space(1).set_bus_master(1).set_interrupt_disable(1); }
};

}  // namespace nvqual::vfio::pci
