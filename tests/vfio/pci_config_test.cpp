#include "nvqual/vfio/pci_config.hpp"

#include <gtest/gtest.h>

namespace nvqual::vfio::pci {
namespace {

TEST(PciCommand, PolledDriverSetsMemoryBusMasterAndInterruptDisable) {
  // 0x0001: I/O space on, as firmware may leave it; it must be kept.
  const Command command = Command{0x0001}.for_polled_driver();
  EXPECT_EQ(command.raw, 0x0407);
  EXPECT_EQ(command.memory_space(), 1);
  EXPECT_EQ(command.bus_master(), 1);
  EXPECT_EQ(command.interrupt_disable(), 1);
  EXPECT_EQ(command.io_space(), 1);
}

TEST(PciCommand, ClearingBusMasterKeepsTheRest) { EXPECT_EQ(Command{0x0406}.set_bus_master(0).raw, 0x0402); }

}  // namespace
}  // namespace nvqual::vfio::pci
