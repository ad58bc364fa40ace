// Runs the nvqual binary with arguments and captures exit code, stdout and stderr.
#pragma once

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace nvqual::testing_support {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs the shell words `command_line` with stdout and stderr captured.
inline CliResult run_shell(const std::string& command_line) {
  const auto dir = std::filesystem::temp_directory_path() / ("nvqual-cli-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto out = dir / "stdout";
  const auto err = dir / "stderr";
  const std::string command = command_line + " >" + out.string() + " 2>" + err.string() + " </dev/null";
  const int status = std::system(command.c_str());
  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = slurp(out);
  result.err = slurp(err);
  return result;
}

// `arguments` is appended to the binary's path as shell words (tests quote their own).
inline CliResult run_cli(const std::string& arguments) { return run_shell(std::string(NVQUAL_CLI) + " " + arguments); }

// The same with the variables that pick a device cleared (NVQUAL_BDF, ctest's
// allocation, NVQUAL_CTEST_RESOURCE_SPEC), then `assignments` ("NAME=value"
// shell words) set: the test sees only what it sets, wherever it runs.
inline CliResult run_cli_env(const std::string& assignments, const std::string& arguments) {
  return run_shell(
      "env -u NVQUAL_BDF -u NVQUAL_CTEST_RESOURCE_SPEC -u CTEST_RESOURCE_GROUP_COUNT "
      "-u CTEST_RESOURCE_GROUP_0 -u CTEST_RESOURCE_GROUP_0_NVME " +
      assignments + " " + std::string(NVQUAL_CLI) + " " + arguments);
}

// A fresh scratch directory per test.
inline std::filesystem::path scratch_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("nvqual-test-" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// A simulator profile shipped under fixtures/sim/.
inline std::string sim_fixture(const std::string& name) {
  return std::string(NVQUAL_SOURCE_DIR) + "/fixtures/sim/" + name;
}

inline std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// Every file in `dir`, sorted, so a test sees leftovers whatever they are called.
inline std::vector<std::string> file_names(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

inline size_t line_count(const std::string& text) {
  size_t lines = 0;
  for (char c : text) lines += c == '\n' ? 1 : 0;
  return lines;
}

}  // namespace nvqual::testing_support
