// An exclusive per-controller lock so two nvqual processes never drive one
// controller: flock(2) on nvqual-<BDF>.lock in /run/lock (or /tmp when
// /run/lock is not writable). The kernel drops the lock when the process
// exits, so a crash never leaves a stale lock behind.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "nvqual/vfio/host_paths.hpp"

namespace nvqual::vfio {

class DeviceLock {
 public:
  // Takes the lock for `bdf` (normalised). Throws DriverError(kEnvironment)
  // "device busy: <bdf> is in use by another nvqual (pid N)" when another
  // open file description holds it, or when no lock file can be created.
  static DeviceLock acquire(const HostPaths& paths, std::string_view bdf);

  DeviceLock(DeviceLock&& other) noexcept;
  DeviceLock& operator=(DeviceLock&& other) noexcept;
  DeviceLock(const DeviceLock&) = delete;
  DeviceLock& operator=(const DeviceLock&) = delete;
  ~DeviceLock();

  // The lock files held (normally one; two when both directories had one).
  const std::vector<std::filesystem::path>& files() const { return files_; }

  static std::string file_name(std::string_view bdf) { return "nvqual-" + std::string(bdf) + ".lock"; }

 private:
  DeviceLock() = default;
  void release() noexcept;

  std::vector<int> fds_;
  std::vector<std::filesystem::path> files_;
};

}  // namespace nvqual::vfio
