#include "nvqual/vfio/device_lock.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/errors.hpp"
#include "support/fake_host.hpp"

namespace nvqual::vfio {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

constexpr const char* kBdf = "0000:01:00.0";
constexpr uid_t kRoot = 0;
constexpr uid_t kLabUser = 4242;

std::string failure(const HostPaths& paths, const std::string& bdf, uid_t uid) {
  try {
    DeviceLock second = DeviceLock::acquire(paths, bdf, uid);
  } catch (const DriverError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kEnvironment);
    return e.what();
  }
  ADD_FAILURE() << "lock on " << bdf << " as uid " << uid << " succeeded";
  return "";
}

mode_t mode_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

class DeviceLockTest : public ::testing::Test {
 protected:
  fs::path root_file() const { return host.paths().lock_dir / DeviceLock::file_name(kBdf); }
  fs::path fallback_file() const { return host.paths().lock_fallback_dir / DeviceLock::file_name(kBdf); }

  testing::FakeHost host;
};

TEST_F(DeviceLockTest, RootLocksInItsOwnDirectoryInAFileOnlyRootCanOpen) {
  const DeviceLock lock = DeviceLock::acquire(host.paths(), kBdf, kRoot);
  ASSERT_EQ(lock.files().size(), 1u);
  EXPECT_EQ(lock.files()[0], root_file());
  EXPECT_EQ(mode_of(root_file()), 0600u);  // a user who could open it could flock it
}

TEST_F(DeviceLockTest, RootTightensAFileLeftReadableByAnOlderVersion) {
  host.write_file(root_file(), "");
  fs::permissions(root_file(), fs::perms(0644));
  const DeviceLock lock = DeviceLock::acquire(host.paths(), kBdf, kRoot);
  EXPECT_EQ(mode_of(root_file()), 0600u);
}

TEST_F(DeviceLockTest, RootCreatesItsDirectory0755WhateverTheUmask) {
  fs::remove_all(host.paths().lock_dir);
  const mode_t old_umask = ::umask(077);
  const DeviceLock lock = DeviceLock::acquire(host.paths(), kBdf, kRoot);
  ::umask(old_umask);
  EXPECT_EQ(mode_of(host.paths().lock_dir), 0755u);
  EXPECT_EQ(mode_of(root_file()), 0600u);
}

TEST_F(DeviceLockTest, RootRefusesADirectoryOthersCanWrite) {
  fs::permissions(host.paths().lock_dir, fs::perms(01777));
  EXPECT_THAT(failure(host.paths(), kBdf, kRoot),
              AllOf(HasSubstr("the lock directory " + host.paths().lock_dir.string() +
                              " is writable by others (mode "
                              "1777)"),
                    HasSubstr("sudo chown root:root"), HasSubstr("chmod 0755")));
}

TEST_F(DeviceLockTest, RootRefusesASymlinkedDirectory) {
  fs::remove_all(host.paths().lock_dir);
  fs::create_directory_symlink(host.paths().lock_fallback_dir, host.paths().lock_dir);
  EXPECT_THAT(failure(host.paths(), kBdf, kRoot), HasSubstr("is not a directory"));
}

TEST_F(DeviceLockTest, AnotherUsersLockInTheSharedDirectoryCannotBlockRoot) {
  // Any user can create and flock a file in /tmp; root must not wait for it.
  const DeviceLock squatter = DeviceLock::acquire(host.paths(), kBdf, kLabUser);
  ASSERT_EQ(squatter.files().at(0), fallback_file());
  EXPECT_NO_THROW(DeviceLock::acquire(host.paths(), kBdf, kRoot));
}

TEST_F(DeviceLockTest, BusyNamesTheHolderTheKernelReports) {
  const DeviceLock first = DeviceLock::acquire(host.paths(), kBdf, kRoot);
  host.write_file(host.paths().proc / "31337" / "comm", "nvqual\n");
  host.add_lock_holder(root_file(), 31337);
  EXPECT_THAT(failure(host.paths(), kBdf, kRoot),
              AllOf(HasSubstr("device busy: 0000:01:00.0 is in use by another nvqual (pid 31337 (nvqual), user "),
                    HasSubstr("lock file " + root_file().string())));
}

TEST_F(DeviceLockTest, AHolderNotNamedNvqualIsAnotherProcess) {
  const DeviceLock first = DeviceLock::acquire(host.paths(), kBdf, kRoot);
  host.write_file(host.paths().proc / "31337" / "comm", "flock\n");
  host.add_lock_holder(root_file(), 31337);
  EXPECT_THAT(failure(host.paths(), kBdf, kRoot),
              AllOf(HasSubstr("device busy: 0000:01:00.0 is in use by another process (pid 31337 (flock), user "),
                    Not(HasSubstr("nvqual ("))));
}

TEST_F(DeviceLockTest, WaitersAndOtherLockTypesAreNotTheHolder) {
  const DeviceLock first = DeviceLock::acquire(host.paths(), kBdf, kRoot);
  struct stat info {};
  ASSERT_EQ(::stat(root_file().c_str(), &info), 0);
  const std::string id = fmt::format("{:02x}:{:02x}:{}", major(info.st_dev), minor(info.st_dev), info.st_ino);
  host.write_file(host.paths().locks(), "1: POSIX  ADVISORY  WRITE 111 " + id + " 0 EOF\n" +
                                            "2: -> FLOCK  ADVISORY  WRITE 222 " + id + " 0 EOF\n" +
                                            "3: FLOCK  ADVISORY  WRITE 333 " + id + " 0 EOF\n");
  EXPECT_THAT(failure(host.paths(), kBdf, kRoot),
              AllOf(HasSubstr("(pid 333"), Not(HasSubstr("pid 111")), Not(HasSubstr("pid 222"))));
}

TEST_F(DeviceLockTest, APidWrittenIntoTheLockFileIsNotBelieved) {
  const DeviceLock first = DeviceLock::acquire(host.paths(), kBdf, kRoot);
  host.write_file(root_file(), "1\n");  // anyone able to write the file could name any process
  EXPECT_THAT(failure(host.paths(), kBdf, kRoot),
              AllOf(HasSubstr("in use by another process (pid unknown)"), Not(HasSubstr("pid 1"))));
}

TEST_F(DeviceLockTest, HolderFoundByItsOpenFileWhenProcLocksIsSilent) {
  const DeviceLock first = DeviceLock::acquire(host.paths(), kBdf, kRoot);
  host.add_process_fd(4321, "nvqual", root_file());
  EXPECT_THAT(failure(host.paths(), kBdf, kRoot), HasSubstr("(pid 4321 (nvqual), user "));
}

TEST_F(DeviceLockTest, UsersNeverLockRootsFile) {
  // Root's run does not keep a user out here (VFIO's EBUSY on the group does),
  // and a user's lock, whenever taken, can never keep root out.
  const DeviceLock root = DeviceLock::acquire(host.paths(), kBdf, kRoot);
  const DeviceLock user = DeviceLock::acquire(host.paths(), kBdf, kLabUser);
  ASSERT_EQ(user.files().size(), 1u);
  EXPECT_EQ(user.files()[0], fallback_file());
}

TEST_F(DeviceLockTest, AUserHoldingTheFallbackFileCannotBlockRootEvenAfterRootRan) {
  { const DeviceLock root_once = DeviceLock::acquire(host.paths(), kBdf, kRoot); }
  const DeviceLock user = DeviceLock::acquire(host.paths(), kBdf, kLabUser);
  EXPECT_NO_THROW(DeviceLock::acquire(host.paths(), kBdf, kRoot));
}

TEST_F(DeviceLockTest, UsersShareTheFallbackFile) {
  const DeviceLock first = DeviceLock::acquire(host.paths(), kBdf, kLabUser);
  ASSERT_EQ(first.files().size(), 1u);
  EXPECT_EQ(first.files()[0], fallback_file());
  EXPECT_EQ(mode_of(fallback_file()), 0644u);  // another user flocks it read-only
  EXPECT_THAT(failure(host.paths(), kBdf, kLabUser + 1), HasSubstr("device busy"));
}

TEST_F(DeviceLockTest, ReleasedOnDestruction) {
  { const DeviceLock first = DeviceLock::acquire(host.paths(), kBdf, kRoot); }
  EXPECT_NO_THROW(DeviceLock::acquire(host.paths(), kBdf, kRoot));
}

TEST_F(DeviceLockTest, MovedLockStaysHeld) {
  DeviceLock first = DeviceLock::acquire(host.paths(), kBdf, kRoot);
  DeviceLock moved = std::move(first);
  EXPECT_THAT(failure(host.paths(), kBdf, kRoot), HasSubstr("device busy"));
}

TEST_F(DeviceLockTest, OtherBdfsAreIndependent) {
  const DeviceLock first = DeviceLock::acquire(host.paths(), kBdf, kRoot);
  EXPECT_NO_THROW(DeviceLock::acquire(host.paths(), "0000:02:00.0", kRoot));
}

TEST_F(DeviceLockTest, NoWritableDirectoryIsAnEnvironmentError) {
  HostPaths nowhere = host.paths();
  nowhere.lock_dir = host.root() / "missing1";
  nowhere.lock_fallback_dir = host.root() / "missing2";
  EXPECT_THAT(failure(nowhere, kBdf, kLabUser),
              AllOf(HasSubstr("cannot create the lock file " +
                              (nowhere.lock_fallback_dir / DeviceLock::file_name(kBdf)).string()),
                    HasSubstr("or run as root")));
}

TEST_F(DeviceLockTest, TheDefaultUserIsTheEffectiveOne) {
  const DeviceLock first = DeviceLock::acquire(host.paths(), kBdf);
  EXPECT_THAT(failure(host.paths(), kBdf, ::geteuid()), HasSubstr("device busy"));
}

}  // namespace
}  // namespace nvqual::vfio
