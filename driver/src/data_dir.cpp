#include "nvqual/driver/data_dir.hpp"

#include <cstdlib>
#include <system_error>

namespace nvqual {

namespace {

std::filesystem::path executable_path() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe;
}

// A build tree, not an installed prefix: CMake leaves CMakeCache.txt at the top
// of every build directory, and an install never copies it.
bool inside_build_tree(const std::filesystem::path& exe) {
  std::error_code ec;
  for (std::filesystem::path dir = exe.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (std::filesystem::is_regular_file(dir / "CMakeCache.txt", ec)) return true;
    if (dir == dir.root_path()) break;
  }
  return false;
}

}  // namespace

std::filesystem::path find_data_dir(std::string_view name, const std::filesystem::path& source_tree_dir) {
  if (const char* dir = std::getenv("NVQUAL_DATA_DIR"); dir != nullptr && *dir != '\0') {
    return std::filesystem::path(dir) / name;
  }
  const std::filesystem::path exe = executable_path();
  // <prefix>/bin/nvqual -> <prefix>/share/nvqual/<name> (GNU layout, Debian's /usr).
  const std::filesystem::path installed = exe.parent_path().parent_path() / "share" / "nvqual" / name;
  std::error_code ec;
  if (!exe.empty() && std::filesystem::is_directory(installed, ec)) return installed;
  if (inside_build_tree(exe) && std::filesystem::is_directory(source_tree_dir, ec)) return source_tree_dir;
  return installed;
}

}  // namespace nvqual
