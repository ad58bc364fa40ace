// Validates an XML file against the shared JUnit schemas with xmllint.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace nvqual::harness::testing {

inline std::filesystem::path schema_dir() {
  return std::filesystem::path(NVQUAL_SOURCE_DIR) / ".." / "shared" / "schemas";
}

// Returns xmllint's exit status (0: valid); output goes to the test log.
inline int xmllint(const std::filesystem::path& xml, const std::string& schema) {
  const std::string command = "xmllint --noout --schema '" + (schema_dir() / schema).string() + "' '" + xml.string() +
                              "' 2>&1";
  return std::system(command.c_str());
}

}  // namespace nvqual::harness::testing
