// Checks over a loaded document that yaml-cpp does not make. Both walk the
// whole tree once; with aliases refused first, that is bounded by the file's size.
#pragma once

#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

namespace nvqual::yaml::detail {

// yaml-cpp keeps every entry of a mapping but node[key] finds only the first,
// so a repeated key would silently lose its later value. Throws Error at the
// second occurrence of the first repeated key, naming the first.
void reject_duplicate_keys(const YAML::Node& root, const std::string& file);

// yaml-cpp takes a double- or single-quoted scalar that runs to the end of the
// file (no closing quote, when a newline follows) as if it were closed. Throws
// Error at the opening quote of the first such scalar.
void reject_unterminated_quotes(const YAML::Node& root, std::string_view text, const std::string& file);

}  // namespace nvqual::yaml::detail
