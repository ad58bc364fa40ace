// Runs the nvqual binary as a child the test can signal: stdout and stderr go
// to files, and the child can start with a signal already pending (blocked
// before exec; pending signals and the mask survive execve), which is how a
// test sends a signal "before nvqual installed its handler" without timing.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "run_cli.hpp"

namespace nvqual::testing_support {

// How a child ended: an exit with a code, or death by a signal. Kept apart
// because a clean exit 130 (SIGINT handled) and a death by SIGINT are opposite
// outcomes for a test of signal handling, though a shell reports both as 130.
struct ChildEnd {
  bool exited = false;  // true: `code` is the exit status; false: killed by `signal`
  int code = -1;
  int signal = 0;

  static ChildEnd exit(int code) { return {true, code, 0}; }
  static ChildEnd killed_by(int signal) { return {false, -1, signal}; }
  friend bool operator==(const ChildEnd&, const ChildEnd&) = default;
  friend void PrintTo(const ChildEnd& end, std::ostream* os) {
    if (end.exited) {
      *os << "exited with " << end.code;
    } else {
      *os << "killed by signal " << end.signal << " (" << ::strsignal(end.signal) << ")";
    }
  }
};

struct ChildResult {
  ChildEnd end;
  std::string out;
  std::string err;
};

class CliChild {
 public:
  static constexpr rlim_t kFileSizeLimit = 1ull << 30;

  // `pending_signal` 0: none.
  CliChild(const std::vector<std::string>& arguments, const std::filesystem::path& output_dir, int pending_signal = 0)
      : out_(output_dir / "child.stdout"), err_(output_dir / "child.stderr") {
    std::vector<std::string> words{NVQUAL_CLI};
    words.insert(words.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      // Only async-signal-safe calls between fork and exec.
      const int out = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int in = ::open("/dev/null", O_RDONLY);
      if (out < 0 || err < 0 || in < 0) ::_exit(126);
      ::dup2(in, 0);
      ::dup2(out, 1);
      ::dup2(err, 2);
      // A command that ignores the signal it is sent must not fill the disk.
      const rlimit file_size{kFileSizeLimit, kFileSizeLimit};
      ::setrlimit(RLIMIT_FSIZE, &file_size);
      if (pending_signal != 0) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, pending_signal);
        ::sigprocmask(SIG_BLOCK, &set, nullptr);
        ::kill(::getpid(), pending_signal);
      }
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~CliChild() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  CliChild(const CliChild&) = delete;
  CliChild& operator=(const CliChild&) = delete;

  bool started() const { return pid_ > 0; }
  void signal(int number) const { ::kill(pid_, number); }
  // Waits for the child to exit (it is always on its way out when called).
  ChildResult wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    ChildResult result;
    result.end = WIFEXITED(status) ? ChildEnd::exit(WEXITSTATUS(status)) : ChildEnd::killed_by(WTERMSIG(status));
    result.out = slurp(out_);
    result.err = slurp(err_);
    std::filesystem::remove(out_);
    std::filesystem::remove(err_);
    return result;
  }

 private:
  std::filesystem::path out_;
  std::filesystem::path err_;
  pid_t pid_ = -1;
  bool reaped_ = false;
};

}  // namespace nvqual::testing_support
