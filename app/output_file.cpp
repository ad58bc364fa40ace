#include "output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "command.hpp"

namespace nvqual::app {

namespace fs = std::filesystem;

namespace {

// Follows the last component's links (the kernel's limit is 40 hops): rename()
// replaces a link itself, and the user meant the file it names.
fs::path follow_links(const fs::path& target) {
  fs::path path = target;
  for (int hops = 0; hops < 40; ++hops) {
    std::error_code ec;
    if (!fs::is_symlink(path, ec)) return path;
    const fs::path link = fs::read_symlink(path, ec);
    if (ec)
      throw UsageError(
          fmt::format("cannot write {}: reading the link {} failed: {}", target.string(), path.string(), ec.message()));
    path = link.is_absolute() ? link : path.parent_path() / link;
  }
  throw UsageError(
      fmt::format("cannot write {}: too many levels of symbolic links; point --out at a file", target.string()));
}

// The reason a file cannot be created in `dir`, as the user can act on it.
std::string create_failure(const fs::path& target, const fs::path& dir, int error) {
  std::error_code ec;
  const std::string shown = dir.string();
  switch (error) {
    case ENOENT:
    case ENOTDIR:
      if (!fs::is_directory(dir, ec)) {
        return fmt::format("cannot write {}: directory {} does not exist; create it first (mkdir -p {})",
                           target.string(), shown, shown);
      }
      return fmt::format(
          "cannot write {}: {} does not allow creating files ({}); choose a directory on a normal file system",
          target.string(), shown, std::strerror(error));
    case EACCES:
    case EPERM:
      return fmt::format("cannot write {}: directory {} is not writable for this user", target.string(), shown);
    case EROFS: return fmt::format("cannot write {}: {} is on a read-only file system", target.string(), shown);
    case ENOSPC:
    case EDQUOT: return fmt::format("cannot write {}: no space left in {}", target.string(), shown);
    default: return fmt::format("cannot write {}: {}", target.string(), std::strerror(error));
  }
}

}  // namespace

AtomicOutputFile::AtomicOutputFile(fs::path target) : target_(std::move(target)) {
  if (target_.empty()) throw UsageError("--out needs a file name");
  resolved_ = follow_links(target_);
  struct stat info {};
  const bool exists = ::stat(resolved_.c_str(), &info) == 0;
  if (exists && S_ISDIR(info.st_mode)) {
    throw UsageError(fmt::format("cannot write {}: it is a directory; give a file name", target_.string()));
  }
  if (exists && S_ISSOCK(info.st_mode)) {
    throw UsageError(fmt::format("cannot write {}: it is a socket; give a file name", target_.string()));
  }
  if (exists && !S_ISREG(info.st_mode)) {
    // No O_TRUNC (a block device keeps what lies past the data), and
    // O_NONBLOCK so a FIFO without a reader fails now instead of waiting forever.
    // O_EXCL on a block device: the kernel refuses it (EBUSY) while a file
    // system, swap, md, LVM or ZFS holds the disk, in any mount namespace.
    const int exclusive = S_ISBLK(info.st_mode) ? O_EXCL : 0;
    const int fd = ::open(resolved_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | exclusive);
    if (fd < 0) {
      if (errno == ENXIO && S_ISFIFO(info.st_mode)) {
        throw UsageError(
            fmt::format("cannot write {}: no process is reading the FIFO; start the reader first", target_.string()));
      }
      if (errno == EBUSY && S_ISBLK(info.st_mode)) {
        throw UsageError(
            fmt::format("cannot write {}: the disk is in use (mounted, swap, or held by md, LVM or ZFS); "
                        "unmount or release it first, or pick another --out",
                        target_.string()));
      }
      throw UsageError(fmt::format("cannot write {}: {}", target_.string(), std::strerror(errno)));
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    file_ = ::fdopen(fd, "wb");
    if (file_ == nullptr) {
      ::close(fd);
      throw UsageError(fmt::format("cannot write {}: {}", target_.string(), std::strerror(errno)));
    }
    block_device_ = S_ISBLK(info.st_mode);
    return;
  }
  temporary_ = resolved_;
  temporary_ += fmt::format(".partial-{}", ::getpid());
  file_ = std::fopen(temporary_.c_str(), "wb");
  if (file_ == nullptr) {
    const int error = errno;
    throw UsageError(
        create_failure(target_, resolved_.has_parent_path() ? resolved_.parent_path() : fs::path("."), error));
  }
}

AtomicOutputFile::~AtomicOutputFile() {
  if (file_ != nullptr) std::fclose(file_);
  if (!committed_ && !temporary_.empty()) {
    std::error_code ignored;
    fs::remove(temporary_, ignored);
  }
}

void AtomicOutputFile::write(std::span<const std::byte> data) {
  if (std::fwrite(data.data(), 1, data.size(), file_) != data.size()) {
    throw std::runtime_error(fmt::format("writing {} failed: {}", target_.string(), std::strerror(errno)));
  }
  written_ += data.size();
}

void AtomicOutputFile::commit() {
  // fsync means nothing for a FIFO or /dev/null (EINVAL); a block device and a
  // regular file are synced before anyone is told the data is there.
  const bool syncs = !temporary_.empty() || block_device_;
  const bool flushed = std::fflush(file_) == 0 && (!syncs || ::fsync(::fileno(file_)) == 0);
  const int saved_errno = errno;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!flushed || !closed) {
    throw std::runtime_error(
        fmt::format("writing {} failed: {}", target_.string(), std::strerror(flushed ? errno : saved_errno)));
  }
  if (!temporary_.empty()) {
    std::error_code error;
    fs::rename(temporary_, resolved_, error);
    if (error) {
      throw std::runtime_error(fmt::format("cannot move {} into place: {}", target_.string(), error.message()));
    }
  }
  committed_ = true;
}

std::string AtomicOutputFile::unfinished_note() const {
  if (!temporary_.empty()) return fmt::format("{} was not written", target_.string());
  return fmt::format("{} bytes had been written to {}", written_, target_.string());
}

}  // namespace nvqual::app
