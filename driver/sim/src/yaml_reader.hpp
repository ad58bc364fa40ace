// Reading the sections of a profile that nvqual::yaml::load_strict() loaded
// (one document, no repeated keys or aliases): every error names
// file:line:column, what is wrong and what was expected; unknown keys are errors.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace nvqual::sim::detail {

class YamlSource {
 public:
  explicit YamlSource(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }
  // Throws ProfileError "NAME:LINE:COL: problem; expected".
  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& problem, const std::string& expected) const;

 private:
  std::string name_;
};

// Scalar conversions of one node; `what` names the field in messages.
uint64_t read_uint(const YamlSource& src, const YAML::Node& node, const std::string& what, uint64_t min, uint64_t max);
bool read_bool(const YamlSource& src, const YAML::Node& node, const std::string& what);
std::string read_string(const YamlSource& src, const YAML::Node& node, const std::string& what);
// A sequence node (possibly empty).
void require_sequence(const YamlSource& src, const YAML::Node& node, const std::string& what);
// Hex digits with optional '-' or ':' separators, exactly `bytes` bytes.
std::vector<uint8_t> read_hex_bytes(const YamlSource& src, const YAML::Node& node, const std::string& what,
                                    size_t bytes);

// One YAML mapping. Keys are looked up by name; finish() rejects any key that
// was never looked up, listing the ones that are allowed.
class MapReader {
 public:
  MapReader(const YamlSource& src, const YAML::Node& node, std::string what);

  const YamlSource& source() const { return src_; }
  const std::string& what() const { return what_; }
  YAML::Mark mark() const { return node_.Mark(); }
  bool has(const std::string& key);

  YAML::Node required(const std::string& key);
  std::optional<YAML::Node> optional(const std::string& key);

  uint64_t uint(const std::string& key, uint64_t min, uint64_t max);
  uint64_t uint_or(const std::string& key, uint64_t min, uint64_t max, uint64_t default_value);
  bool flag_or(const std::string& key, bool default_value);
  std::string text(const std::string& key);
  std::string text_or(const std::string& key, const std::string& default_value);

  // "registers.mqes"
  std::string field(const std::string& key) const { return what_.empty() ? key : what_ + "." + key; }
  void finish();

 private:
  YAML::Node lookup(const std::string& key) const;

  const YamlSource& src_;
  YAML::Node node_;
  std::string what_;
  std::set<std::string> known_;
};

}  // namespace nvqual::sim::detail
