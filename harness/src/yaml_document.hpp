// Suites and model profiles are one YAML document each, parsed strictly.
// yaml-cpp's Load() silently drops everything after a second `---` and takes
// a double- or single-quoted scalar that runs to the end of the file (no
// closing quote, when a newline follows) as if it were closed; both are
// refused here, with FILE:LINE:COLUMN.
#pragma once

#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

namespace nvqual::harness {

// Parses `text` (from `file_label`; `what` is "a suite" or "a model profile").
// Throws SuiteError for a YAML syntax error, a second document or an
// unterminated quoted scalar.
YAML::Node load_one_document(const std::string& text, const std::string& file_label, std::string_view what);

}  // namespace nvqual::harness
