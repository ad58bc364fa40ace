#include "report_path.hpp"

#include <filesystem>

#include <fmt/format.h>
#include <unistd.h>

#include "command.hpp"

namespace nvqual::app {

// The same rules and words as nvqual run's --junit/--json (cmd_run.cpp).
void check_output_path(const std::string& path, std::string_view option) {
  if (path.empty()) return;
  const std::filesystem::path file(path);
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    throw UsageError(fmt::format("{} {}: that is a directory; give a file name", option, path));
  }
  const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::is_directory(dir, ec)) {
    throw UsageError(fmt::format("{} {}: directory {} does not exist; create it first (mkdir -p {})", option, path,
                                 dir.string(), dir.string()));
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    throw UsageError(fmt::format("{} {}: directory {} is not writable for this user", option, path, dir.string()));
  }
}

}  // namespace nvqual::app
