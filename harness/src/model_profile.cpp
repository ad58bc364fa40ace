#include "nvqual/harness/model_profile.hpp"

#include <charconv>
#include <regex>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "nvqual/harness/suite_error.hpp"

namespace nvqual::harness {

namespace {

SourceMark mark_of(const std::string& file, const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  return m.is_null() ? SourceMark{file} : SourceMark{file, m.line + 1, m.column + 1};
}

// Numbers are decimal or 0x hex; anything quoted, or not a number, is text.
ModelValue to_model_value(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() != "!" && !s.empty()) {
    uint64_t v = 0;
    const bool hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const char* begin = s.data() + (hex ? 2 : 0);
    const auto [end, ec] = std::from_chars(begin, s.data() + s.size(), v, hex ? 16 : 10);
    if (ec == std::errc{} && end == s.data() + s.size()) return v;
  }
  return s;
}

}  // namespace

const ModelValue* ModelProfile::find(std::string_view key) const {
  const auto it = values.find(key);
  return it == values.end() ? nullptr : &it->second;
}

ModelProfile load_model_profile(const std::filesystem::path& path) {
  const std::string file = path.string();
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::BadFile&) {
    throw SuiteError(SourceMark{file}, "cannot read the model profile: check the path (see fixtures/models/)");
  } catch (const YAML::ParserException& e) {
    throw SuiteError(SourceMark{file, e.mark.line + 1, e.mark.column + 1}, fmt::format("YAML syntax error: {}", e.msg));
  }
  if (!root.IsMap()) throw SuiteError(SourceMark{file, 1, 1}, "a model profile must be a mapping with model: and values:");
  ModelProfile profile;
  profile.path = file;
  for (const auto& entry : root) {
    const std::string key = entry.first.Scalar();
    if (key != "model" && key != "description" && key != "values") {
      throw SuiteError(mark_of(file, entry.first), fmt::format("unknown key '{}': expected model, description, values", key));
    }
  }
  if (!root["model"] || !root["model"].IsScalar() || root["model"].Scalar().empty()) {
    throw SuiteError(mark_of(file, root), "the profile needs model: NAME");
  }
  profile.name = root["model"].Scalar();
  if (root["description"]) profile.description = root["description"].Scalar();
  const YAML::Node values = root["values"];
  if (!values || !values.IsMap()) throw SuiteError(mark_of(file, root), "the profile needs values: a mapping of section.field: value");
  static const std::regex kKey("[a-z0-9_]+\\.[a-z0-9_]+");
  for (const auto& entry : values) {
    const std::string key = entry.first.Scalar();
    if (!std::regex_match(key, kKey)) {
      throw SuiteError(mark_of(file, entry.first),
                       fmt::format("'{}' is not a section.field key (e.g. identify_controller.mn)", key));
    }
    if (!entry.second.IsScalar()) {
      throw SuiteError(mark_of(file, entry.second), fmt::format("{} must be a number or text", key));
    }
    profile.values.emplace(key, to_model_value(entry.second));
  }
  return profile;
}

std::filesystem::path resolve_model_profile(const std::string& name_or_path) {
  const std::filesystem::path as_path(name_or_path);
  if (std::filesystem::exists(as_path)) return as_path;
  const std::filesystem::path in_dir = std::filesystem::path(NVQUAL_MODEL_DIR) / (name_or_path + ".yaml");
  if (std::filesystem::exists(in_dir)) return in_dir;
  return as_path;  // load_model_profile names the problem
}

}  // namespace nvqual::harness
