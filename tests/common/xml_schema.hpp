// Validates an XML file against the shared JUnit schemas (../shared/schemas,
// next to the source tree) with xmllint.
//
// A schema that is not there may only skip the validation where no schema can
// be expected: a checkout without ../shared, outside CI. When the environment
// variable CI is set, or ../shared exists, a missing schema is a test failure,
// so a report is never taken as valid because nobody could check it.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace nvqual::testing_schema {

inline std::filesystem::path shared_dir() { return std::filesystem::path(NVQUAL_SOURCE_DIR) / ".." / "shared"; }
inline std::filesystem::path schema_dir() { return shared_dir() / "schemas"; }
inline std::filesystem::path schema_path(const std::string& schema) { return schema_dir() / schema; }

// Why a missing schema must fail here, or empty when it may be skipped.
inline std::string schema_required_because() {
  if (std::getenv("CI") != nullptr) return "CI is set";
  if (std::filesystem::is_directory(shared_dir())) return shared_dir().string() + " exists";
  return "";
}

namespace detail {
inline void skip_missing(const std::filesystem::path& path) {
  GTEST_SKIP() << "no " << path << " (and neither CI nor " << shared_dir() << "): the report was not validated";
}
}  // namespace detail

// True when `schema` can be used. When it is missing: a failure (see above),
// else the test is marked skipped; the caller's other assertions still count.
[[nodiscard]] inline bool schema_available(const std::string& schema) {
  const auto path = schema_path(schema);
  if (std::filesystem::is_regular_file(path)) return true;
  const std::string required = schema_required_because();
  if (!required.empty()) {
    ADD_FAILURE() << "the schema " << path << " is missing, and it must be there because " << required;
  } else {
    detail::skip_missing(path);
  }
  return false;
}

// xmllint's exit status (0: valid); its output goes to the test log.
inline int xmllint(const std::filesystem::path& xml, const std::string& schema) {
  const std::string command = "xmllint --noout --schema '" + schema_path(schema).string() + "' '" + xml.string() +
                              "' 2>&1";
  return std::system(command.c_str());
}

// Validates `xml` against `schema` where the schema is available (see schema_available).
inline void expect_valid_against(const std::filesystem::path& xml, const std::string& schema) {
  if (!schema_available(schema)) return;
  if (xmllint(xml, schema) != 0) {
    std::ifstream in(xml, std::ios::binary);
    ADD_FAILURE() << xml << " is not valid against " << schema << ":\n" << in.rdbuf();
  }
}

}  // namespace nvqual::testing_schema
