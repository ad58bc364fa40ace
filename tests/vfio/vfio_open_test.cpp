// open() on a fake tree: the pre-flight wiring and the clean-up on failure.
// The ioctl path itself needs an IOMMU; it runs in the QEMU guest tests.
#include "nvqual/vfio/vfio_transport.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/errors.hpp"
#include "nvqual/vfio/device_lock.hpp"
#include "support/fake_host.hpp"

namespace nvqual::vfio {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kBdf = "0000:01:00.0";

class VfioOpen : public ::testing::Test {
 protected:
  void SetUp() override {
    host.add_pci_device(kBdf);
    host.bind(kBdf, "vfio-pci");
    host.add_vfio_nodes(7);
    options.bdf = "01:00.0";
    options.paths = host.paths();
    options.dma_estimate_bytes = 0;  // the runner's RLIMIT_MEMLOCK is not under test here
  }

  DriverError open_failure() {
    try {
      open(options);
    } catch (const DriverError& e) {
      return e;
    }
    ADD_FAILURE() << "open succeeded on a fake tree";
    return DriverError(ErrorKind::kEnvironment, "");
  }

  testing::FakeHost host;
  VfioOptions options;
};

TEST_F(VfioOpen, MalformedBdfIsInvalidArgument) {
  options.bdf = "1:0.0";
  const auto error = open_failure();
  EXPECT_EQ(error.kind(), ErrorKind::kInvalidArgument);
  EXPECT_THAT(error.what(), HasSubstr("expected DDDD:BB:DD.F"));
}

TEST_F(VfioOpen, PreflightRunsFirst) {
  host.bind(kBdf, "nvme");
  EXPECT_THAT(open_failure().what(), HasSubstr("`nvqual bind 0000:01:00.0`"));
}

TEST_F(VfioOpen, ANodeThatIsNotVfioFailsAtTheApiCheck) {
  // The fake /dev/vfio/vfio is a plain file: VFIO_GET_API_VERSION fails.
  const auto error = open_failure();
  EXPECT_EQ(error.kind(), ErrorKind::kEnvironment);
  EXPECT_THAT(error.what(), AllOf(HasSubstr("0000:01:00.0: VFIO_GET_API_VERSION on " +
                                            host.paths().vfio_container().string() + " failed: "),
                                  HasSubstr("it is not the VFIO container (char 10:196)"), HasSubstr("`modprobe vfio`"),
                                  Not(HasSubstr("version is -1"))));
}

TEST_F(VfioOpen, AFailedOpenReleasesTheLock) {
  open_failure();
  EXPECT_NO_THROW(DeviceLock::acquire(host.paths(), kBdf));
}

TEST_F(VfioOpen, AnotherLockHolderMakesTheDeviceBusy) {
  const DeviceLock held = DeviceLock::acquire(host.paths(), kBdf);
  EXPECT_THAT(open_failure().what(), HasSubstr("device busy: 0000:01:00.0 is in use by another process (pid unknown)"));
}

}  // namespace
}  // namespace nvqual::vfio
