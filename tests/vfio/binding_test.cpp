#include "nvqual/vfio/binding.hpp"

#include <signal.h>
#include <stdlib.h>

#include <cerrno>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/errors.hpp"
#include "nvqual/vfio/device_lock.hpp"
#include "support/fake_host.hpp"

namespace nvqual::vfio {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
namespace fs = std::filesystem;

constexpr const char* kBdf = "0000:01:00.0";
constexpr std::chrono::milliseconds kNoSettle{0};

class Binding : public ::testing::Test {
 protected:
  void SetUp() override {
    host.add_pci_device(kBdf);
    host.bind(kBdf, "nvme");
    host.add_driver("vfio-pci");
    host.add_kernel_controller(kBdf, "nvme0", "QEMU NVMe Ctrl", "nvqual-1", "7.2.0");
    host.add_namespace(kBdf, "nvme0", "nvme0n1", "259:0");
    host.add_partition("nvme0n1", "nvme0n1p1", "259:1");
  }

  SysfsStep write(const fs::path& file, const std::string& value) { return {SysfsStep::Kind::kWrite, file, value}; }
  fs::path device(const std::string& attribute) { return host.paths().pci_device(kBdf) / attribute; }

  std::string refusal(const std::function<void()>& action, ErrorKind kind = ErrorKind::kEnvironment) {
    try {
      action();
    } catch (const DriverError& e) {
      EXPECT_EQ(e.kind(), kind) << e.what();
      return e.what();
    }
    ADD_FAILURE() << "no refusal";
    return "";
  }

  testing::FakeHost host;
  testing::FakeKernel kernel{host};
};

TEST_F(Binding, BindFromNvmeWritesOverrideUnbindsAndProbes) {
  const auto plan = plan_bind(host.paths(), "01:00.0");
  EXPECT_EQ(plan.from_driver, "nvme");
  EXPECT_THAT(plan.steps, ElementsAre(write(device("driver_override"), "vfio-pci"),
                                      write(host.paths().pci_driver("nvme") / "unbind", kBdf),
                                      write(host.paths().drivers_probe(), kBdf)));
  EXPECT_EQ(execute_plan(host.paths(), plan, kernel, kNoSettle), "0000:01:00.0: now bound to vfio-pci (was nvme)");
  EXPECT_EQ(kernel.steps, plan.steps);
  EXPECT_EQ(host.driver_of(kBdf), "vfio-pci");
}

TEST_F(Binding, BindLoadsVfioPciWhenItsDriverIsMissing) {
  fs::remove_all(host.paths().pci_driver("vfio-pci"));
  const auto plan = plan_bind(host.paths(), kBdf);
  ASSERT_FALSE(plan.steps.empty());
  EXPECT_EQ(plan.steps.front().describe(), "modprobe vfio-pci");
  execute_plan(host.paths(), plan, kernel, kNoSettle);
  EXPECT_EQ(host.driver_of(kBdf), "vfio-pci");
}

TEST_F(Binding, BindOfAnUnboundDeviceSkipsUnbind) {
  host.unbind(kBdf);
  const auto plan = plan_bind(host.paths(), kBdf);
  EXPECT_THAT(plan.steps,
              ElementsAre(write(device("driver_override"), "vfio-pci"), write(host.paths().drivers_probe(), kBdf)));
}

TEST_F(Binding, BindOfAVfioBoundDeviceIsANoOp) {
  host.bind(kBdf, "vfio-pci");
  const auto plan = plan_bind(host.paths(), kBdf);
  EXPECT_THAT(plan.steps, IsEmpty());
  EXPECT_EQ(execute_plan(host.paths(), plan, kernel, kNoSettle),
            "0000:01:00.0 is already bound to vfio-pci; nothing to do");
  EXPECT_THAT(kernel.steps, IsEmpty());
}

TEST_F(Binding, DryRunDescribesTheWrites) {
  const auto plan = plan_bind(host.paths(), kBdf);
  const std::string sys = host.paths().sys.string();
  EXPECT_EQ(plan.steps[0].describe(), "echo vfio-pci > " + sys + "/bus/pci/devices/0000:01:00.0/driver_override");
  EXPECT_EQ(plan.steps[1].describe(), "echo 0000:01:00.0 > " + sys + "/bus/pci/drivers/nvme/unbind");
  EXPECT_EQ(plan.steps[2].describe(), "echo 0000:01:00.0 > " + sys + "/bus/pci/drivers_probe");
}

TEST_F(Binding, RefusesAMountedNamespace) {
  host.add_mount("259:1", "/data", "/dev/nvme0n1p1");
  EXPECT_THAT(
      refusal([&] { plan_bind(host.paths(), kBdf); }),
      AllOf(HasSubstr("refusing to bind 0000:01:00.0: /dev/nvme0n1p1 is mounted on /data"), HasSubstr("unmount")));
}

TEST_F(Binding, RefusesTheRootDiskNamingRootFirst) {
  host.add_partition("nvme0n1", "nvme0n1p2", "259:2");
  host.add_mount("259:1", "/boot/efi", "/dev/nvme0n1p1");
  host.add_mount("259:2", "/", "/dev/nvme0n1p2");
  EXPECT_THAT(refusal([&] { plan_bind(host.paths(), kBdf); }),
              AllOf(HasSubstr("refusing to bind 0000:01:00.0: /dev/nvme0n1p2 is mounted on / (root filesystem); "
                              "/dev/nvme0n1p1 is mounted on /boot/efi"),
                    HasSubstr("the disk the system runs from")));
}

TEST_F(Binding, RefusesAHeldNamespace) {
  host.add_block_device("dm-0", "254:0", "vg-data");
  host.add_holder("nvme0n1p1", "dm-0");
  EXPECT_THAT(refusal([&] { plan_bind(host.paths(), kBdf); }),
              HasSubstr("refusing to bind 0000:01:00.0: /dev/nvme0n1p1 is held by dm-0 (vg-data)"));
}

TEST_F(Binding, RefusesASwapNamespace) {
  host.add_swap("/dev/nvme0n1p1");
  EXPECT_THAT(refusal([&] { plan_bind(host.paths(), kBdf); }),
              HasSubstr("refusing to bind 0000:01:00.0: /dev/nvme0n1p1 is used as swap"));
}

TEST_F(Binding, RefusesANamespaceTheKernelReportsBusy) {
  // Mounted only in another mount namespace, or a ZFS vdev: no table shows it.
  host.set_exclusive_open_error("nvme0n1p1", EBUSY);
  EXPECT_THAT(
      refusal([&] { plan_bind(host.paths(), kBdf); }),
      AllOf(HasSubstr("refusing to bind 0000:01:00.0: /dev/nvme0n1p1 is busy (claimed by a filesystem, ZFS pool "
                      "or another exclusive user, possibly in another mount namespace)"),
            HasSubstr("zpool export"), HasSubstr("grep nvme0n1p1 /proc/*/mountinfo")));
}

TEST_F(Binding, AWholeDiskClaimIsRefused) {
  host.set_exclusive_open_error("nvme0n1", EBUSY);  // ZFS given the whole disk
  EXPECT_THAT(refusal([&] { plan_bind(host.paths(), kBdf); }), HasSubstr("/dev/nvme0n1 is busy"));
}

TEST_F(Binding, ProbeFailuresOtherThanBusyDoNotBlock) {
  // EACCES: a non-root user cannot open the node; binding then fails at the sysfs write, not here.
  host.set_exclusive_open_error("nvme0n1", EACCES);
  host.set_exclusive_open_error("nvme0n1p1", ENXIO);
  EXPECT_EQ(plan_bind(host.paths(), kBdf).steps.size(), 3u);
  EXPECT_THAT(host.probed(), ElementsAre("nvme0n1p1", "nvme0n1"));
}

TEST_F(Binding, RefusesANonNvmeDevice) {
  host.add_pci_device("0000:00:1f.2", 0x010601, 3);
  EXPECT_THAT(refusal([&] { plan_bind(host.paths(), "0000:00:1f.2"); }, ErrorKind::kInvalidArgument),
              HasSubstr("refusing to bind 0000:00:1f.2: it is not an NVMe controller (PCI class 0x010601"));
}

TEST_F(Binding, RefusesWithoutIommuGroup) {
  host.add_pci_device("0000:02:00.0", 0x010802, std::nullopt);
  EXPECT_THAT(refusal([&] { plan_bind(host.paths(), "0000:02:00.0"); }),
              AllOf(HasSubstr("no IOMMU group"), HasSubstr("intel_iommu=on")));
}

TEST_F(Binding, AbsentAndMalformedAreInvalidArguments) {
  EXPECT_THAT(refusal([&] { plan_bind(host.paths(), "0000:09:00.0"); }, ErrorKind::kInvalidArgument),
              HasSubstr("no PCI device 0000:09:00.0"));
  EXPECT_THAT(refusal([&] { plan_bind(host.paths(), "9.0"); }, ErrorKind::kInvalidArgument),
              HasSubstr("expected DDDD:BB:DD.F"));
}

TEST_F(Binding, NotesAGroupThatWillNotBeViable) {
  host.add_pci_device("0000:01:00.1", 0x0c0330, 7);
  host.bind("0000:01:00.1", "xhci_hcd");
  const auto plan = plan_bind(host.paths(), kBdf);
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_THAT(plan.notes[0], HasSubstr("0000:01:00.1 (bound to xhci_hcd)"));
}

TEST_F(Binding, FailedProbeIsReported) {
  kernel.probe_binds = false;
  const auto plan = plan_bind(host.paths(), kBdf);
  EXPECT_THAT(refusal([&] { execute_plan(host.paths(), plan, kernel, kNoSettle); }),
              AllOf(HasSubstr("vfio-pci did not take the device (driver is now none)"), HasSubstr("dmesg")));
}

TEST_F(Binding, UnbindClearsOverrideUnbindsAndProbes) {
  execute_plan(host.paths(), plan_bind(host.paths(), kBdf), kernel, kNoSettle);
  kernel.steps.clear();
  const auto plan = plan_unbind(host.paths(), kBdf);
  EXPECT_THAT(plan.steps, ElementsAre(write(device("driver_override"), "\n"),
                                      write(host.paths().pci_driver("vfio-pci") / "unbind", kBdf),
                                      write(host.paths().drivers_probe(), kBdf)));
  EXPECT_EQ(plan.steps[0].describe(), "echo > " + device("driver_override").string());
  EXPECT_EQ(execute_plan(host.paths(), plan, kernel, kNoSettle), "0000:01:00.0: now bound to nvme (was vfio-pci)");
  EXPECT_EQ(host.driver_of(kBdf), "nvme");
}

TEST_F(Binding, UnbindLoadsNvmeWhenMissing) {
  host.bind(kBdf, "vfio-pci");
  fs::remove_all(host.paths().pci_driver("nvme"));
  const auto plan = plan_unbind(host.paths(), kBdf);
  EXPECT_EQ(plan.steps.at(2).describe(), "modprobe nvme");
  execute_plan(host.paths(), plan, kernel, kNoSettle);
  EXPECT_EQ(host.driver_of(kBdf), "nvme");
}

TEST_F(Binding, UnbindOfAnNvmeBoundDeviceIsANoOp) {
  const auto plan = plan_unbind(host.paths(), kBdf);
  EXPECT_THAT(plan.steps, IsEmpty());
  EXPECT_THAT(plan.nothing_to_do, HasSubstr("bound to nvme, not vfio-pci; nothing to do"));
}

TEST_F(Binding, UnbindRefusesWhileNvqualHoldsTheDevice) {
  host.bind(kBdf, "vfio-pci");
  const DeviceLock held = DeviceLock::acquire(host.paths(), kBdf);
  EXPECT_THAT(refusal([&] { plan_unbind(host.paths(), kBdf); }),
              HasSubstr("cannot unbind 0000:01:00.0: device busy: 0000:01:00.0 is in use by another process"));
}

TEST_F(Binding, UnbindRefusesWhileAProcessHoldsTheGroup) {
  host.bind(kBdf, "vfio-pci");
  host.add_process_fd(4321, "qemu-system-x86", host.paths().vfio_group(7));
  EXPECT_THAT(refusal([&] { plan_unbind(host.paths(), kBdf); }),
              AllOf(HasSubstr("cannot unbind 0000:01:00.0: device busy"), HasSubstr("pid 4321 (qemu-system-x86)")));
}

TEST_F(Binding, UnbindRefusesWhileAProcessHoldsTheDevicesIommufdCdev) {
  // Linux 6.6+: a user of the cdev interface never opens /dev/vfio/N.
  host.bind(kBdf, "vfio-pci");
  fs::create_directories(device("vfio-dev") / "vfio3");
  host.add_process_fd(4321, "qemu-system-x86", host.paths().vfio_device_cdev("vfio3"));
  host.add_process_fd(4322, "other", host.paths().vfio_device_cdev("vfio4"));  // another device's cdev
  const std::string message = refusal([&] { plan_unbind(host.paths(), kBdf); });
  EXPECT_THAT(message, AllOf(HasSubstr("cannot unbind 0000:01:00.0: device busy: pid 4321 (qemu-system-x86) has "),
                             HasSubstr(host.paths().vfio_device_cdev("vfio3").string() + " open"),
                             HasSubstr("the kernel's unbind would wait"), ::testing::Not(HasSubstr("4322"))));
}

TEST_F(Binding, AnotherDevicesCdevDoesNotBlockUnbind) {
  host.bind(kBdf, "vfio-pci");
  fs::create_directories(device("vfio-dev") / "vfio3");
  host.add_process_fd(4322, "other", host.paths().vfio_device_cdev("vfio4"));
  EXPECT_THAT(plan_unbind(host.paths(), kBdf).steps, ::testing::SizeIs(3));
}

TEST_F(Binding, UnbindWithNoDriverTakingItBackFails) {
  host.bind(kBdf, "vfio-pci");
  kernel.probe_binds = false;
  EXPECT_THAT(refusal([&] { execute_plan(host.paths(), plan_unbind(host.paths(), kBdf), kernel, kNoSettle); }),
              AllOf(HasSubstr("nvme driver did not take it"), HasSubstr("modprobe nvme")));
}

TEST_F(Binding, ChecksRunAgainUnderTheLock) {
  // The plan shown first predates a mount made before the lock was taken:
  // the writes must not follow that stale plan.
  const auto shown = plan_bind(host.paths(), kBdf);
  ASSERT_FALSE(shown.steps.empty());
  host.add_mount("259:1", "/data", "/dev/nvme0n1p1");
  EXPECT_THAT(refusal([&] { execute_under_lock(host.paths(), kBdf, &plan_bind, kernel, kNoSettle); }),
              HasSubstr("refusing to bind 0000:01:00.0: /dev/nvme0n1p1 is mounted on /data"));
  EXPECT_THAT(kernel.steps, IsEmpty());
}

// Records whether the BDF's lock was free while each write happened.
class LockWatchingKernel : public testing::FakeKernel {
 public:
  explicit LockWatchingKernel(testing::FakeHost& host) : FakeKernel(host), host_(host) {}
  void write(const fs::path& file, std::string_view value) override {
    try {
      DeviceLock probe = DeviceLock::acquire(host_.paths(), kBdf);
      writes_without_lock.push_back(file);
    } catch (const DriverError&) {
    }
    FakeKernel::write(file, value);
  }
  std::vector<fs::path> writes_without_lock;

 private:
  testing::FakeHost& host_;
};

TEST_F(Binding, WritesHappenUnderTheLock) {
  LockWatchingKernel watching(host);
  EXPECT_EQ(execute_under_lock(host.paths(), "01:00.0", &plan_bind, watching, kNoSettle),
            "0000:01:00.0: now bound to vfio-pci (was nvme)");
  EXPECT_EQ(watching.steps.size(), 3u);
  EXPECT_THAT(watching.writes_without_lock, IsEmpty());
  EXPECT_NO_THROW(DeviceLock::acquire(host.paths(), kBdf));  // and released afterwards
}

TEST_F(Binding, UnderLockAnotherNvqualIsBusy) {
  host.bind(kBdf, "vfio-pci");
  const DeviceLock running = DeviceLock::acquire(host.paths(), kBdf);
  EXPECT_THAT(refusal([&] { execute_under_lock(host.paths(), kBdf, &plan_unbind, kernel, kNoSettle); }),
              HasSubstr("device busy: 0000:01:00.0 is in use by another process"));
  EXPECT_THAT(kernel.steps, IsEmpty());
}

TEST_F(Binding, UnbindUnderItsOwnLockStillLooksForGroupHolders) {
  host.bind(kBdf, "vfio-pci");
  const DeviceLock mine = DeviceLock::acquire(host.paths(), kBdf);
  EXPECT_THAT(plan_unbind(host.paths(), kBdf, &mine).steps, ::testing::SizeIs(3));
  host.add_process_fd(4321, "qemu-system-x86", host.paths().vfio_group(7));
  EXPECT_THAT(refusal([&] { plan_unbind(host.paths(), kBdf, &mine); }), HasSubstr("pid 4321 (qemu-system-x86)"));
}

// A fake `modprobe` first on PATH for one test.
class FakeModprobe : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* path = std::getenv("PATH");
    old_path_ = path != nullptr ? path : "";
    ::setenv("PATH", (host.root().string() + ":" + old_path_).c_str(), 1);
  }
  void TearDown() override {
    ::setenv("PATH", old_path_.c_str(), 1);
    ::signal(SIGCHLD, SIG_DFL);
  }
  void script(const std::string& body) {
    const auto file = host.root() / "modprobe";
    host.write_file(file, "#!/bin/sh\n" + body + "\n");
    fs::permissions(file, fs::perms(0755));
  }
  std::string failure(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    try {
      KernelSysfsWriter(timeout).load_module("vfio-pci");
    } catch (const DriverError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kEnvironment);
      return e.what();
    }
    ADD_FAILURE() << "modprobe succeeded";
    return "";
  }

  testing::FakeHost host;
  std::string old_path_;
};

TEST_F(FakeModprobe, SuccessIsSilent) {
  script("exit 0");
  EXPECT_NO_THROW(KernelSysfsWriter().load_module("vfio-pci"));
}

TEST_F(FakeModprobe, ExitStatusIsReported) {
  script("exit 3");
  EXPECT_THAT(failure(), AllOf(HasSubstr("`modprobe vfio-pci` failed (exit status 3)"), HasSubstr("run it as root")));
}

TEST_F(FakeModprobe, DeathBySignalIsReported) {
  script("kill -9 $$");
  EXPECT_THAT(failure(), HasSubstr("`modprobe vfio-pci` failed (killed by signal 9)"));
}

TEST_F(FakeModprobe, AHangingModprobeIsKilledAtTheDeadline) {
  script("exec sleep 30");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(failure(std::chrono::milliseconds(200)),
              AllOf(HasSubstr("did not finish within 200 ms and was killed"), HasSubstr("sudo modprobe vfio-pci")));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_F(FakeModprobe, AStatusThatCannotBeCollectedIsNotSuccess) {
  // With SIGCHLD ignored the kernel reaps the child itself and waitpid fails
  // with ECHILD: the failed modprobe must not pass for a successful one.
  ::signal(SIGCHLD, SIG_IGN);
  script("exit 1");
  EXPECT_THAT(failure(), AllOf(HasSubstr("cannot wait for `modprobe vfio-pci`"), HasSubstr("sudo modprobe vfio-pci")));
}

TEST(KernelSysfsWriter, WritesExistingAttributesOnly) {
  testing::FakeHost host;
  host.add_pci_device(kBdf);
  KernelSysfsWriter writer;
  writer.write(host.paths().pci_device(kBdf) / "driver_override", "vfio-pci");
  std::ifstream in(host.paths().pci_device(kBdf) / "driver_override");
  std::string value;
  std::getline(in, value);
  EXPECT_EQ(value, "vfio-pci");
  try {
    writer.write(host.paths().pci_device(kBdf) / "no_such_attribute", "x");
    ADD_FAILURE() << "wrote a missing attribute";
  } catch (const DriverError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("no_such_attribute failed"), HasSubstr("No such file")));
  }
}

}  // namespace
}  // namespace nvqual::vfio
