#include "nvqual/vfio/device_discovery.hpp"

#include <cerrno>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/fake_host.hpp"

namespace nvqual::vfio {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;

TEST(DeviceDiscovery, ListsOnlyNvmeControllersWithTheirDetails) {
  testing::FakeHost host;
  host.add_pci_device("0000:02:00.0", 0x010802, 12, 0x144d, 0xa808);
  host.bind("0000:02:00.0", "nvme");
  host.add_kernel_controller("0000:02:00.0", "nvme1", "Samsung SSD 970 EVO", "S4EWNX0N", "2B2QEXE7");
  host.add_namespace("0000:02:00.0", "nvme1", "nvme1n1", "259:4");
  host.add_partition("nvme1n1", "nvme1n1p1", "259:5");
  host.add_mount("259:5", "/", "/dev/nvme1n1p1");
  host.add_pci_device("0000:01:00.0", 0x010802, 7);
  host.bind("0000:01:00.0", "vfio-pci");
  host.add_pci_device("0000:00:1f.2", 0x010601, 3);             // SATA: not listed
  host.add_pci_device("0000:04:00.0", 0x010802, std::nullopt);  // IOMMU off

  const auto controllers = discover_controllers(host.paths());
  ASSERT_THAT(controllers, SizeIs(3));

  const auto& vfio_bound = controllers[0];
  EXPECT_EQ(vfio_bound.pci.bdf, "0000:01:00.0");
  EXPECT_EQ(vfio_bound.pci.driver_name(), "vfio-pci");
  EXPECT_EQ(vfio_bound.group->group, 7);
  EXPECT_TRUE(vfio_bound.usable_by_nvqual());
  EXPECT_EQ(vfio_bound.model, "");
  EXPECT_TRUE(vfio_bound.namespaces.empty());

  const auto& kernel_bound = controllers[1];
  EXPECT_EQ(kernel_bound.pci.bdf, "0000:02:00.0");
  EXPECT_EQ(kernel_bound.pci.vendor_id, 0x144d);
  EXPECT_EQ(kernel_bound.pci.device_id, 0xa808);
  EXPECT_EQ(kernel_bound.pci.driver_name(), "nvme");
  EXPECT_EQ(kernel_bound.group->group, 12);
  EXPECT_TRUE(kernel_bound.group_viable());
  EXPECT_FALSE(kernel_bound.usable_by_nvqual());
  EXPECT_THAT(kernel_bound.kernel_names, ElementsAre("nvme1"));
  EXPECT_EQ(kernel_bound.model, "Samsung SSD 970 EVO");
  EXPECT_EQ(kernel_bound.serial, "S4EWNX0N");
  EXPECT_EQ(kernel_bound.firmware, "2B2QEXE7");
  ASSERT_THAT(kernel_bound.namespaces, SizeIs(1));
  EXPECT_THAT(kernel_bound.namespaces[0].partitions, ElementsAre("nvme1n1p1"));
  EXPECT_TRUE(kernel_bound.in_use());
  EXPECT_TRUE(kernel_bound.holds_root());

  const auto& no_iommu = controllers[2];
  EXPECT_EQ(no_iommu.pci.bdf, "0000:04:00.0");
  EXPECT_FALSE(no_iommu.group.has_value());
  EXPECT_FALSE(no_iommu.group_viable());
  EXPECT_EQ(no_iommu.pci.driver_name(), "none");
}

TEST(DeviceDiscovery, NonViableGroupIsNotUsable) {
  testing::FakeHost host;
  host.add_pci_device("0000:01:00.0", 0x010802, 7);
  host.bind("0000:01:00.0", "vfio-pci");
  host.add_pci_device("0000:01:00.1", 0x040300, 7);
  host.bind("0000:01:00.1", "snd_hda_intel");
  const auto controllers = discover_controllers(host.paths());
  ASSERT_THAT(controllers, SizeIs(1));
  EXPECT_FALSE(controllers[0].group_viable());
  EXPECT_FALSE(controllers[0].usable_by_nvqual());
}

TEST(DeviceDiscovery, ABusyNamespaceMakesTheControllerInUse) {
  // What `nvqual devices` shows as "in use", with the use as its note.
  testing::FakeHost host;
  host.add_pci_device("0000:02:00.0", 0x010802, 12);
  host.bind("0000:02:00.0", "nvme");
  host.add_kernel_controller("0000:02:00.0", "nvme1");
  host.add_namespace("0000:02:00.0", "nvme1", "nvme1n1", "259:4");
  host.set_exclusive_open_error("nvme1n1", EBUSY);
  const auto controllers = discover_controllers(host.paths());
  ASSERT_THAT(controllers, SizeIs(1));
  EXPECT_TRUE(controllers[0].in_use());
  ASSERT_THAT(controllers[0].namespaces, SizeIs(1));
  ASSERT_THAT(controllers[0].namespaces[0].uses, SizeIs(1));
  EXPECT_EQ(controllers[0].namespaces[0].uses[0].kind, BlockUse::Kind::kBusy);
  EXPECT_THAT(controllers[0].namespaces[0].uses[0].describe(), ::testing::StartsWith("/dev/nvme1n1 is busy"));
}

TEST(DeviceDiscovery, EmptyHost) {
  testing::FakeHost host;
  EXPECT_TRUE(discover_controllers(host.paths()).empty());
}

}  // namespace
}  // namespace nvqual::vfio
