#include "nvqual/vfio/mount_table.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "sysfs_file.hpp"

namespace nvqual::vfio {
namespace {

void add_unique(std::vector<MountEntry>& mounts, MountEntry entry) {
  const bool known = std::any_of(mounts.begin(), mounts.end(), [&entry](const MountEntry& m) {
    return m.mountpoint == entry.mountpoint && (m.major_minor == entry.major_minor || m.source == entry.source);
  });
  if (!known) mounts.push_back(std::move(entry));
}

// The filesystem holding `directory` when it sits directly on a block device
// sysfs knows (ext4, xfs, LVM, dm-crypt); nullopt for anonymous devices
// (btrfs, overlay, tmpfs), whose mountinfo entries carry the source instead.
std::optional<MountEntry> root_device(const HostPaths& paths, const std::filesystem::path& directory) {
  struct stat info {};
  if (::stat(directory.c_str(), &info) != 0) return std::nullopt;
  const std::string major_minor = fmt::format("{}:{}", major(info.st_dev), minor(info.st_dev));
  const auto name = detail::link_target_name(paths.dev_block() / major_minor);
  if (!name) return std::nullopt;
  return MountEntry{major_minor, "/", "/dev/" + *name, ""};
}

// Block device name -> every device of its btrfs filesystem, from
// /sys/fs/btrfs/<uuid>/devices/<name>.
std::map<std::string, std::vector<std::string>> btrfs_members(const HostPaths& paths) {
  std::map<std::string, std::vector<std::string>> members;
  for (const auto& uuid : detail::list_names(paths.btrfs_filesystems())) {
    const auto names = detail::list_names(paths.btrfs_filesystems() / uuid / "devices");
    for (const auto& name : names) members[name] = names;
  }
  return members;
}

// "nvme0n1p2" for "/dev/nvme0n1p2", the dm-N name for "/dev/mapper/NAME".
std::optional<std::string> kernel_name(const HostPaths& paths, const std::string& source) {
  constexpr std::string_view kMapper = "/dev/mapper/";
  if (source.rfind(kMapper, 0) == 0) {
    const std::string dm_name = source.substr(kMapper.size());
    for (const auto& name : detail::list_names(paths.block_class())) {
      if (detail::read_trimmed(paths.block_class() / name / "dm" / "name") == dm_name) return name;
    }
    return std::nullopt;
  }
  if (source.rfind("/dev/", 0) == 0) return std::filesystem::path(source).filename().string();
  return std::nullopt;
}

}  // namespace

std::vector<MountEntry> parse_mountinfo(const std::vector<std::string>& lines) {
  // 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
  // (1)(2)(3)   (4)   (5)      (6)      (7...)  sep (fstype) (source) (super options)
  std::vector<MountEntry> mounts;
  for (const auto& line : lines) {
    std::istringstream in(line);
    std::vector<std::string> fields;
    for (std::string field; in >> field;) fields.push_back(field);
    const auto separator = std::find(fields.begin(), fields.end(), "-");
    if (fields.size() < 7 || separator == fields.end() || separator - fields.begin() < 6 ||
        fields.end() - separator < 3) {
      continue;
    }
    MountEntry entry;
    entry.major_minor = fields[2];
    entry.mountpoint = detail::unescape_octal(fields[4]);
    entry.fstype = *(separator + 1);
    entry.source = detail::unescape_octal(*(separator + 2));
    mounts.push_back(std::move(entry));
  }
  return mounts;
}

std::vector<MountEntry> read_mount_table(const HostPaths& paths) {
  std::vector<MountEntry> mounts;
  for (const auto& file : {paths.mountinfo(), paths.init_mountinfo()}) {
    for (auto& entry : parse_mountinfo(detail::read_lines(file))) add_unique(mounts, std::move(entry));
  }
  if (paths.root_directory) {
    if (auto root = root_device(paths, *paths.root_directory)) add_unique(mounts, std::move(*root));
  }

  // A btrfs spanning several devices shows one of them as its source: the
  // others are just as mounted.
  const auto members = btrfs_members(paths);
  if (members.empty()) return mounts;
  const size_t listed = mounts.size();
  for (size_t i = 0; i < listed; ++i) {
    const MountEntry mount = mounts[i];  // a copy: add_unique grows the vector
    const auto name = kernel_name(paths, mount.source);
    const auto found = name ? members.find(*name) : members.end();
    if (found == members.end()) continue;
    for (const auto& member : found->second) {
      if (member == *name) continue;
      const auto major_minor = detail::read_trimmed(paths.block_class() / member / "dev");
      add_unique(mounts, {major_minor.value_or(""), mount.mountpoint, "/dev/" + member, mount.fstype});
    }
  }
  return mounts;
}

}  // namespace nvqual::vfio
