// Suites and model profiles are one strict YAML document each (see
// nvqual/yaml/strict_yaml.hpp for the rules); this adapter raises the reader's
// errors as the harness's SuiteError, with the same FILE:LINE:COLUMN.
#pragma once

#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

namespace nvqual::harness {

// Parses `text` (from `file_label`; `what` is "a suite" or "a model profile").
// Throws SuiteError for a YAML syntax error, an alias, a second document, an
// unterminated quoted scalar or a repeated key.
YAML::Node load_one_document(std::string_view text, const std::string& file_label, std::string_view what);

}  // namespace nvqual::harness
