// An exclusive per-controller lock so two nvqual processes never drive one
// controller and `nvqual bind/unbind` never rebinds one under a run:
// flock(2) on nvqual-<BDF>.lock. The kernel drops the lock when the process
// exits, so a crash never leaves a stale lock behind.
//
// Root locks only in HostPaths::lock_dir (/run/nvqual), which it creates
// root-owned 0755 and refuses to use when others can write it, in files it
// keeps 0600: a user able to open root's file (or to create one in /run/lock
// or /tmp) could flock it and block root forever. Other users lock in
// HostPaths::lock_fallback_dir (/tmp), in files they share among themselves
// and root ignores. A user's run and root's are kept apart by the kernel
// instead: VFIO opens a group for one process at a time (EBUSY), and unbind
// refuses while any process holds the group or device node. The kernel's
// EBUSY stays the last word on who owns a device.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "nvqual/vfio/host_paths.hpp"

namespace nvqual::vfio {

class DeviceLock {
 public:
  // Takes the lock for `bdf` (normalised) as the user `uid` (root's rules for
  // 0, the fallback rules otherwise). Throws DriverError(kEnvironment) "device
  // busy: <bdf> is in use by another nvqual (pid N (nvqual), user U)" when
  // another open file description holds it, naming the holder as
  // /proc/locks reports it (never trusting the file's contents; "another
  // process" unless its comm is nvqual), or when no lock file can be created
  // or the lock directory is unsafe.
  static DeviceLock acquire(const HostPaths& paths, std::string_view bdf, uid_t uid);
  // As the effective user of this process.
  static DeviceLock acquire(const HostPaths& paths, std::string_view bdf);

  DeviceLock(DeviceLock&& other) noexcept;
  DeviceLock& operator=(DeviceLock&& other) noexcept;
  DeviceLock(const DeviceLock&) = delete;
  DeviceLock& operator=(const DeviceLock&) = delete;
  ~DeviceLock();

  // The lock file held (one: root's in lock_dir, a user's in lock_fallback_dir).
  const std::vector<std::filesystem::path>& files() const { return files_; }

  static std::string file_name(std::string_view bdf) { return "nvqual-" + std::string(bdf) + ".lock"; }

 private:
  DeviceLock() = default;
  // Flocks `fd` (closing it and throwing "device busy" when another holds it) and keeps it.
  void take(int fd, const std::filesystem::path& file, const HostPaths& paths, std::string_view bdf);
  void release() noexcept;

  std::vector<int> fds_;
  std::vector<std::filesystem::path> files_;
};

}  // namespace nvqual::vfio
