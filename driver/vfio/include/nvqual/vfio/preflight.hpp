// The checks nvqual makes before it touches /dev/vfio, so a lab engineer gets
// one line naming the problem and the fix instead of a bare errno from an
// ioctl. Each check reads only HostPaths and HostIdentity, so unit tests run
// every message against a fake tree.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nvqual/vfio/host_paths.hpp"

namespace nvqual::vfio {

struct PreflightResult {
  std::string bdf;  // normalised
  int iommu_group = -1;
};

// In order: BDF well formed (kInvalidArgument), present in sysfs
// (kInvalidArgument, listing the NVMe controllers that are), class 0x010802
// (kInvalidArgument), IOMMU group present (IOMMU on), bound to vfio-pci,
// /dev/vfio/vfio and /dev/vfio/N present, visible and read-write for the
// user, RLIMIT_MEMLOCK >= dma_bytes (all kEnvironment). Group viability is
// left to the kernel (VFIO_GROUP_GET_STATUS in the transport).
PreflightResult preflight(const HostPaths& paths, const HostIdentity& identity, std::string_view bdf,
                          uint64_t dma_bytes);

// Why `identity` cannot open `node` read-write judging by owner, group and
// mode; nullopt when it can. `what` names the node for the message.
std::optional<std::string> access_problem(const HostIdentity& identity, const std::filesystem::path& node,
                                          std::string_view what);

// Throws kEnvironment when pinning `needed` more bytes on top of `pinned`
// would exceed RLIMIT_MEMLOCK (never for CAP_IPC_LOCK holders).
void check_memlock(const HostIdentity& identity, std::string_view bdf, uint64_t needed, uint64_t pinned);
// The message check_memlock throws.
std::string memlock_message(const HostIdentity& identity, std::string_view bdf, uint64_t needed, uint64_t pinned);

// The nodes through which a process can own `bdf`: its group's /dev/vfio/N
// and, with the iommufd cdev interface (Linux 6.6+), /dev/vfio/devices/vfioX
// for each vfioX under the device's sysfs vfio-dev directory.
std::vector<std::filesystem::path> vfio_nodes(const HostPaths& paths, int group, std::string_view bdf);

// "pid 1234 (qemu-system-x86)" for every process that has one of
// vfio_nodes() open, as far as /proc lets us see (all processes for root, our
// own otherwise).
std::vector<std::string> group_holders(const HostPaths& paths, int group, std::string_view bdf);

// "device busy" for a group that VFIO reports busy (EBUSY on open), naming
// the processes that hold /dev/vfio/N open when /proc shows them.
std::string group_busy_message(const HostPaths& paths, std::string_view bdf, int group);

// For a group the kernel reports not viable: "group N of BDF is not viable:
// X (bound to D) shares it" naming the members sysfs shows as likely
// blockers (all members when none looks like one), with the fix.
std::string not_viable_message(const HostPaths& paths, std::string_view bdf, int group);

}  // namespace nvqual::vfio
