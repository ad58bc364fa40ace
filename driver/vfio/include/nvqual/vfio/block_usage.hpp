// Whether the block devices of an NVMe controller are in use by the host:
// mounted (mount_table.hpp: mountinfo, the root device, btrfs members), held
// by md, LVM or device-mapper (/sys/class/block/<dev>/holders), or used as
// swap (/proc/swaps), or claimed by the kernel for anything else: an
// exclusive open failing with EBUSY (HostPaths::exclusive_open) catches ZFS
// pools and mounts only another mount namespace sees. Binding such a
// controller to vfio-pci would pull a disk from under a filesystem.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nvqual/vfio/host_paths.hpp"
#include "nvqual/vfio/mount_table.hpp"

namespace nvqual::vfio {

// One reason a block device may not be taken away.
struct BlockUse {
  enum class Kind { kMounted, kHeld, kSwap, kBusy };
  Kind kind = Kind::kMounted;
  std::string device;  // "/dev/nvme0n1p2": the namespace or partition
  std::string via;     // "dm-0 (vg-root)" when the use is through a holder; empty otherwise
  std::string target;  // mountpoint (kMounted), holder (kHeld), swap device (kSwap); empty for kBusy
  bool root_filesystem = false;

  // "/dev/nvme0n1p2 is mounted on / (root filesystem)",
  // "/dev/nvme0n1p3 is held by dm-0 (vg-home)", "/dev/nvme0n1p4 is used as swap",
  // "/dev/nvme0n1p5 is busy (claimed by a filesystem, ZFS pool or ...)".
  std::string describe() const;
};

// The mounts and swap areas of the host, read once.
class BlockUsageTable {
 public:
  static BlockUsageTable read(const HostPaths& paths);
  BlockUsageTable(std::vector<MountEntry> mounts, std::vector<std::string> swaps)
      : mounts_(std::move(mounts)), swaps_(std::move(swaps)) {}

  // Every use of block device `name` (e.g. "nvme0n1p2") and, through its
  // holders, of the devices stacked on it.
  std::vector<BlockUse> uses_of(const HostPaths& paths, std::string_view name) const;

  const std::vector<MountEntry>& mounts() const { return mounts_; }

 private:
  void collect(const HostPaths& paths, const std::string& device, std::string_view name, const std::string& via,
               int depth, std::vector<BlockUse>& out) const;

  std::vector<MountEntry> mounts_;
  std::vector<std::string> swaps_;  // swap device or file names as /proc/swaps shows them
};

// Parses /proc/swaps: the first column of every line after the header.
std::vector<std::string> parse_swaps(const std::vector<std::string>& lines);

struct NamespaceUsage {
  std::string name;                     // "nvme0n1"
  std::vector<std::string> partitions;  // "nvme0n1p1", ...
  std::vector<BlockUse> uses;           // of the namespace and its partitions

  bool in_use() const { return !uses.empty(); }
  bool holds_root() const;
};

// The namespaces (block devices) of the controller at `bdf`, with their
// partitions and uses; empty when no kernel driver exposes any (vfio-pci bound).
// A device with no use found in the tables is probed with
// paths.exclusive_open: EBUSY adds a kBusy use; any other failure (no node in
// a fake tree, EACCES for a non-root user) adds nothing.
std::vector<NamespaceUsage> controller_namespaces(const HostPaths& paths, std::string_view bdf,
                                                  const BlockUsageTable& usage);

}  // namespace nvqual::vfio
