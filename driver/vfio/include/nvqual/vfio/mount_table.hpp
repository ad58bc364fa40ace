// Every block device the host has mounted, as seen from everywhere nvqual can
// look: its own mountinfo, PID 1's (the host's view when nvqual runs in
// another mount namespace), the device of "/" by stat(), and all members of a
// multi-device btrfs, of which mountinfo names only one. Missing any of them
// would let `nvqual bind` pull a disk from under a mounted filesystem.
#pragma once

#include <string>
#include <vector>

#include "nvqual/vfio/host_paths.hpp"

namespace nvqual::vfio {

struct MountEntry {
  std::string major_minor;  // "259:2"; "0:45" for btrfs and other anonymous devices
  std::string mountpoint;   // unescaped
  std::string source;       // "/dev/nvme0n1p2"
  std::string fstype;       // "ext4", "btrfs"

  bool operator==(const MountEntry&) const = default;
};

// Parses /proc/<pid>/mountinfo lines (proc(5)); malformed lines are skipped.
std::vector<MountEntry> parse_mountinfo(const std::vector<std::string>& lines);

// paths.mountinfo() and paths.init_mountinfo() (when readable), plus an entry
// for the block device holding paths.root_directory (stat() st_dev, named
// through paths.dev_block()) and one per further device of each mounted btrfs
// (paths.btrfs_filesystems()), without duplicates.
std::vector<MountEntry> read_mount_table(const HostPaths& paths);

}  // namespace nvqual::vfio
