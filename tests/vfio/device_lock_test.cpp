#include "nvqual/vfio/device_lock.hpp"

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/errors.hpp"
#include "support/fake_host.hpp"

namespace nvqual::vfio {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr const char* kBdf = "0000:01:00.0";

std::string busy_message(const HostPaths& paths, const std::string& bdf) {
  try {
    DeviceLock second = DeviceLock::acquire(paths, bdf);
  } catch (const DriverError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kEnvironment);
    return e.what();
  }
  ADD_FAILURE() << "second lock on " << bdf << " succeeded";
  return "";
}

TEST(DeviceLock, SecondLockOnTheSameBdfFailsWithTheHoldersPid) {
  testing::FakeHost host;
  const DeviceLock first = DeviceLock::acquire(host.paths(), kBdf);
  // acquire() opens the file again: a separate open file description, so flock conflicts.
  EXPECT_THAT(busy_message(host.paths(), kBdf),
              HasSubstr("device busy: 0000:01:00.0 is in use by another nvqual (pid " + std::to_string(::getpid()) +
                        ")"));
}

TEST(DeviceLock, LockFileLivesInRunLock) {
  testing::FakeHost host;
  const DeviceLock lock = DeviceLock::acquire(host.paths(), kBdf);
  ASSERT_EQ(lock.files().size(), 1u);
  EXPECT_EQ(lock.files()[0], host.paths().lock_dir / "nvqual-0000:01:00.0.lock");
}

TEST(DeviceLock, ReleasedOnDestruction) {
  testing::FakeHost host;
  { const DeviceLock first = DeviceLock::acquire(host.paths(), kBdf); }
  EXPECT_NO_THROW(DeviceLock::acquire(host.paths(), kBdf));
}

TEST(DeviceLock, MovedLockStaysHeld) {
  testing::FakeHost host;
  DeviceLock first = DeviceLock::acquire(host.paths(), kBdf);
  DeviceLock moved = std::move(first);
  EXPECT_THAT(busy_message(host.paths(), kBdf), HasSubstr("device busy"));
}

TEST(DeviceLock, OtherBdfsAreIndependent) {
  testing::FakeHost host;
  const DeviceLock first = DeviceLock::acquire(host.paths(), kBdf);
  EXPECT_NO_THROW(DeviceLock::acquire(host.paths(), "0000:02:00.0"));
}

TEST(DeviceLock, FallsBackWhenRunLockIsMissing) {
  testing::FakeHost host;
  fs::remove_all(host.paths().lock_dir);
  const DeviceLock lock = DeviceLock::acquire(host.paths(), kBdf);
  ASSERT_EQ(lock.files().size(), 1u);
  EXPECT_EQ(lock.files()[0].parent_path(), host.paths().lock_fallback_dir);
  EXPECT_THAT(busy_message(host.paths(), kBdf), HasSubstr("device busy"));
}

TEST(DeviceLock, ALockInTheFallbackDirectoryIsHonoured) {
  // A user without write access to /run/lock locked in /tmp; a later process
  // that can write /run/lock must still see that lock.
  testing::FakeHost host;
  HostPaths fallback_only = host.paths();
  fallback_only.lock_dir = host.root() / "missing";
  const DeviceLock first = DeviceLock::acquire(fallback_only, kBdf);
  EXPECT_THAT(busy_message(host.paths(), kBdf), HasSubstr("device busy"));
}

TEST(DeviceLock, NoWritableDirectoryIsAnEnvironmentError) {
  testing::FakeHost host;
  HostPaths nowhere = host.paths();
  nowhere.lock_dir = host.root() / "missing1";
  nowhere.lock_fallback_dir = host.root() / "missing2";
  try {
    DeviceLock::acquire(nowhere, kBdf);
    ADD_FAILURE() << "locked without a directory";
  } catch (const DriverError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot create the lock file for 0000:01:00.0"));
  }
}

}  // namespace
}  // namespace nvqual::vfio
