#include "nvqual/vfio/device_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "lock_holder.hpp"
#include "nvqual/driver/errors.hpp"
#include "sysfs_file.hpp"

namespace nvqual::vfio {
namespace {

using detail::errno_text;

// O_NOFOLLOW: the fallback directory is world-writable, a planted symlink must not redirect us.
constexpr int kOpenFlags = O_CLOEXEC | O_NOFOLLOW;

[[noreturn]] void fail(const std::string& message) { throw DriverError(ErrorKind::kEnvironment, message); }

// Why `dir` is no place for a lock others must not tamper with: a symlink, not
// a directory, owned by someone other than root or `uid`, or group/other
// writable. nullopt when it is fine.
std::optional<std::string> unsafe_reason(const std::filesystem::path& dir, uid_t uid) {
  struct stat info {};
  if (::lstat(dir.c_str(), &info) != 0) return errno_text(errno);
  if (!S_ISDIR(info.st_mode)) return "not a directory";
  if (info.st_uid != 0 && info.st_uid != uid) return "owned by " + describe_user(info.st_uid);
  if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return fmt::format("writable by others (mode {:04o})", info.st_mode & 07777);
  }
  return std::nullopt;
}

void ensure_root_lock_dir(const std::filesystem::path& dir) {
  if (::mkdir(dir.c_str(), 0755) == 0) {
    // Whatever the umask: 0755 is what the safety check below expects.
    ::chmod(dir.c_str(), 0755);
  } else if (const int error = errno; error != EEXIST) {
    fail(fmt::format("cannot create the lock directory {}: {}; create it with `sudo install -d -m 0755 {}`",
                     dir.string(), errno_text(error), dir.string()));
  }
  if (const auto why = unsafe_reason(dir, 0)) {
    fail(
        fmt::format("the lock directory {} is {}: root's device locks must live where no other user can write; fix "
                    "it with `sudo chown root:root {} && sudo chmod 0755 {}`",
                    dir.string(), *why, dir.string(), dir.string()));
  }
}

// Opens an existing lock file read-write, or read-only when it belongs to
// another user of the fallback directory (flock works on either). -1 when it
// does not exist.
int open_existing(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDWR | kOpenFlags);
  if (fd < 0 && errno == EACCES) fd = ::open(file.c_str(), O_RDONLY | kOpenFlags);
  return fd;
}

// `mode` is forced whatever the umask, and on a file that already existed
// (fchmod fails harmlessly on another user's file in the fallback directory).
int create_or_open(const std::filesystem::path& file, mode_t mode) {
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_EXCL | kOpenFlags, mode);
  if (fd < 0 && errno == EEXIST) fd = open_existing(file);
  if (fd >= 0) ::fchmod(fd, mode);
  return fd;
}

// Root's files are 0600: a user who could open one could flock it and keep
// every root run, bind and unbind of the BDF waiting.
constexpr mode_t kRootFileMode = 0600;
// Users of the fallback directory share their files, so two users' runs
// exclude each other before VFIO is even asked.
constexpr mode_t kUserFileMode = 0644;

}  // namespace

void DeviceLock::take(int fd, const std::filesystem::path& file, const HostPaths& paths, std::string_view bdf) {
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
    fds_.push_back(fd);
    files_.push_back(file);
    return;
  }
  const int error = errno;
  ::close(fd);
  if (error == EWOULDBLOCK) {
    const auto holder = detail::find_lock_holder(paths, file);
    // Only a holder whose comm the kernel reports as nvqual is called one.
    fail(fmt::format("device busy: {} is in use by {} ({}); wait for it to finish or stop it (lock file {})", bdf,
                     holder.comm == "nvqual" ? "another nvqual" : "another process", holder.description,
                     file.string()));
  }
  fail(fmt::format("cannot lock {} for {}: {}; check the file system it is on", file.string(), bdf, errno_text(error)));
}

DeviceLock DeviceLock::acquire(const HostPaths& paths, std::string_view bdf) {
  return acquire(paths, bdf, ::geteuid());
}

DeviceLock DeviceLock::acquire(const HostPaths& paths, std::string_view bdf, uid_t uid) {
  // A user never locks root's file (see kRootFileMode). A user's run and
  // root's still cannot share a device: VFIO lets one process open the group
  // (EBUSY, in the transport), and unbind refuses while a process holds the
  // group or device node (binding.cpp refuse_if_held_open).
  const bool root = uid == 0;
  if (root) ensure_root_lock_dir(paths.lock_dir);
  const std::filesystem::path& dir = root ? paths.lock_dir : paths.lock_fallback_dir;
  const auto file = dir / file_name(bdf);
  const int fd = create_or_open(file, root ? kRootFileMode : kUserFileMode);
  if (fd < 0) {
    const int error = errno;
    const std::string fix = root ? fmt::format("check that {} is writable by root (a read-only /run?)", dir.string())
                                 : fmt::format("make {} writable (a user's locks live there), or run as root",
                                               dir.string());
    fail(fmt::format("cannot create the lock file {} for {}: {}; {}", file.string(), bdf, errno_text(error), fix));
  }
  DeviceLock lock;
  lock.take(fd, file, paths, bdf);
  return lock;
}

DeviceLock::DeviceLock(DeviceLock&& other) noexcept
    : fds_(std::exchange(other.fds_, {})), files_(std::exchange(other.files_, {})) {}

DeviceLock& DeviceLock::operator=(DeviceLock&& other) noexcept {
  if (this != &other) {
    release();
    fds_ = std::exchange(other.fds_, {});
    files_ = std::exchange(other.files_, {});
  }
  return *this;
}

DeviceLock::~DeviceLock() { release(); }

void DeviceLock::release() noexcept {
  // Closing the descriptor drops the flock; the file stays (removing it would
  // race with a process that has just opened it).
  for (const int fd : fds_) ::close(fd);
  fds_.clear();
  files_.clear();
}

}  // namespace nvqual::vfio
