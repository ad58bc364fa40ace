// Where --out may point besides a new file: a symbolic link is followed (the
// file it names is replaced, the link stays), and an existing special file
// (a character device such as /dev/null, a FIFO) is written directly, never
// replaced by a rename.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/lba_stamp.hpp"
#include "support/run_cli.hpp"
#include "support/spawn_cli.hpp"

namespace nvqual {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_support::ChildEnd;
using testing_support::CliChild;
using testing_support::file_names;
using testing_support::line_count;
using testing_support::run_cli;
using testing_support::scratch_dir;
using testing_support::slurp;

bool is_char_device(const std::filesystem::path& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0 && S_ISCHR(info.st_mode);
}

// A null character device to write to. Not /dev/null as root: a regression
// would replace the machine's /dev/null (it did, once); root gets a node of
// its own in `dir`, anyone else cannot replace /dev/null and uses it.
std::filesystem::path null_device(const std::filesystem::path& dir) {
  if (::geteuid() != 0) return "/dev/null";
  const auto node = dir / "null";
  if (::mknod(node.c_str(), S_IFCHR | 0666, ::makedev(1, 3)) != 0) return {};
  return node;
}

TEST(CliOutputTarget, ACharacterDeviceIsWrittenNotReplaced) {
  const auto dir = scratch_dir("out-chardev");
  const auto device = null_device(dir);
  if (device.empty()) GTEST_SKIP() << "cannot create a device node here (running as root without CAP_MKNOD)";
  const auto r = run_cli("pattern --nsid 1 --lba-size 512 --blocks 16 --out " + device.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(is_char_device(device)) << device << " was replaced";
  EXPECT_TRUE(r.err.empty()) << r.err;
  const auto read = run_cli("read --sim --nsid 1 --lba 0 --blocks 8 --out " + device.string());
  EXPECT_EQ(read.exit_code, 0) << read.err;
  EXPECT_TRUE(is_char_device(device)) << device << " was replaced";
  if (device != "/dev/null") {
    EXPECT_THAT(file_names(dir), ElementsAre("null"));
  }
}

TEST(CliOutputTarget, ASymlinkIsFollowedAndKept) {
  const auto links = scratch_dir("out-link");
  const auto files = scratch_dir("out-link-target");
  const auto file = files / "image.bin";
  std::ofstream(file) << "old";
  std::filesystem::create_symlink(file, links / "image.bin");
  const auto r = run_cli("pattern --nsid 1 --lba-size 512 --blocks 4 --out " + (links / "image.bin").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::is_symlink(links / "image.bin"));
  const std::string data = slurp(file);
  ASSERT_EQ(data.size(), 4u * 512);
  EXPECT_FALSE(lba_stamp::check(std::span(reinterpret_cast<const std::byte*>(data.data()), data.size()), 512, 0, 1));
  EXPECT_THAT(file_names(links), ElementsAre("image.bin"));
  EXPECT_THAT(file_names(files), ElementsAre("image.bin")) << "no .partial file left beside the real file";
}

TEST(CliOutputTarget, ADanglingRelativeSymlinkCreatesTheFileItNames) {
  const auto dir = scratch_dir("out-dangling");
  std::filesystem::create_symlink("real.bin", dir / "link.bin");
  const auto r = run_cli("pattern --nsid 1 --lba-size 512 --blocks 2 --out " + (dir / "link.bin").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::is_symlink(dir / "link.bin"));
  EXPECT_EQ(slurp(dir / "real.bin").size(), 2u * 512);
  EXPECT_THAT(file_names(dir), ElementsAre("link.bin", "real.bin"));
}

TEST(CliOutputTarget, AFifoIsWrittenDirectlyAndStaysAFifo) {
  const auto dir = scratch_dir("out-fifo");
  const auto logs = scratch_dir("out-fifo-logs");
  const auto fifo = dir / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Reader first (nvqual refuses a FIFO nobody reads); a writer end kept by the
  // test until all bytes arrived, so the reader never sees EOF before nvqual opens it.
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  const int keep_open = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(keep_open, 0);
  constexpr size_t kBytes = 64 * 512;
  CliChild child({"pattern", "--nsid", "1", "--lba-size", "512", "--blocks", "64", "--out", fifo.string()}, logs);
  ASSERT_TRUE(child.started());
  std::string data;
  char buffer[8192];
  pollfd ready{reader, POLLIN, 0};
  while (data.size() < kBytes && ::poll(&ready, 1, 30'000) == 1) {
    const ssize_t n = ::read(reader, buffer, sizeof buffer);
    if (n > 0) data.append(buffer, static_cast<size_t>(n));
  }
  const auto r = child.wait();
  ::close(keep_open);
  ::close(reader);
  EXPECT_EQ(r.end, ChildEnd::exit(0)) << r.err;
  ASSERT_EQ(data.size(), kBytes);
  EXPECT_FALSE(lba_stamp::check(std::span(reinterpret_cast<const std::byte*>(data.data()), data.size()), 512, 0, 1));
  struct stat info {};
  ASSERT_EQ(::lstat(fifo.c_str(), &info), 0);
  EXPECT_TRUE(S_ISFIFO(info.st_mode));
  EXPECT_THAT(file_names(dir), ElementsAre("pipe"));
}

TEST(CliOutputTarget, AFifoWithoutAReaderIsRefusedAtOnce) {
  const auto dir = scratch_dir("out-fifo-no-reader");
  const auto fifo = dir / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto r = run_cli("pattern --nsid 1 --lba-size 512 --blocks 1 --out " + fifo.string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("no process is reading the FIFO"));
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_THAT(file_names(dir), ElementsAre("pipe"));
}

TEST(CliOutputTarget, AnUncreatableFileNamesTheRealCause) {
  const auto r = run_cli("pattern --nsid 1 --lba-size 512 --blocks 1 --out /proc/nvqual-x.bin");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("/proc does not allow creating files"));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("exists")));
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
}

}  // namespace
}  // namespace nvqual
