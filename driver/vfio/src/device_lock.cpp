#include "nvqual/vfio/device_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include <fmt/format.h>

#include "nvqual/driver/errors.hpp"
#include "sysfs_file.hpp"

namespace nvqual::vfio {
namespace {

// O_NOFOLLOW: /tmp is world-writable, a planted symlink must not redirect us.
constexpr int kOpenFlags = O_CLOEXEC | O_NOFOLLOW;

// Opens an existing lock file read-write, or read-only when it belongs to
// another user (flock works on either). -1 when it does not exist.
int open_existing(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDWR | kOpenFlags);
  if (fd < 0 && errno == EACCES) fd = ::open(file.c_str(), O_RDONLY | kOpenFlags);
  return fd;
}

int create(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | kOpenFlags, 0644);
  if (fd < 0 && errno == EACCES) fd = open_existing(file);  // created meanwhile by another user
  return fd;
}

void lock_or_throw(int fd, const std::filesystem::path& file, std::string_view bdf) {
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return;
  const int error = errno;
  ::close(fd);
  if (error == EWOULDBLOCK) {
    const auto pid = detail::read_trimmed(file);
    throw DriverError(ErrorKind::kEnvironment,
                      fmt::format("device busy: {} is in use by another nvqual (pid {}); wait for it to finish or "
                                  "stop it (lock file {})",
                                  bdf, pid && !pid->empty() ? *pid : "unknown", file.string()));
  }
  throw DriverError(ErrorKind::kEnvironment,
                    fmt::format("cannot lock {} for {}: {}", file.string(), bdf, detail::errno_text(error)));
}

void record_pid(int fd) {
  const std::string pid = fmt::format("{}\n", ::getpid());
  // Best effort: a read-only descriptor (another user's file) cannot carry our pid.
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] const auto written = ::pwrite(fd, pid.data(), pid.size(), 0);
  }
}

}  // namespace

DeviceLock DeviceLock::acquire(const HostPaths& paths, std::string_view bdf) {
  DeviceLock lock;
  const std::filesystem::path dirs[] = {paths.lock_dir, paths.lock_fallback_dir};
  // Honour a lock file in either directory: a process without write access to
  // /run/lock locks in /tmp, and the two must still exclude each other.
  for (const auto& dir : dirs) {
    const auto file = dir / file_name(bdf);
    const int fd = open_existing(file);
    if (fd < 0) continue;
    lock_or_throw(fd, file, bdf);
    lock.fds_.push_back(fd);
    lock.files_.push_back(file);
  }
  int create_error = 0;
  for (const auto& dir : dirs) {
    if (!lock.fds_.empty()) break;
    const auto file = dir / file_name(bdf);
    const int fd = create(file);
    if (fd < 0) {
      create_error = errno;
      continue;
    }
    lock_or_throw(fd, file, bdf);
    lock.fds_.push_back(fd);
    lock.files_.push_back(file);
  }
  if (lock.fds_.empty()) {
    throw DriverError(ErrorKind::kEnvironment,
                      fmt::format("cannot create the lock file for {} in {} or {}: {}; make one of them writable",
                                  bdf, paths.lock_dir.string(), paths.lock_fallback_dir.string(),
                                  detail::errno_text(create_error)));
  }
  for (const int fd : lock.fds_) record_pid(fd);
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
