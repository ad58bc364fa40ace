#include "lock_holder.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <sstream>

#include <fmt/format.h>

#include "sysfs_file.hpp"

namespace nvqual::vfio::detail {
namespace {

std::optional<FlockEntry> parse_line(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> fields;
  for (std::string field; in >> field;) fields.push_back(field);
  // id: FLOCK ADVISORY WRITE pid MAJ:MIN:INODE start end
  if (fields.size() < 6 || fields[1] != "FLOCK") return std::nullopt;
  FlockEntry entry;
  unsigned long long inode = 0;
  char colon1 = 0;
  char colon2 = 0;
  std::istringstream id(fields[5]);
  id >> std::hex >> entry.major >> colon1 >> entry.minor >> colon2 >> std::dec >> inode;
  if (!id || colon1 != ':' || colon2 != ':') return std::nullopt;
  entry.inode = inode;
  try {
    entry.pid = std::stol(fields[4]);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return entry;
}

LockHolder describe_process(const HostPaths& paths, long pid) {
  const auto dir = paths.proc / std::to_string(pid);
  LockHolder holder{fmt::format("pid {}", pid), read_trimmed(dir / "comm")};
  if (holder.comm) holder.description += " (" + *holder.comm + ")";
  struct stat info {};
  if (::stat(dir.c_str(), &info) == 0) holder.description += ", user " + describe_user(info.st_uid);
  return holder;
}

// A process with the file open, by its /proc/<pid>/fd links (ours excluded:
// we opened the file to try the lock).
std::optional<long> pid_with_file_open(const HostPaths& paths, const std::filesystem::path& file) {
  const std::string self = std::to_string(::getpid());
  for (const auto& pid : list_names(paths.proc)) {
    if (pid.empty() || pid == self || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto fd_dir = paths.proc / pid / "fd";
    for (const auto& fd : list_names(fd_dir)) {
      std::error_code error;
      if (std::filesystem::read_symlink(fd_dir / fd, error) == file && !error) return std::stol(pid);
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<FlockEntry> parse_proc_locks(const std::vector<std::string>& lines) {
  std::vector<FlockEntry> entries;
  for (const auto& line : lines) {
    if (auto entry = parse_line(line)) entries.push_back(*entry);
  }
  return entries;
}

LockHolder find_lock_holder(const HostPaths& paths, const std::filesystem::path& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) == 0) {
    for (const auto& entry : parse_proc_locks(read_lines(paths.locks()))) {
      if (entry.major != major(info.st_dev) || entry.minor != minor(info.st_dev) || entry.inode != info.st_ino)
        continue;
      if (entry.pid <= 0) return {"a process in another PID namespace", std::nullopt};
      return describe_process(paths, entry.pid);
    }
  }
  if (const auto pid = pid_with_file_open(paths, file)) return describe_process(paths, *pid);
  return {"pid unknown", std::nullopt};
}

}  // namespace nvqual::vfio::detail
