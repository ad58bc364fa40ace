// Reads suites/*.yaml into Suite values, rejecting anything malformed before a
// device is touched: YAML syntax, unknown keys/steps/fields/variables, wrong
// types, missing keys, out-of-range constants and duplicate case ids each give
// a SuiteError with FILE:LINE:COLUMN and what was expected there.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "nvqual/harness/suite.hpp"

namespace nvqual::harness {

Suite load_suite_file(const std::filesystem::path& path);
// `file_label` is what messages call the file. When `expected_name` is set the
// suite's `suite:` key must equal it (files are named after their suite).
Suite load_suite_text(std::string_view text, const std::string& file_label, const std::string& expected_name = "");

// The shipped suites: $NVQUAL_SUITE_DIR if set, else find_data_dir("suites") (nvqual/driver/data_dir.hpp).
std::filesystem::path default_suite_dir();
// Every *.yaml in `dir`, sorted by name.
std::vector<std::filesystem::path> list_suite_files(const std::filesystem::path& dir);
// A suite name ("identify") is looked up in `dir`; anything with a '/' or a
// .yaml/.yml ending is a path. Throws SuiteError when nothing is there.
std::filesystem::path resolve_suite(const std::string& name_or_path, const std::filesystem::path& dir);

}  // namespace nvqual::harness
