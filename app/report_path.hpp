// The checks every report-writing subcommand makes on an output path before
// doing any work, so a typo costs nothing and no directory is created behind
// the user's back.
#pragma once

#include <string>
#include <string_view>

namespace nvqual::app {

// Throws UsageError when `path` names a directory, or its directory is missing
// or not writable. An empty path (option not given) passes.
void check_output_path(const std::string& path, std::string_view option);

}  // namespace nvqual::app
