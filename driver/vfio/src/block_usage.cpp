#include "nvqual/vfio/block_usage.hpp"

#include <algorithm>
#include <cerrno>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "sysfs_file.hpp"

namespace nvqual::vfio {
namespace {

// Holder chains (partition -> dm -> md -> dm ...) are short; the bound only
// guards against a malformed fake tree looping.
constexpr int kMaxHolderDepth = 8;

// "dm-0 (vg-root)" for device-mapper devices, the plain name otherwise.
std::string holder_label(const HostPaths& paths, std::string_view name) {
  if (const auto dm_name = detail::read_trimmed(paths.block_class() / name / "dm" / "name")) {
    return fmt::format("{} ({})", name, *dm_name);
  }
  return std::string(name);
}

// A kBusy use of /dev/<name> when the kernel refuses an exclusive open.
void probe_busy(const HostPaths& paths, const std::string& name, std::vector<BlockUse>& out) {
  if (!paths.exclusive_open) return;
  const std::string device = "/dev/" + name;
  if (paths.exclusive_open(paths.dev / name) == EBUSY) out.push_back({BlockUse::Kind::kBusy, device, "", "", false});
}

}  // namespace

std::string BlockUse::describe() const {
  const std::string root = root_filesystem ? " (root filesystem)" : "";
  switch (kind) {
    case Kind::kMounted:
      if (via.empty()) return fmt::format("{} is mounted on {}{}", device, target, root);
      return fmt::format("{} is used by {}, which is mounted on {}{}", device, via, target, root);
    case Kind::kHeld: return fmt::format("{} is held by {} (md, LVM or device-mapper)", device, target);
    case Kind::kBusy:
      return fmt::format(
          "{} is busy (claimed by a filesystem, ZFS pool or another exclusive user, possibly in another "
          "mount namespace)",
          device);
    case Kind::kSwap:
      if (via.empty()) return fmt::format("{} is used as swap", device);
      return fmt::format("{} is used by {}, which is used as swap", device, via);
  }
  return device;
}

std::vector<std::string> parse_swaps(const std::vector<std::string>& lines) {
  // Filename  Type  Size  Used  Priority, then one line per swap area.
  std::vector<std::string> swaps;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::istringstream in(lines[i]);
    std::string name;
    if (in >> name) swaps.push_back(detail::unescape_octal(name));
  }
  return swaps;
}

BlockUsageTable BlockUsageTable::read(const HostPaths& paths) {
  return BlockUsageTable(read_mount_table(paths), parse_swaps(detail::read_lines(paths.swaps())));
}

std::vector<BlockUse> BlockUsageTable::uses_of(const HostPaths& paths, std::string_view name) const {
  std::vector<BlockUse> uses;
  collect(paths, "/dev/" + std::string(name), name, "", 0, uses);
  return uses;
}

void BlockUsageTable::collect(const HostPaths& paths, const std::string& device, std::string_view name,
                              const std::string& via, int depth, std::vector<BlockUse>& out) const {
  const auto dir = paths.block_class() / name;
  const auto major_minor = detail::read_trimmed(dir / "dev");
  std::set<std::string> node_names{"/dev/" + std::string(name)};
  if (const auto dm_name = detail::read_trimmed(dir / "dm" / "name")) node_names.insert("/dev/mapper/" + *dm_name);

  for (const auto& mount : mounts_) {
    const bool same_device = major_minor && !major_minor->empty() && mount.major_minor == *major_minor;
    if (same_device || node_names.count(mount.source) != 0) {
      out.push_back({BlockUse::Kind::kMounted, device, via, mount.mountpoint, mount.mountpoint == "/"});
    }
  }
  for (const auto& swap : swaps_) {
    if (node_names.count(swap) != 0) out.push_back({BlockUse::Kind::kSwap, device, via, swap, false});
  }
  if (depth >= kMaxHolderDepth) return;
  for (const auto& holder : detail::list_names(dir / "holders")) {
    const std::string label = holder_label(paths, holder);
    if (depth == 0) out.push_back({BlockUse::Kind::kHeld, device, "", label, false});
    collect(paths, device, holder, via.empty() ? label : via + " -> " + label, depth + 1, out);
  }
}

bool NamespaceUsage::holds_root() const {
  return std::any_of(uses.begin(), uses.end(), [](const BlockUse& use) { return use.root_filesystem; });
}

std::vector<NamespaceUsage> controller_namespaces(const HostPaths& paths, std::string_view bdf,
                                                  const BlockUsageTable& usage) {
  // Without native multipath the namespace disks (nvme0n1) sit under the
  // controller (BDF/nvme/nvme0/nvme0n1); with it the controller only has path
  // devices (nvme0c0n1) and the disks sit under its subsystem
  // (/sys/class/nvme-subsystem/nvme-subsys0/nvme0n1, next to a link nvme0).
  static const std::regex kDisk(R"(^nvme[0-9]+n[0-9]+$)");
  std::set<std::string> disks;
  for (const auto& controller : detail::list_names(paths.pci_device(bdf) / "nvme")) {
    for (const auto& entry : detail::list_names(paths.pci_device(bdf) / "nvme" / controller)) {
      if (std::regex_match(entry, kDisk)) disks.insert(entry);
    }
    for (const auto& subsystem : detail::list_names(paths.nvme_subsystems())) {
      const auto entries = detail::list_names(paths.nvme_subsystems() / subsystem);
      if (std::find(entries.begin(), entries.end(), controller) == entries.end()) continue;
      for (const auto& entry : entries) {
        if (std::regex_match(entry, kDisk)) disks.insert(entry);
      }
    }
  }

  std::vector<NamespaceUsage> namespaces;
  for (const auto& disk : disks) {
    NamespaceUsage ns;
    ns.name = disk;
    const std::regex partition("^" + disk + "p[0-9]+$");
    for (const auto& entry : detail::list_names(paths.block_class() / disk)) {
      if (std::regex_match(entry, partition)) ns.partitions.push_back(entry);
    }
    ns.uses = usage.uses_of(paths, disk);
    for (const auto& part : ns.partitions) {
      auto part_uses = usage.uses_of(paths, part);
      if (part_uses.empty()) probe_busy(paths, part, part_uses);
      ns.uses.insert(ns.uses.end(), part_uses.begin(), part_uses.end());
    }
    // A claimed partition makes the whole disk refuse exclusive opens too
    // (block/bdev.c bd_may_claim), so the disk is probed only when nothing
    // was found: its own claim (ZFS on the whole disk) is then the news.
    if (ns.uses.empty()) probe_busy(paths, disk, ns.uses);
    namespaces.push_back(std::move(ns));
  }
  return namespaces;
}

}  // namespace nvqual::vfio
