// A model profile (fixtures/models/*.yaml) says what one SSD model reports:
// Identify values, and golden digests of data its media carries. Checks with
// `model: KEY` compare against it; without --model those cases are skipped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <variant>

namespace nvqual::harness {

using ModelValue = std::variant<uint64_t, std::string>;

struct ModelProfile {
  std::string name;         // "model:" in the file
  std::string description;
  std::string path;
  // Flat keys "section.field": identify_controller.mn, identify_namespace.nsze,
  // golden.first_8_blocks (a SHA-256 hex string), ...
  std::map<std::string, ModelValue, std::less<>> values;

  const ModelValue* find(std::string_view key) const;
};

// Throws SuiteError (FILE:LINE:COLUMN) on a malformed profile.
ModelProfile load_model_profile(const std::filesystem::path& path);
// Resolves a bare name ("qemu-7.2") against fixtures/models/, else uses the path as given.
std::filesystem::path resolve_model_profile(const std::string& name_or_path);

}  // namespace nvqual::harness
