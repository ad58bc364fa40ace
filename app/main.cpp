// nvqual: userspace NVMe driver and conformance harness.
#include <cstdio>
#include <exception>
#include <vector>

#include <fmt/core.h>

#include "command.hpp"
#include "nvqual/driver/controller.hpp"
#include "nvqual/driver/errors.hpp"
#include "nvqual/harness/build_info.hpp"
#include "session_log.hpp"
#include "stop_signal.hpp"

namespace {

// Errors where the device misbehaved or was lost: what it was sent last is
// the first thing to look at. Input and host problems stay one line.
bool shows_command_log(nvqual::ErrorKind kind) {
  using nvqual::ErrorKind;
  switch (kind) {
    case ErrorKind::kDeviceGone:
    case ErrorKind::kControllerFatal:
    case ErrorKind::kReadyTimeout:
    case ErrorKind::kShutdownTimeout:
    case ErrorKind::kCommandTimeout:
    case ErrorKind::kCommandFailed:
    case ErrorKind::kProtocolViolation: return true;
    default: return false;
  }
}

int exit_code_for(nvqual::ErrorKind kind) {
  using nvqual::ErrorKind;
  switch (kind) {
    case ErrorKind::kInvalidArgument: return nvqual::app::kExitBadInput;
    case ErrorKind::kCommandFailed: return nvqual::app::kExitFailed;
    default: return nvqual::app::kExitEnvironment;
  }
}

}  // namespace

// Subcommands that work on finished reports (cmd_compare.cpp, cmd_report.cpp).
namespace nvqual::app {
Command add_compare_command(CLI::App& root);
Command add_report_command(CLI::App& root);
}  // namespace nvqual::app

int main(int argc, char** argv) {
  using namespace nvqual::app;
  CLI::App root{
      "nvqual: userspace NVMe driver and conformance harness.\n"
      "Targets are a vfio-pci bound controller (--bdf) or the built-in simulated controller (--sim)."};
  root.set_version_flag("--version", std::string(NVQUAL_VERSION " (") + nvqual::harness::git_revision() + ")");
  root.require_subcommand(1);
  // Bad input is one line naming the problem; --help says the rest.
  root.failure_message([](const CLI::App*, const CLI::Error& e) {
    return fmt::format("nvqual: {} (run with --help for usage)\n", e.what());
  });
  std::vector<Command> commands;
  for (auto add : {add_identify_command, add_read_command, add_pattern_command, add_devices_command, add_bind_command,
                   add_unbind_command, add_run_command, add_suites_command, add_compare_command, add_report_command,
                   add_perf_command, add_fill_command, add_log_command, add_features_command}) {
    Command command = add(root);
    if (command.cli != nullptr) commands.push_back(std::move(command));
  }
  // After the subcommands exist (CLI11 copies a parent's footer into each new
  // subcommand): a subcommand with exit codes of its own (run, suites) keeps them.
  const char* exit_codes =
      "Exit codes: 0 passed, 1 failed, 2 bad input, 3 device or environment error, 77 no device configured,\n"
      "130 interrupted by SIGINT (Ctrl-C), 143 interrupted by SIGTERM (the controller is disabled first).";
  root.footer(exit_codes);
  for (auto& command : commands) {
    if (command.cli->get_footer().empty()) command.cli->footer(exit_codes);
  }

  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return root.exit(e) == 0 ? kExitPassed : kExitBadInput;
  }

  try {
    for (auto& command : commands) {
      if (command.cli->parsed()) return command.run();
    }
  } catch (const Interrupted& e) {
    fmt::print(stderr, "nvqual: {}\n", e.what());
    return e.exit_code();
  } catch (const nvqual::WaitInterrupted& e) {  // from SignalAwareClock, which fires only after a signal
    fmt::print(stderr, "nvqual: {}\n", e.what());
    return 128 + StopOnSignal::received();
  } catch (const UsageError& e) {
    fmt::print(stderr, "nvqual: {}\n", e.what());
    return kExitBadInput;
  } catch (const nvqual::DriverError& e) {
    if (const int number = StopOnSignal::received(); number != 0) {
      // An interrupted wait the driver reported in its own words (e.g. inside a disable).
      fmt::print(stderr, "nvqual: interrupted: {}\n", e.what());
      return 128 + number;
    }
    // The first line is always the one-line summary; the log tail follows it.
    const nvqual::CommandLog* log = last_session_log();
    if (shows_command_log(e.kind()) && log != nullptr) {
      fmt::print(stderr, "nvqual: {}", nvqual::describe_failure(e, *log));
    } else {
      fmt::print(stderr, "nvqual: {}: {}\n", nvqual::to_string(e.kind()), e.what());
    }
    return exit_code_for(e.kind());
  } catch (const std::exception& e) {
    fmt::print(stderr, "nvqual: {}\n", e.what());
    return kExitEnvironment;
  }
  return kExitBadInput;
}
