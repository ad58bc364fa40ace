// Refuses YAML aliases before any node tree is built.
#pragma once

#include <string>
#include <string_view>

namespace nvqual::yaml::detail {

// Runs the parser over every document of `text` without building nodes and
// throws Error at the first alias (`*name`). A YAML syntax error surfaces here
// as YAML::ParserException.
void reject_aliases(std::string_view text, const std::string& file);

}  // namespace nvqual::yaml::detail
