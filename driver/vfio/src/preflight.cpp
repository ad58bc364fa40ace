#include "nvqual/vfio/preflight.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "nvqual/driver/errors.hpp"
#include "nvqual/vfio/bdf.hpp"
#include "nvqual/vfio/iommu_group.hpp"
#include "nvqual/vfio/pci_sysfs.hpp"
#include "sysfs_file.hpp"

namespace nvqual::vfio {
namespace {

constexpr const char* kIommuHint =
    "enable VT-d / AMD-Vi in the firmware, boot with intel_iommu=on (Intel) or amd_iommu=on (AMD) on the kernel "
    "command line, then `modprobe vfio-pci`";

[[noreturn]] void fail(ErrorKind kind, const std::string& message) { throw DriverError(kind, message); }

std::string kib(uint64_t bytes) { return fmt::format("{} KiB", (bytes + 1023) / 1024); }

std::string nvme_controllers_here(const HostPaths& paths) {
  std::string list;
  for (const auto& function : list_pci_functions(paths)) {
    if (!function.is_nvme()) continue;
    list += fmt::format("{}{} (driver {})", list.empty() ? "" : ", ", function.bdf, function.driver_name());
  }
  return list.empty() ? "this host has no NVMe controller in sysfs" : "NVMe controllers here: " + list;
}

// "owned by user root (uid 0), group root (gid 0), mode 0700", or why it cannot be said.
std::string ownership(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return "which cannot be inspected either (" + detail::errno_text(errno) + ")";
  return fmt::format("owned by user {}, group {}, mode {:04o}", describe_user(info.st_uid), describe_group(info.st_gid),
                     info.st_mode & 07777);
}

// A node that stat() cannot see is missing only on ENOENT/ENOTDIR; EACCES
// means a directory on the way denies search permission, a different fix.
void check_node(const HostIdentity& identity, const std::filesystem::path& node, std::string_view what,
                const std::string& missing_fix) {
  struct stat info {};
  if (::stat(node.c_str(), &info) != 0) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR) {
      fail(ErrorKind::kEnvironment, fmt::format("{} does not exist: {}", what, missing_fix));
    }
    const auto dir = node.parent_path();
    if (error == EACCES) {
      fail(ErrorKind::kEnvironment,
           fmt::format("{} cannot be looked up by the current user {}: permission denied on {} ({}); run as root, or "
                       "let the user search it (`sudo chmod 0755 {}`, or a udev rule: see driver/vfio/README.md)",
                       what, describe_user(identity.uid), dir.string(), ownership(dir), dir.string()));
    }
    fail(ErrorKind::kEnvironment, fmt::format("{} cannot be looked up: {}; check {} ({})", what,
                                              detail::errno_text(error), dir.string(), ownership(dir)));
  }
  if (auto problem = access_problem(identity, node, what)) fail(ErrorKind::kEnvironment, *problem);
}

}  // namespace

std::optional<std::string> access_problem(const HostIdentity& identity, const std::filesystem::path& node,
                                          std::string_view what) {
  if (identity.is_root()) return std::nullopt;  // CAP_DAC_OVERRIDE
  struct stat info {};
  if (::stat(node.c_str(), &info) != 0) return std::nullopt;  // existence is checked separately
  const mode_t mode = info.st_mode;
  bool allowed = false;
  if (info.st_uid == identity.uid) {
    allowed = (mode & S_IRUSR) && (mode & S_IWUSR);
  } else if (identity.in_group(info.st_gid)) {
    allowed = (mode & S_IRGRP) && (mode & S_IWGRP);
  } else {
    allowed = (mode & S_IROTH) && (mode & S_IWOTH);
  }
  if (allowed) return std::nullopt;
  return fmt::format(
      "{} is not read-write for the current user {}: owned by user {}, group {}, mode {:04o}; run as root, or give "
      "the user access (`sudo chown {} {}`, or a udev rule and group: see driver/vfio/README.md)",
      what, describe_user(identity.uid), describe_user(info.st_uid), describe_group(info.st_gid), mode & 07777,
      user_name(identity.uid).value_or(std::to_string(identity.uid)), node.string());
}

std::string memlock_message(const HostIdentity& identity, std::string_view bdf, uint64_t needed, uint64_t pinned) {
  const uint64_t wanted_kib = (needed + pinned + 1023) / 1024;
  const std::string already = pinned == 0 ? "" : fmt::format(" more on top of {} already pinned", kib(pinned));
  return fmt::format(
      "RLIMIT_MEMLOCK is {} but DMA for {} needs {}{}: raise it with `ulimit -l {}` (up to the hard limit) or in "
      "/etc/security/limits.conf (`{} - memlock unlimited`, then log in again), or run as root",
      kib(identity.memlock_limit), bdf, kib(needed), already, wanted_kib, user_name(identity.uid).value_or("<user>"));
}

void check_memlock(const HostIdentity& identity, std::string_view bdf, uint64_t needed, uint64_t pinned) {
  if (identity.cap_ipc_lock || identity.memlock_limit == HostIdentity::kUnlimited) return;
  if (pinned <= identity.memlock_limit && needed <= identity.memlock_limit - pinned) return;
  fail(ErrorKind::kEnvironment, memlock_message(identity, bdf, needed, pinned));
}

std::vector<std::filesystem::path> vfio_nodes(const HostPaths& paths, int group, std::string_view bdf) {
  std::vector<std::filesystem::path> nodes{paths.vfio_group(group)};
  for (const auto& name : detail::list_names(paths.pci_device(bdf) / "vfio-dev")) {
    nodes.push_back(paths.vfio_device_cdev(name));
  }
  return nodes;
}

std::vector<std::string> group_holders(const HostPaths& paths, int group, std::string_view bdf) {
  const auto nodes = vfio_nodes(paths, group, bdf);
  std::vector<std::string> holders;
  for (const auto& pid : detail::list_names(paths.proc)) {
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto fd_dir = paths.proc / pid / "fd";
    for (const auto& fd : detail::list_names(fd_dir)) {
      std::error_code error;
      const auto target = std::filesystem::read_symlink(fd_dir / fd, error);
      if (error || std::find(nodes.begin(), nodes.end(), target) == nodes.end()) continue;
      const auto comm = detail::read_trimmed(paths.proc / pid / "comm");
      holders.push_back(fmt::format("pid {}{}", pid, comm ? " (" + *comm + ")" : ""));
      break;
    }
  }
  return holders;
}

std::string group_busy_message(const HostPaths& paths, std::string_view bdf, int group) {
  std::string holders;
  for (const auto& holder : group_holders(paths, group, bdf)) holders += (holders.empty() ? "" : ", ") + holder;
  return fmt::format(
      "device busy: {} (IOMMU group {}) is in use by another process{}: {} is already open and VFIO allows one "
      "owner per group; stop that process and retry",
      bdf, group, holders.empty() ? "" : " (" + holders + ")", paths.vfio_group(group).string());
}

std::string not_viable_message(const HostPaths& paths, std::string_view bdf, int group) {
  const auto viability = group_viability(paths, group, bdf);
  const std::string blockers = viability.describe_blockers();
  constexpr const char* kFix =
      "bind every device of the group to vfio-pci or unbind it (echo vfio-pci > "
      "/sys/bus/pci/devices/<BDF>/driver_override, then unbind and drivers_probe), or move the SSD to a slot with its "
      "own IOMMU group";
  if (blockers.empty()) {
    // The kernel knows better than the driver names: show everything there is.
    std::string members;
    for (const auto& member : viability.others) {
      members += fmt::format("{}{} (bound to {})", members.empty() ? "" : ", ", member.bdf,
                             member.driver.value_or("none"));
    }
    return fmt::format("IOMMU group {} of {} is not viable (the kernel says so; sysfs shows {}); {}; check dmesg",
                       group, bdf, members.empty() ? "no other member" : "members " + members, kFix);
  }
  return fmt::format("IOMMU group {} of {} is not viable: {} share{} it; {}", group, bdf, blockers,
                     viability.blockers().size() == 1 ? "s" : "", kFix);
}

PreflightResult preflight(const HostPaths& paths, const HostIdentity& identity, std::string_view bdf_text,
                          uint64_t dma_bytes) {
  PreflightResult result;
  result.bdf = normalize_bdf(bdf_text);
  const std::string& bdf = result.bdf;

  const auto function = read_pci_function(paths, bdf);
  if (!function) {
    fail(ErrorKind::kInvalidArgument, fmt::format("no PCI device {}: {} does not exist; {} (see `nvqual devices`)", bdf,
                                                  paths.pci_device(bdf).string(), nvme_controllers_here(paths)));
  }
  if (!function->is_nvme()) {
    fail(ErrorKind::kInvalidArgument,
         fmt::format("{} is not an NVMe controller: PCI class 0x{:06x}, expected 0x{:06x}; pick one from `nvqual "
                     "devices`",
                     bdf, function->class_code, kNvmeClassCode));
  }
  if (!function->iommu_group) {
    fail(ErrorKind::kEnvironment, fmt::format("{} has no IOMMU group ({} is missing): the IOMMU is off; {}", bdf,
                                              (paths.pci_device(bdf) / "iommu_group").string(), kIommuHint));
  }
  result.iommu_group = *function->iommu_group;

  if (function->bound_to(kNvmeDriver)) {
    fail(ErrorKind::kEnvironment,
         fmt::format("{} is bound to the kernel nvme driver, not vfio-pci: run `nvqual bind {}` as root first", bdf,
                     bdf));
  }
  if (!function->driver) {
    fail(ErrorKind::kEnvironment,
         fmt::format("{} is bound to no driver: run `nvqual bind {}` as root to attach it to vfio-pci", bdf, bdf));
  }
  if (!function->bound_to(kVfioPciDriver)) {
    fail(ErrorKind::kEnvironment, fmt::format("{} is bound to driver {}, not vfio-pci: run `nvqual bind {}` as root",
                                              bdf, *function->driver, bdf));
  }

  check_node(identity, paths.vfio_container(),
             fmt::format("{} (the VFIO container, needed for {})", paths.vfio_container().string(), bdf),
             fmt::format("the VFIO modules are not loaded or the IOMMU is off; run `modprobe vfio-pci`, and if that "
                         "does not create it, {}",
                         kIommuHint));
  const auto group_node = paths.vfio_group(result.iommu_group);
  check_node(identity, group_node, fmt::format("{} (IOMMU group of {})", group_node.string(), bdf),
             fmt::format("vfio-pci has not claimed the group; run `nvqual bind {}` again, and if it persists {}", bdf,
                         kIommuHint));

  // Group viability is not judged here: VFIO_GROUP_GET_STATUS is the
  // authority (vendor vfio-pci variants and future allow-listed drivers pass
  // it), and the transport asks it right after opening the group.
  check_memlock(identity, bdf, dma_bytes, 0);
  return result;
}

}  // namespace nvqual::vfio
