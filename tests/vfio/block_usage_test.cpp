#include "nvqual/vfio/block_usage.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/fake_host.hpp"

namespace nvqual::vfio {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr const char* kBdf = "0000:01:00.0";

class BlockUsage : public ::testing::Test {
 protected:
  void SetUp() override {
    host.add_pci_device(kBdf);
    host.bind(kBdf, "nvme");
    host.add_kernel_controller(kBdf, "nvme0", "QEMU NVMe Ctrl", "nvqual-1", "7.2.0");
    host.add_namespace(kBdf, "nvme0", "nvme0n1", "259:0");
  }

  std::vector<NamespaceUsage> namespaces() {
    return controller_namespaces(host.paths(), kBdf, BlockUsageTable::read(host.paths()));
  }

  std::vector<std::string> descriptions() {
    std::vector<std::string> out;
    for (const auto& ns : namespaces()) {
      for (const auto& use : ns.uses) out.push_back(use.describe());
    }
    return out;
  }

  testing::FakeHost host;
};

TEST(Mountinfo, ParsesFieldsAndUnescapesMountpoints) {
  const auto mounts = parse_mountinfo({
      "36 35 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro",
      "37 36 0:45 /@home /home\\040dir rw master:3 shared:7 - btrfs /dev/nvme0n1p3 rw",
      "garbage line",
  });
  ASSERT_THAT(mounts, SizeIs(2));
  EXPECT_EQ(mounts[0].major_minor, "259:2");
  EXPECT_EQ(mounts[0].mountpoint, "/");
  EXPECT_EQ(mounts[0].source, "/dev/nvme0n1p2");
  EXPECT_EQ(mounts[1].mountpoint, "/home dir");
  EXPECT_EQ(mounts[1].source, "/dev/nvme0n1p3");
}

TEST(Swaps, SkipsTheHeader) {
  EXPECT_THAT(parse_swaps({"Filename Type Size Used Priority", "/dev/nvme0n1p3 partition 1 0 -2", "/swapfile file 1 0 -3"}),
              ElementsAre("/dev/nvme0n1p3", "/swapfile"));
}

TEST_F(BlockUsage, UnusedNamespaceHasNoUses) {
  const auto found = namespaces();
  ASSERT_THAT(found, SizeIs(1));
  EXPECT_EQ(found[0].name, "nvme0n1");
  EXPECT_FALSE(found[0].in_use());
}

TEST_F(BlockUsage, MountedPartitionFoundByDeviceNumbers) {
  host.add_partition("nvme0n1", "nvme0n1p1", "259:1");
  host.add_mount("259:1", "/data", "/dev/disk/by-label/data");
  const auto found = namespaces();
  ASSERT_THAT(found, SizeIs(1));
  EXPECT_THAT(found[0].partitions, ElementsAre("nvme0n1p1"));
  EXPECT_THAT(descriptions(), ElementsAre("/dev/nvme0n1p1 is mounted on /data"));
  EXPECT_FALSE(found[0].holds_root());
}

TEST_F(BlockUsage, BtrfsMountFoundBySource) {
  // btrfs reports an anonymous device number: only the source names the disk.
  host.add_mount("0:45", "/srv", "/dev/nvme0n1");
  EXPECT_THAT(descriptions(), ElementsAre("/dev/nvme0n1 is mounted on /srv"));
}

TEST_F(BlockUsage, RootFilesystemIsFlagged) {
  host.add_partition("nvme0n1", "nvme0n1p2", "259:2");
  host.add_mount("259:2", "/", "/dev/nvme0n1p2");
  const auto found = namespaces();
  EXPECT_TRUE(found.at(0).holds_root());
  EXPECT_THAT(descriptions(), ElementsAre("/dev/nvme0n1p2 is mounted on / (root filesystem)"));
}

TEST_F(BlockUsage, SwapPartition) {
  host.add_partition("nvme0n1", "nvme0n1p3", "259:3");
  host.add_swap("/dev/nvme0n1p3");
  EXPECT_THAT(descriptions(), ElementsAre("/dev/nvme0n1p3 is used as swap"));
}

TEST_F(BlockUsage, HolderIsReportedAndFollowedToItsMount) {
  // LVM: nvme0n1p2 -> dm-0 (vg-root) mounted on /, found through the dm name as mount source.
  host.add_partition("nvme0n1", "nvme0n1p2", "259:2");
  host.add_block_device("dm-0", "254:0", "vg-root");
  host.add_holder("nvme0n1p2", "dm-0");
  host.add_mount("0:31", "/", "/dev/mapper/vg-root");
  const auto found = namespaces();
  EXPECT_TRUE(found.at(0).holds_root());
  EXPECT_THAT(descriptions(),
              ElementsAre("/dev/nvme0n1p2 is held by dm-0 (vg-root) (md, LVM or device-mapper)",
                          "/dev/nvme0n1p2 is used by dm-0 (vg-root), which is mounted on / (root filesystem)"));
}

TEST_F(BlockUsage, StackedHoldersToSwap) {
  // md0 on the whole disk, dm-1 on md0, dm-1 used as swap.
  host.add_block_device("md0", "9:0");
  host.add_block_device("dm-1", "254:1", "vg-swap");
  host.add_holder("nvme0n1", "md0");
  host.add_holder("md0", "dm-1");
  host.add_swap("/dev/dm-1");
  EXPECT_THAT(descriptions(), ElementsAre("/dev/nvme0n1 is held by md0 (md, LVM or device-mapper)",
                                          "/dev/nvme0n1 is used by md0 -> dm-1 (vg-swap), which is used as swap"));
}

TEST_F(BlockUsage, MultipathNamespaceFoundThroughTheSubsystem) {
  host.add_pci_device("0000:02:00.0", 0x010802, 8);
  host.bind("0000:02:00.0", "nvme");
  host.add_kernel_controller("0000:02:00.0", "nvme1");
  host.add_multipath_namespace("0000:02:00.0", "nvme1", "nvme-subsys1", "nvme1n1", "259:5");
  host.add_mount("259:5", "/scratch", "/dev/nvme1n1");
  const auto found = controller_namespaces(host.paths(), "0000:02:00.0", BlockUsageTable::read(host.paths()));
  ASSERT_THAT(found, SizeIs(1));
  EXPECT_EQ(found[0].name, "nvme1n1");
  EXPECT_TRUE(found[0].in_use());
  // The other controller's namespace is not reported for this one.
  EXPECT_THAT(namespaces().at(0).uses, IsEmpty());
}

}  // namespace
}  // namespace nvqual::vfio
