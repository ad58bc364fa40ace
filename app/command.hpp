// Each subcommand lives in its own cmd_<name>.cpp and registers itself on the
// root CLI11 app; main.cpp runs the one the user named.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

namespace nvqual::app {

// Exit codes shared by every subcommand (documented in README.md).
enum ExitCode : int {
  kExitPassed = 0,
  kExitFailed = 1,       // a check failed / the device answered with an error
  kExitBadInput = 2,     // command line, suite, profile or file problem
  kExitEnvironment = 3,  // device or host environment error (VFIO, permissions, timeouts)
  kExitNoDevice = 77,    // no device configured: ctest's SKIP_RETURN_CODE
};

// Bad input from the user: printed as one line, exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Command {
  CLI::App* cli = nullptr;
  std::function<int()> run;
};

Command add_identify_command(CLI::App& root);
Command add_read_command(CLI::App& root);
Command add_pattern_command(CLI::App& root);
Command add_devices_command(CLI::App& root);
Command add_bind_command(CLI::App& root);
Command add_unbind_command(CLI::App& root);
Command add_run_command(CLI::App& root);
Command add_suites_command(CLI::App& root);
Command add_perf_command(CLI::App& root);
Command add_fill_command(CLI::App& root);
Command add_log_command(CLI::App& root);
Command add_features_command(CLI::App& root);

}  // namespace nvqual::app
