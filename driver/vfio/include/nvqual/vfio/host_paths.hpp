// Where nvqual looks for the host's view of PCI devices, VFIO nodes, mounts and
// locks, and who the current user is. Both are injectable so unit tests build
// a fake /sys, /dev and /proc in a temporary directory and run every pre-flight
// check and every bind/unbind write without hardware or root.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nvqual::vfio {

// The errno of open(node, O_RDONLY|O_EXCL|O_CLOEXEC|O_NONBLOCK), 0 when it
// opened (it is closed at once). On a block device O_EXCL asks for the
// kernel's exclusive claim, so EBUSY means a filesystem (mounted in any mount
// namespace), a ZFS pool, swap, md or device-mapper holds it.
int open_block_exclusive(const std::filesystem::path& node);

struct HostPaths {
  std::filesystem::path sys = "/sys";
  std::filesystem::path dev = "/dev";
  std::filesystem::path proc = "/proc";
  // The per-BDF lock file (device_lock.hpp). Root keeps it 0600 in lock_dir,
  // a directory only root may write, so no other user can open it and hold a
  // root run hostage; other users lock in lock_fallback_dir, which every user
  // can write and root ignores.
  std::filesystem::path lock_dir = "/run/nvqual";
  std::filesystem::path lock_fallback_dir = "/tmp";
  // stat()ed to find the device of the root filesystem; nullopt for a fake or
  // captured tree, whose mountinfo stands in for it.
  std::optional<std::filesystem::path> root_directory = "/";
  // Tries the exclusive open of a block device node (block_usage.hpp); tests
  // substitute one that reports chosen devices busy.
  std::function<int(const std::filesystem::path&)> exclusive_open = open_block_exclusive;

  // Everything under `root` (root/sys, root/dev, root/proc, root/run/nvqual,
  // root/tmp): a fake tree for tests, or a copy of a lab host's tree.
  static HostPaths under(const std::filesystem::path& root) {
    HostPaths paths;
    paths.sys = root / "sys";
    paths.dev = root / "dev";
    paths.proc = root / "proc";
    paths.lock_dir = root / "run/nvqual";
    paths.lock_fallback_dir = root / "tmp";
    paths.root_directory = std::nullopt;
    return paths;
  }

  std::filesystem::path pci_devices() const { return sys / "bus/pci/devices"; }
  std::filesystem::path pci_device(std::string_view bdf) const { return pci_devices() / bdf; }
  std::filesystem::path pci_drivers() const { return sys / "bus/pci/drivers"; }
  std::filesystem::path pci_driver(std::string_view name) const { return pci_drivers() / name; }
  std::filesystem::path drivers_probe() const { return sys / "bus/pci/drivers_probe"; }
  std::filesystem::path iommu_group_devices(int group) const {
    return sys / "kernel/iommu_groups" / std::to_string(group) / "devices";
  }
  std::filesystem::path block_class() const { return sys / "class/block"; }
  std::filesystem::path nvme_subsystems() const { return sys / "class/nvme-subsystem"; }
  std::filesystem::path vfio_container() const { return dev / "vfio/vfio"; }
  std::filesystem::path vfio_group(int group) const { return dev / "vfio" / std::to_string(group); }
  // The iommufd cdev of a device (Linux 6.6+): /dev/vfio/devices/vfioX, X from BDF/vfio-dev/vfioX.
  std::filesystem::path vfio_device_cdev(std::string_view name) const { return dev / "vfio/devices" / name; }
  std::filesystem::path mountinfo() const { return proc / "self/mountinfo"; }
  // PID 1's mounts: the host's own view when nvqual runs in another mount namespace.
  std::filesystem::path init_mountinfo() const { return proc / "1/mountinfo"; }
  std::filesystem::path dev_block() const { return sys / "dev/block"; }  // M:m -> the block device
  std::filesystem::path btrfs_filesystems() const { return sys / "fs/btrfs"; }
  std::filesystem::path locks() const { return proc / "locks"; }
  std::filesystem::path swaps() const { return proc / "swaps"; }
  std::filesystem::path process_status() const { return proc / "self/status"; }
};

// The user nvqual runs as, and the limits that decide what it may do.
struct HostIdentity {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;   // supplementary groups
  bool cap_ipc_lock = false;   // exempt from RLIMIT_MEMLOCK (root has it)
  uint64_t memlock_limit = 0;  // RLIMIT_MEMLOCK soft limit in bytes; UINT64_MAX = unlimited

  static constexpr uint64_t kUnlimited = UINT64_MAX;

  // The running process: ids from getuid()/getgroups(), CapEff from
  // paths.process_status(), the limit from getrlimit().
  static HostIdentity current(const HostPaths& paths = {});

  bool is_root() const { return uid == 0; }
  bool in_group(gid_t group) const;
};

// The login name of `uid`; nullopt when the passwd database has no entry.
std::optional<std::string> user_name(uid_t uid);
// "alice (uid 1000)" or "uid 1000" when the passwd database has no entry.
std::string describe_user(uid_t uid);
// "disk (gid 6)" or "gid 6".
std::string describe_group(gid_t gid);

}  // namespace nvqual::vfio
