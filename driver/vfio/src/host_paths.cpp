#include "nvqual/vfio/host_paths.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fmt/format.h>

#include "sysfs_file.hpp"

namespace nvqual::vfio {
namespace {

// CAP_IPC_LOCK is capability 14 (linux/capability.h); CapEff in
// /proc/self/status is the effective set as hex.
constexpr unsigned kCapIpcLock = 14;

bool effective_capability(const HostPaths& paths, unsigned capability) {
  for (const auto& line : detail::read_lines(paths.process_status())) {
    if (line.rfind("CapEff:", 0) != 0) continue;
    try {
      const uint64_t mask = std::stoull(line.substr(7), nullptr, 16);
      return ((mask >> capability) & 1u) != 0;
    } catch (const std::exception&) {
      return false;
    }
  }
  return false;
}

}  // namespace

int open_block_exclusive(const std::filesystem::path& node) {
  // O_NONBLOCK: a removable or odd device must not make the probe wait.
  const int fd = ::open(node.c_str(), O_RDONLY | O_EXCL | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return errno;
  ::close(fd);
  return 0;
}

HostIdentity HostIdentity::current(const HostPaths& paths) {
  HostIdentity identity;
  identity.uid = getuid();
  identity.gid = getgid();
  const int count = getgroups(0, nullptr);
  if (count > 0) {
    identity.groups.resize(static_cast<size_t>(count));
    const int got = getgroups(count, identity.groups.data());
    identity.groups.resize(got > 0 ? static_cast<size_t>(got) : 0);
  }
  identity.cap_ipc_lock = effective_capability(paths, kCapIpcLock);
  rlimit limit{};
  if (getrlimit(RLIMIT_MEMLOCK, &limit) == 0) {
    identity.memlock_limit = limit.rlim_cur == RLIM_INFINITY ? kUnlimited : static_cast<uint64_t>(limit.rlim_cur);
  }
  return identity;
}

bool HostIdentity::in_group(gid_t group) const {
  return group == gid || std::find(groups.begin(), groups.end(), group) != groups.end();
}

std::optional<std::string> user_name(uid_t uid) {
  passwd entry{};
  passwd* found = nullptr;
  char buffer[4096];
  if (getpwuid_r(uid, &entry, buffer, sizeof buffer, &found) == 0 && found != nullptr)
    return std::string(found->pw_name);
  return std::nullopt;
}

std::string describe_user(uid_t uid) {
  if (const auto name = user_name(uid)) return fmt::format("{} (uid {})", *name, uid);
  return fmt::format("uid {}", uid);
}

std::string describe_group(gid_t gid) {
  group entry{};
  group* found = nullptr;
  char buffer[4096];
  if (getgrgid_r(gid, &entry, buffer, sizeof buffer, &found) == 0 && found != nullptr) {
    return fmt::format("{} (gid {})", found->gr_name, gid);
  }
  return fmt::format("gid {}", gid);
}

}  // namespace nvqual::vfio
