#include "nvqual/vfio/iommu_group.hpp"

#include <gtest/gtest.h>

#include "support/fake_host.hpp"

namespace nvqual::vfio {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBdf = "0000:01:00.0";

TEST(IommuGroup, AloneIsViable) {
  testing::FakeHost host;
  host.add_pci_device(kBdf);
  const auto viability = group_viability(host.paths(), 7, kBdf);
  EXPECT_TRUE(viability.viable());
  EXPECT_TRUE(viability.others.empty());
  EXPECT_EQ(viability.describe_blockers(), "");
}

TEST(IommuGroup, UnboundVfioStubAndBridgeMembersKeepItViable) {
  testing::FakeHost host;
  host.add_pci_device(kBdf);
  host.add_pci_device("0000:01:00.1", 0x010802, 7);  // unbound
  host.add_pci_device("0000:01:00.2", 0x010802, 7);
  host.bind("0000:01:00.2", "vfio-pci");
  host.add_pci_device("0000:01:00.3", 0x020000, 7);
  host.bind("0000:01:00.3", "pci-stub");
  host.add_pci_device("0000:00:1c.0", 0x060400, 7);
  host.bind("0000:00:1c.0", "pcieport");
  const auto viability = group_viability(host.paths(), 7, kBdf);
  EXPECT_EQ(viability.others.size(), 4u);
  EXPECT_TRUE(viability.viable());
}

TEST(IommuGroup, AMemberOnAnotherDriverBreaksIt) {
  testing::FakeHost host;
  host.add_pci_device(kBdf);
  host.add_pci_device("0000:01:00.1", 0x020000, 7);
  host.bind("0000:01:00.1", "e1000e");
  host.add_pci_device("0000:01:00.2", 0x010802, 7);
  host.bind("0000:01:00.2", "nvme");
  host.add_pci_device("0000:03:00.0", 0x020000, 9);  // another group: irrelevant
  host.bind("0000:03:00.0", "igb");
  const auto viability = group_viability(host.paths(), 7, kBdf);
  EXPECT_FALSE(viability.viable());
  ASSERT_EQ(viability.blockers().size(), 2u);
  EXPECT_EQ(viability.describe_blockers(), "0000:01:00.1 (bound to e1000e), 0000:01:00.2 (bound to nvme)");
}

TEST(IommuGroup, VfioVariantDriversKeepItViable) {
  // Vendor variants of vfio-pci register with VFIO like vfio-pci itself.
  testing::FakeHost host;
  host.add_pci_device(kBdf);
  host.add_pci_device("0000:01:00.1", 0x020000, 7);
  host.bind("0000:01:00.1", "mlx5_vfio_pci");
  EXPECT_TRUE(group_viability(host.paths(), 7, kBdf).viable());
}

TEST(IommuGroup, AMemberWithAVfioDeviceKeepsItViableWhateverItsDriverIsCalled) {
  testing::FakeHost host;
  host.add_pci_device(kBdf);
  host.add_pci_device("0000:01:00.1", 0x020000, 7);
  host.bind("0000:01:00.1", "acme_passthrough");
  EXPECT_FALSE(group_viability(host.paths(), 7, kBdf).viable());
  fs::create_directories(host.paths().pci_device("0000:01:00.1") / "vfio-dev" / "vfio3");
  EXPECT_TRUE(group_viability(host.paths(), 7, kBdf).viable());
}

TEST(IommuGroup, TheDeviceItselfIsNotABlocker) {
  testing::FakeHost host;
  host.add_pci_device(kBdf);
  host.bind(kBdf, "nvme");
  EXPECT_TRUE(group_viability(host.paths(), 7, kBdf).viable());
}

}  // namespace
}  // namespace nvqual::vfio
