#include "nvqual/vfio/block_usage.hpp"

#include <cerrno>

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
  EXPECT_EQ(mounts[0].fstype, "ext4");
  EXPECT_EQ(mounts[1].mountpoint, "/home dir");
  EXPECT_EQ(mounts[1].fstype, "btrfs");
  EXPECT_EQ(mounts[1].source, "/dev/nvme0n1p3");
}

TEST(Swaps, SkipsTheHeader) {
  EXPECT_THAT(
      parse_swaps({"Filename Type Size Used Priority", "/dev/nvme0n1p3 partition 1 0 -2", "/swapfile file 1 0 -3"}),
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

TEST_F(BlockUsage, BusyPartitionIsAUseAndTheDiskIsNotProbedAgain) {
  host.add_partition("nvme0n1", "nvme0n1p1", "259:1");
  host.set_exclusive_open_error("nvme0n1p1", EBUSY);
  host.set_exclusive_open_error("nvme0n1", EBUSY);  // the kernel's answer for a disk with a claimed partition
  EXPECT_THAT(descriptions(), ElementsAre("/dev/nvme0n1p1 is busy (claimed by a filesystem, ZFS pool or another "
                                          "exclusive user, possibly in another mount namespace)"));
  EXPECT_THAT(host.probed(), ElementsAre("nvme0n1p1"));
}

TEST_F(BlockUsage, DevicesWithAKnownUseAreNotProbed) {
  host.add_partition("nvme0n1", "nvme0n1p1", "259:1");
  host.add_mount("259:1", "/data", "/dev/nvme0n1p1");
  host.set_exclusive_open_error("nvme0n1p1", EBUSY);
  EXPECT_THAT(descriptions(), ElementsAre("/dev/nvme0n1p1 is mounted on /data"));
  EXPECT_THAT(host.probed(), IsEmpty());
}

TEST_F(BlockUsage, TheRealProbeInAFakeTreeFindsNothing) {
  // No /dev/nvme0n1 node under the fake root: ENOENT, which must not count.
  host.add_partition("nvme0n1", "nvme0n1p1", "259:1");
  EXPECT_EQ(open_block_exclusive(host.paths().dev / "nvme0n1"), ENOENT);
  EXPECT_THAT(descriptions(), IsEmpty());
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

TEST_F(BlockUsage, RootFoundThroughPid1sMountsWhenOursDiffer) {
  // nvqual in its own mount namespace (a service with PrivateMounts, unshare -m)
  // sees an overlay as /; PID 1 still sees the disk.
  host.add_partition("nvme0n1", "nvme0n1p2", "259:2");
  host.add_mount("0:52", "/", "overlay", "overlay");
  host.add_init_mount("259:2", "/", "/dev/nvme0n1p2");
  EXPECT_TRUE(namespaces().at(0).holds_root());
  EXPECT_THAT(descriptions(), ElementsAre("/dev/nvme0n1p2 is mounted on / (root filesystem)"));
}

TEST_F(BlockUsage, SameMountSeenTwiceIsReportedOnce) {
  host.add_partition("nvme0n1", "nvme0n1p2", "259:2");
  host.add_mount("259:2", "/", "/dev/nvme0n1p2");
  host.add_init_mount("259:2", "/", "/dev/nvme0n1p2");
  EXPECT_THAT(descriptions(), ElementsAre("/dev/nvme0n1p2 is mounted on / (root filesystem)"));
}

TEST_F(BlockUsage, RootFoundByTheDeviceOfSlashWhenNoMountinfoShowsIt) {
  // The fake tree's own directory stands for "/": its st_dev is made the
  // partition's, and no mountinfo line mentions the partition at all.
  const std::string root_dev = host.make_root_device("nvme0n1p2");
  if (root_dev == "259:0") GTEST_SKIP() << "the temporary directory sits on device 259:0, the fixture's namespace";
  host.add_partition("nvme0n1", "nvme0n1p2", root_dev);
  EXPECT_TRUE(namespaces().at(0).holds_root());
  EXPECT_THAT(descriptions(), ElementsAre("/dev/nvme0n1p2 is mounted on / (root filesystem)"));
}

TEST_F(BlockUsage, RootOnLvmFoundByTheDeviceOfSlash) {
  host.add_partition("nvme0n1", "nvme0n1p3", "259:3");
  const std::string root_dev = host.make_root_device("dm-0");
  host.add_block_device("dm-0", root_dev, "vg-root");
  host.add_holder("nvme0n1p3", "dm-0");
  EXPECT_TRUE(namespaces().at(0).holds_root());
  EXPECT_THAT(descriptions(),
              ::testing::Contains("/dev/nvme0n1p3 is used by dm-0 (vg-root), which is mounted on / (root filesystem)"));
}

TEST_F(BlockUsage, WithoutARootDirectoryNothingIsGuessed) {
  // HostPaths::under() leaves root_directory unset: a captured tree has no live "/".
  host.add_partition("nvme0n1", "nvme0n1p2", "259:2");
  EXPECT_FALSE(host.paths().root_directory.has_value());
  EXPECT_FALSE(namespaces().at(0).in_use());
}

TEST_F(BlockUsage, EveryDeviceOfAMultiDeviceBtrfsRootCounts) {
  // btrfs RAID1 across two controllers: mountinfo names only the first device.
  host.add_partition("nvme0n1", "nvme0n1p2", "259:2");
  host.add_pci_device("0000:02:00.0", 0x010802, 8);
  host.bind("0000:02:00.0", "nvme");
  host.add_kernel_controller("0000:02:00.0", "nvme1");
  host.add_namespace("0000:02:00.0", "nvme1", "nvme1n1", "259:5");
  host.add_partition("nvme1n1", "nvme1n1p1", "259:6");
  host.add_btrfs("0a1b2c3d-0000-4000-8000-000000000001", {"nvme1n1p1", "nvme0n1p2"});
  host.add_mount("0:45", "/", "/dev/nvme1n1p1", "btrfs");
  EXPECT_THAT(descriptions(), ElementsAre("/dev/nvme0n1p2 is mounted on / (root filesystem)"));
  const auto other = controller_namespaces(host.paths(), "0000:02:00.0", BlockUsageTable::read(host.paths()));
  EXPECT_TRUE(other.at(0).holds_root());
}

TEST_F(BlockUsage, BtrfsOnDeviceMapperIsFollowedByItsMapperName) {
  host.add_partition("nvme0n1", "nvme0n1p2", "259:2");
  host.add_block_device("dm-1", "254:1", "crypt-a");
  host.add_block_device("dm-2", "254:2", "crypt-b");
  host.add_holder("nvme0n1p2", "dm-2");
  host.add_btrfs("0a1b2c3d-0000-4000-8000-000000000002", {"dm-1", "dm-2"});
  host.add_mount("0:46", "/srv", "/dev/mapper/crypt-a", "btrfs");
  EXPECT_THAT(descriptions(),
              ::testing::Contains("/dev/nvme0n1p2 is used by dm-2 (crypt-b), which is mounted on /srv"));
}

TEST_F(BlockUsage, AnUnrelatedBtrfsIsNotCounted) {
  host.add_partition("nvme0n1", "nvme0n1p2", "259:2");
  host.add_block_device("sda1", "8:1");
  host.add_btrfs("0a1b2c3d-0000-4000-8000-000000000003", {"sda1"});
  host.add_btrfs("0a1b2c3d-0000-4000-8000-000000000004", {"nvme0n1p2"});  // not mounted
  host.add_mount("0:47", "/", "/dev/sda1", "btrfs");
  EXPECT_FALSE(namespaces().at(0).in_use());
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
