// Where nvqual finds the files it ships (suites, SSD model profiles, simulator
// profiles) at run time. One binary works from its build tree and installed
// (a .deb, `cmake --install`), so nothing may depend on the path it was built at.
#pragma once

#include <filesystem>
#include <string_view>

namespace nvqual {

// The directory `name` ("suites", "models", "sim") of nvqual's data, in this order:
// 1. $NVQUAL_DATA_DIR/name when NVQUAL_DATA_DIR is set and not empty (used as
//    given: a wrong value must show up as an error naming it, not be skipped);
// 2. <executable>/../share/nvqual/name when that directory exists (the
//    executable read from /proc/self/exe, so symbolic links and any current
//    directory work);
// 3. `source_tree_dir` when the executable lies inside a CMake build tree (a
//    CMakeCache.txt in one of its parent directories) and that directory
//    exists: running from the build tree uses the sources being edited;
// 4. otherwise the installed location of step 2, so the error that follows
//    names the place an installed nvqual looks.
std::filesystem::path find_data_dir(std::string_view name, const std::filesystem::path& source_tree_dir);

}  // namespace nvqual
