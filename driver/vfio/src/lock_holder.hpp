// Who holds a lock file, asked of the kernel instead of read from the file:
// anyone who can write a lock file can write any pid into it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nvqual/vfio/host_paths.hpp"

namespace nvqual::vfio::detail {

struct FlockEntry {
  long pid = 0;  // 0 or -1: a process in a PID namespace /proc cannot show
  unsigned major = 0;
  unsigned minor = 0;
  unsigned long long inode = 0;
};

// The FLOCK lines of /proc/locks ("1: FLOCK  ADVISORY  WRITE 1234 00:1a:5678 0 EOF");
// waiters ("->") and other lock types are skipped.
std::vector<FlockEntry> parse_proc_locks(const std::vector<std::string>& lines);

struct LockHolder {
  // "pid 1234 (nvqual), user alice (uid 1000)"; "pid unknown" when nothing shows it.
  std::string description;
  std::optional<std::string> comm;  // /proc/<pid>/comm, when readable
};

// The process holding a flock on `file`: by device and inode from
// paths.locks(), else by a /proc/<pid>/fd link to the file.
LockHolder find_lock_holder(const HostPaths& paths, const std::filesystem::path& file);

}  // namespace nvqual::vfio::detail
