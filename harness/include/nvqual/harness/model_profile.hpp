// A model profile (fixtures/models/*.yaml) says what one SSD model reports:
// Identify values (exact, any of a list, or a glob/regex for text), its LBA
// formats, and golden digests of data its media carries (inline, or computed
// from a file under fixtures/golden/). Checks with `model: KEY` compare
// against it; without --model those cases are skipped. Format: suites/README.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "nvqual/harness/suite_error.hpp"

namespace nvqual::harness {

using ModelValue = std::variant<uint64_t, std::string>;

// What a profile says one observed value must be.
struct ModelExpectation {
  enum class Kind {
    kAnyOf,  // equal to one of `any_of` (one entry: plain equality); text ignores trailing spaces
    kGlob,   // text matching `pattern` (* ? [...], fnmatch rules)
    kRegex,  // text matching `pattern` as a whole (ECMAScript)
  };
  Kind kind = Kind::kAnyOf;
  std::vector<ModelValue> any_of;
  std::string pattern;
  std::shared_ptr<const std::regex> regex;  // compiled once, at load (kRegex)
  std::string origin;                       // golden data read from a file: that file, for messages
  SourceMark mark;                          // where the profile says it

  ModelExpectation() = default;
  // Implicit on purpose: a plain value is the common case (`values["k"] = 5`).
  ModelExpectation(ModelValue value) { any_of.push_back(std::move(value)); }
  ModelExpectation(uint64_t value) : ModelExpectation(ModelValue{value}) {}
  ModelExpectation(std::string value) : ModelExpectation(ModelValue{std::move(value)}) {}
  static ModelExpectation glob(std::string pattern);
  static ModelExpectation regex_of(std::string pattern);  // throws std::regex_error

  bool matches(uint64_t value) const;
  bool matches(std::string_view text) const;
  // "0x1b36 (6966)", "\"QEMU NVMe Ctrl\"", "one of {\"1.0\", \"1.1\"}", "glob \"QEMU*\"".
  std::string describe() const;
};

struct ModelProfile {
  std::string name;  // "model:" in the file
  std::string description;
  std::string path;
  // Flat keys "section.field": identify_controller.mn, identify_namespace.lba_formats,
  // golden.first_8_blocks (a SHA-256, lower-case hex), ...
  std::map<std::string, ModelExpectation, std::less<>> values;
  // Run-level health checks (health_reconciliation.hpp) this model is known
  // to fail for a reason a lab accepts, by check name, with that reason: a
  // relaxed check that fails is reported skipped, saying so (`relax:`).
  std::map<std::string, std::string, std::less<>> relaxed;

  const ModelExpectation* find(std::string_view key) const;
};

// One LBA format as Identify Namespace describes it (NVM Command Set 1.0, Figure 98).
struct LbaFormatSize {
  uint32_t data_size = 512;    // bytes (2^LBADS)
  uint32_t metadata_size = 0;  // bytes (MS)
};
// The text both the identify_namespace step (observation `lba_formats`) and a
// profile's identify_namespace.lba_formats are compared as: "512+0, 4096+8",
// data bytes + metadata bytes of formats 0..NLBAF, in order.
std::string lba_formats_text(std::span<const LbaFormatSize> formats);

// Throws SuiteError (FILE:LINE:COLUMN) on a malformed profile: unknown keys,
// keys that name no field of their Identify structure (a typo is an error, never
// a silently skipped check), values of the wrong kind, unreadable golden files.
ModelProfile load_model_profile(const std::filesystem::path& path);
// Resolves a bare name ("qemu-7.2") against find_data_dir("models"), else uses the path as given.
std::filesystem::path resolve_model_profile(const std::string& name_or_path);

}  // namespace nvqual::harness
