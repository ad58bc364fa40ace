#include "nvqual/vfio/preflight.hpp"

#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/errors.hpp"
#include "support/fake_host.hpp"

namespace nvqual::vfio {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr const char* kBdf = "0000:01:00.0";
constexpr uint64_t kMiB = 1 << 20;

// Runs `check` as uid/gid 65534 (nobody) in a child when this process is
// root, so file modes apply; directly otherwise. Returns what it returned.
std::string run_unprivileged(const std::function<std::string()>& check) {
  if (::geteuid() != 0) return check();
  int fds[2];
  if (::pipe(fds) != 0) return "pipe failed";
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    std::string result = "could not drop privileges";
    if (::setgroups(0, nullptr) == 0 && ::setgid(65534) == 0 && ::setuid(65534) == 0) result = check();
    [[maybe_unused]] const auto written = ::write(fds[1], result.data(), result.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string result;
  char buffer[512];
  for (ssize_t got; (got = ::read(fds[0], buffer, sizeof buffer)) > 0;) result.append(buffer, static_cast<size_t>(got));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return result;
}

// An unprivileged user who owns none of the fake files.
HostIdentity lab_user() {
  HostIdentity identity;
  identity.uid = 4242;
  identity.gid = 4242;
  identity.memlock_limit = 8 * kMiB;
  return identity;
}

class Preflight : public ::testing::Test {
 protected:
  // A controller ready for nvqual: NVMe class, group 7, bound to vfio-pci, nodes present.
  void SetUp() override {
    host.add_pci_device(kBdf);
    host.bind(kBdf, "vfio-pci");
    host.add_vfio_nodes(7);
  }

  // The message of the DriverError preflight throws, checking its kind.
  std::string failure(ErrorKind kind, const std::string& bdf = kBdf, uint64_t dma = kMiB,
                      const HostIdentity& identity = lab_user()) {
    try {
      preflight(host.paths(), identity, bdf, dma);
    } catch (const DriverError& e) {
      EXPECT_EQ(e.kind(), kind) << e.what();
      return e.what();
    }
    ADD_FAILURE() << "preflight passed";
    return "";
  }

  testing::FakeHost host;
};

TEST_F(Preflight, ReadyControllerPasses) {
  const auto result = preflight(host.paths(), lab_user(), "01:00.0", kMiB);
  EXPECT_EQ(result.bdf, kBdf);
  EXPECT_EQ(result.iommu_group, 7);
}

TEST_F(Preflight, MalformedBdf) {
  EXPECT_THAT(failure(ErrorKind::kInvalidArgument, "01:00"), HasSubstr("expected DDDD:BB:DD.F"));
}

TEST_F(Preflight, AbsentBdfListsTheControllersThatExist) {
  EXPECT_THAT(
      failure(ErrorKind::kInvalidArgument, "0000:05:00.0"),
      AllOf(HasSubstr("no PCI device 0000:05:00.0"), HasSubstr("sys/bus/pci/devices/0000:05:00.0 does not exist"),
            HasSubstr("NVMe controllers here: 0000:01:00.0 (driver vfio-pci)")));
}

TEST_F(Preflight, NotAnNvmeController) {
  host.add_pci_device("0000:00:1f.2", 0x010601, 3);
  EXPECT_THAT(failure(ErrorKind::kInvalidArgument, "0000:00:1f.2"),
              AllOf(HasSubstr("0000:00:1f.2 is not an NVMe controller"), HasSubstr("class 0x010601"),
                    HasSubstr("expected 0x010802")));
}

TEST_F(Preflight, NoIommuGroupMeansIommuOff) {
  host.add_pci_device("0000:02:00.0", 0x010802, std::nullopt);
  host.bind("0000:02:00.0", "nvme");
  EXPECT_THAT(failure(ErrorKind::kEnvironment, "0000:02:00.0"),
              AllOf(HasSubstr("no IOMMU group"), HasSubstr("intel_iommu=on"), HasSubstr("amd_iommu=on"),
                    HasSubstr("modprobe vfio-pci")));
}

TEST_F(Preflight, BoundToNvmeSaysBind) {
  host.bind(kBdf, "nvme");
  EXPECT_THAT(failure(ErrorKind::kEnvironment),
              AllOf(HasSubstr("bound to the kernel nvme driver"), HasSubstr("`nvqual bind 0000:01:00.0`")));
}

TEST_F(Preflight, BoundToNothingSaysBind) {
  host.unbind(kBdf);
  EXPECT_THAT(failure(ErrorKind::kEnvironment),
              AllOf(HasSubstr("bound to no driver"), HasSubstr("`nvqual bind 0000:01:00.0`")));
}

TEST_F(Preflight, BoundToAnotherDriverNamesIt) {
  host.bind(kBdf, "pci-stub");
  EXPECT_THAT(failure(ErrorKind::kEnvironment),
              AllOf(HasSubstr("bound to driver pci-stub, not vfio-pci"), HasSubstr("`nvqual bind 0000:01:00.0`")));
}

TEST_F(Preflight, MissingContainerSaysModprobeAndIommu) {
  fs::remove(host.paths().vfio_container());
  EXPECT_THAT(failure(ErrorKind::kEnvironment),
              AllOf(HasSubstr("dev/vfio/vfio (the VFIO container, needed for 0000:01:00.0) does not exist"),
                    HasSubstr("modprobe vfio-pci"), HasSubstr("intel_iommu=on")));
}

TEST_F(Preflight, MissingGroupNodeNamesTheGroup) {
  fs::remove(host.paths().vfio_group(7));
  EXPECT_THAT(failure(ErrorKind::kEnvironment),
              AllOf(HasSubstr("dev/vfio/7 (IOMMU group of 0000:01:00.0) does not exist"),
                    HasSubstr("nvqual bind 0000:01:00.0"), HasSubstr("amd_iommu=on")));
}

TEST_F(Preflight, InaccessibleGroupNodeNamesOwnerModeAndUser) {
  fs::permissions(host.paths().vfio_group(7), fs::perms(0600));
  struct stat info {};
  ASSERT_EQ(::stat(host.paths().vfio_group(7).c_str(), &info), 0);
  EXPECT_THAT(
      failure(ErrorKind::kEnvironment),
      AllOf(HasSubstr("dev/vfio/7 (IOMMU group of 0000:01:00.0) is not read-write for the current user uid 4242"),
            HasSubstr("owned by user " + describe_user(info.st_uid)), HasSubstr("group " + describe_group(info.st_gid)),
            HasSubstr("mode 0600"), HasSubstr("sudo chown 4242"), HasSubstr("udev rule")));
}

TEST_F(Preflight, InaccessibleContainerIsReportedToo) {
  fs::permissions(host.paths().vfio_container(), fs::perms(0600));
  EXPECT_THAT(
      failure(ErrorKind::kEnvironment),
      HasSubstr("dev/vfio/vfio (the VFIO container, needed for 0000:01:00.0) is not read-write for the current user"));
}

TEST_F(Preflight, GroupMembershipGrantsAccess) {
  fs::permissions(host.paths().vfio_group(7), fs::perms(0660));
  struct stat info {};
  ASSERT_EQ(::stat(host.paths().vfio_group(7).c_str(), &info), 0);
  HostIdentity member = lab_user();
  member.groups.push_back(info.st_gid);
  EXPECT_NO_THROW(preflight(host.paths(), member, kBdf, kMiB));
  EXPECT_THAT(failure(ErrorKind::kEnvironment), HasSubstr("not read-write"));  // without the group
}

TEST_F(Preflight, RootIsNeverDeniedByMode) {
  fs::permissions(host.paths().vfio_group(7), fs::perms(0600));
  HostIdentity root = lab_user();
  root.uid = 0;
  EXPECT_NO_THROW(preflight(host.paths(), root, kBdf, kMiB));
}

TEST_F(Preflight, GroupViabilityIsLeftToTheKernel) {
  // sysfs cannot know every driver the kernel accepts (vfio-pci variants,
  // future allow-list entries): pre-flight passes, VFIO_GROUP_GET_STATUS decides.
  host.add_pci_device("0000:01:00.1", 0x040300, 7);
  host.bind("0000:01:00.1", "snd_hda_intel");
  EXPECT_NO_THROW(preflight(host.paths(), lab_user(), kBdf, kMiB));
}

TEST_F(Preflight, NotViableMessageNamesTheLikelyBlockers) {
  host.add_pci_device("0000:01:00.1", 0x040300, 7);
  host.bind("0000:01:00.1", "snd_hda_intel");
  host.add_pci_device("0000:00:01.0", 0x060400, 7);
  host.bind("0000:00:01.0", "pcieport");  // a bridge on pcieport keeps the group viable
  EXPECT_THAT(not_viable_message(host.paths(), kBdf, 7),
              AllOf(HasSubstr("IOMMU group 7 of 0000:01:00.0 is not viable"),
                    HasSubstr("0000:01:00.1 (bound to snd_hda_intel) shares it"),
                    ::testing::Not(HasSubstr("0000:00:01.0")), HasSubstr("vfio-pci")));
}

TEST_F(Preflight, NotViableWithoutLikelyBlockersListsEveryMember) {
  // The kernel said no although sysfs shows nothing suspicious: show all of it.
  host.add_pci_device("0000:00:01.0", 0x060400, 7);
  host.bind("0000:00:01.0", "pcieport");
  EXPECT_THAT(
      not_viable_message(host.paths(), kBdf, 7),
      AllOf(HasSubstr("is not viable (the kernel says so; sysfs shows members 0000:00:01.0 (bound to pcieport))"),
            HasSubstr("dmesg")));
}

TEST_F(Preflight, UnsearchableVfioDirectoryIsAPermissionProblemNotAMissingNode) {
  // Tests run as root, which no mode stops: check as an unprivileged user in a child.
  fs::permissions(host.root(), fs::perms(0755));
  fs::permissions(host.paths().dev / "vfio", fs::perms(0700));
  const std::string message = run_unprivileged([&] {
    try {
      preflight(host.paths(), lab_user(), kBdf, kMiB);
    } catch (const DriverError& e) {
      return std::string(e.what());
    }
    return std::string("preflight passed");
  });
  EXPECT_THAT(
      message,
      AllOf(HasSubstr(
                "dev/vfio/vfio (the VFIO container, needed for 0000:01:00.0) cannot be looked up by the current user"),
            HasSubstr("permission denied on " + (host.paths().dev / "vfio").string()), HasSubstr("mode 0700"),
            HasSubstr("chmod 0755"), ::testing::Not(HasSubstr("does not exist"))));
}

TEST_F(Preflight, MemlockBelowTheEstimateGivesNumbersAndFix) {
  HostIdentity identity = lab_user();
  identity.memlock_limit = 64 * 1024;
  EXPECT_THAT(failure(ErrorKind::kEnvironment, kBdf, 16 * kMiB, identity),
              AllOf(HasSubstr("RLIMIT_MEMLOCK is 64 KiB but DMA for 0000:01:00.0 needs 16384 KiB:"),
                    HasSubstr("ulimit -l 16384"), HasSubstr("/etc/security/limits.conf"), HasSubstr("memlock"),
                    ::testing::Not(HasSubstr("already pinned"))));
}

TEST(Memlock, MessageCountsWhatIsPinnedAlready) {
  HostIdentity identity = lab_user();
  identity.memlock_limit = 8 * kMiB;
  EXPECT_THAT(memlock_message(identity, kBdf, kMiB, 8 * kMiB),
              AllOf(HasSubstr("RLIMIT_MEMLOCK is 8192 KiB but DMA for 0000:01:00.0 needs 1024 KiB more on top of 8192 "
                              "KiB already pinned"),
                    HasSubstr("ulimit -l 9216")));
}

TEST_F(Preflight, MemlockIsIgnoredWithCapIpcLockOrUnlimited) {
  HostIdentity identity = lab_user();
  identity.memlock_limit = 64 * 1024;
  identity.cap_ipc_lock = true;
  EXPECT_NO_THROW(preflight(host.paths(), identity, kBdf, 16 * kMiB));
  identity.cap_ipc_lock = false;
  identity.memlock_limit = HostIdentity::kUnlimited;
  EXPECT_NO_THROW(preflight(host.paths(), identity, kBdf, 16 * kMiB));
}

TEST(Memlock, CountsWhatIsAlreadyPinned) {
  HostIdentity identity = lab_user();
  identity.memlock_limit = 8 * kMiB;
  EXPECT_NO_THROW(check_memlock(identity, kBdf, 4 * kMiB, 4 * kMiB));
  EXPECT_THROW(check_memlock(identity, kBdf, 4 * kMiB + 4096, 4 * kMiB), DriverError);
  EXPECT_THROW(check_memlock(identity, kBdf, 0, 9 * kMiB), DriverError);
}

TEST_F(Preflight, BusyGroupNamesTheHoldingProcess) {
  host.add_process_fd(31337, "qemu-system-x86", host.paths().vfio_group(7));
  host.add_process_fd(31338, "bash", host.paths().dev / "null");
  const std::string message = group_busy_message(host.paths(), kBdf, 7);
  EXPECT_THAT(message, AllOf(HasSubstr("device busy: 0000:01:00.0 (IOMMU group 7)"),
                             HasSubstr("pid 31337 (qemu-system-x86)"), ::testing::Not(HasSubstr("31338"))));
}

}  // namespace
}  // namespace nvqual::vfio
