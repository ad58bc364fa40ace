// Loads fixtures/models/*.yaml strictly: a key that names no field, or a value
// of the wrong kind, is an error with FILE:LINE:COLUMN. A typo must never turn
// into a check that silently does not apply.
#include "nvqual/harness/model_profile.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <iterator>
#include <optional>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "nvqual/driver/data_dir.hpp"
#include "nvqual/harness/digest.hpp"
#include "nvqual/harness/health_reconciliation.hpp"
#include "nvqual/harness/step.hpp"
#include "yaml_document.hpp"

namespace nvqual::harness {

namespace {

// The Identify sections take their field names from the steps that observe
// them, so the profile accepts exactly what a suite can check.
constexpr const char* kIdentifySections[] = {"identify_controller", "identify_namespace"};

struct Reader {
  std::string file;
  std::filesystem::path directory;

  SourceMark mark(const YAML::Node& node) const {
    const YAML::Mark m = node.Mark();
    return m.is_null() ? SourceMark{file} : SourceMark{file, m.line + 1, m.column + 1};
  }
  [[noreturn]] void fail(const YAML::Node& node, const std::string& problem) const {
    throw SuiteError(mark(node), problem);
  }
};

std::optional<uint64_t> as_number(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() == "!" || s.empty()) return std::nullopt;  // quoted: text
  uint64_t v = 0;
  const bool hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  const char* begin = s.data() + (hex ? 2 : 0);
  const auto [end, ec] = std::from_chars(begin, s.data() + s.size(), v, hex ? 16 : 10);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

ModelValue number_value(const Reader& r, const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) r.fail(node, fmt::format("{} is a number field: expected a number or a list of numbers", key));
  const auto n = as_number(node);
  if (!n)
    r.fail(node, fmt::format("{} is a number field: '{}' is not a number (decimal or 0x hex)", key, node.Scalar()));
  return *n;
}

ModelExpectation pattern_value(const Reader& r, const YAML::Node& node, const std::string& key) {
  if (node.size() != 1) r.fail(node, fmt::format("{}: expected {{glob: PATTERN}} or {{regex: PATTERN}}", key));
  const auto entry = *node.begin();
  const std::string kind = entry.first.Scalar();
  if (!entry.second.IsScalar() || entry.second.Scalar().empty()) {
    r.fail(entry.second, fmt::format("{}: the {} pattern must be non-empty text", key, kind));
  }
  ModelExpectation e;
  if (kind == "glob") {
    e = ModelExpectation::glob(entry.second.Scalar());
  } else if (kind == "regex") {
    try {
      e = ModelExpectation::regex_of(entry.second.Scalar());
    } catch (const std::regex_error& error) {
      r.fail(entry.second, fmt::format("{}: not a valid regular expression: {}", key, error.what()));
    }
  } else {
    r.fail(entry.first, fmt::format("{}: unknown pattern kind '{}': expected glob or regex", key, kind));
  }
  return e;
}

ModelExpectation lba_formats_value(const Reader& r, const YAML::Node& node, const std::string& key) {
  if (!node.IsSequence() || node.size() == 0 || node.size() > 64) {
    r.fail(node, fmt::format("{}: expected a list of 1 to 64 formats, e.g. [{{data_size: 512}}, {{data_size: 4096, "
                             "metadata_size: 8}}]",
                             key));
  }
  std::vector<LbaFormatSize> formats;
  for (const auto& f : node) {
    if (!f.IsMap()) r.fail(f, fmt::format("{}: each format is {{data_size: N, metadata_size: M}}", key));
    LbaFormatSize size;
    bool has_data_size = false;
    for (const auto& field : f) {
      const std::string name = field.first.Scalar();
      if (name != "data_size" && name != "metadata_size") {
        r.fail(field.first, fmt::format("{}: unknown format key '{}': expected data_size, metadata_size", key, name));
      }
      // Read out as a plain value: GCC 12 at -O2 cannot see that every path
      // past the check has one (GCC bug 80635, -Wmaybe-uninitialized).
      const std::optional<uint64_t> parsed = field.second.IsScalar() ? as_number(field.second) : std::nullopt;
      if (!parsed || *parsed > 0xFFFFFFFF) {
        r.fail(field.second, fmt::format("{}: {} must be a number of bytes", key, name));
      }
      const uint64_t n = parsed.value_or(0);
      if (name == "data_size") {
        if (n < 512 || (n & (n - 1)) != 0)
          r.fail(field.second, fmt::format("{}: data_size must be a power of two >= 512", key));
        size.data_size = static_cast<uint32_t>(n);
        has_data_size = true;
      } else {
        size.metadata_size = static_cast<uint32_t>(n);
      }
    }
    if (!has_data_size) r.fail(f, fmt::format("{}: a format needs data_size", key));
    formats.push_back(size);
  }
  return ModelExpectation(lba_formats_text(formats));
}

ModelExpectation text_value(const Reader& r, const YAML::Node& node, const std::string& key) {
  if (node.IsMap()) return pattern_value(r, node, key);
  ModelExpectation e;
  if (node.IsScalar()) {
    e.any_of.emplace_back(node.Scalar());
  } else if (node.IsSequence() && node.size() > 0) {
    for (const auto& item : node) {
      if (!item.IsScalar()) r.fail(item, fmt::format("{}: a list of accepted texts holds only text", key));
      e.any_of.emplace_back(item.Scalar());
    }
  } else {
    r.fail(node,
           fmt::format("{} is a text field: expected text, a list of texts (any of) or {{glob|regex: PATTERN}}", key));
  }
  return e;
}

// golden.NAME: a SHA-256 inline, or {file: PATH} (relative to the profile) whose digest the harness computes.
ModelExpectation golden_value(const Reader& r, const YAML::Node& node, const std::string& key) {
  if (node.IsMap()) {
    if (node.size() != 1 || !node["file"] || !node["file"].IsScalar()) {
      r.fail(node, fmt::format("{}: expected {{file: PATH}} or a SHA-256 in hex", key));
    }
    const std::filesystem::path file = r.directory / node["file"].Scalar();
    ModelExpectation e;
    try {
      e = ModelExpectation(sha256_file(file));
    } catch (const std::exception& error) {
      r.fail(node["file"], fmt::format("{}: cannot read the golden file: {}", key, error.what()));
    }
    e.origin = file.lexically_normal().string();
    return e;
  }
  std::string digest = node.IsScalar() ? node.Scalar() : std::string();
  std::transform(digest.begin(), digest.end(), digest.begin(), [](unsigned char c) { return std::tolower(c); });
  if (digest.size() != 64 || !std::all_of(digest.begin(), digest.end(), ::isxdigit)) {
    r.fail(node, fmt::format("{}: expected a SHA-256 (64 hex digits) or {{file: PATH}}", key));
  }
  return ModelExpectation(digest);
}

std::string checkable_fields(const StepDefinition& step) {
  std::string names;
  for (const auto& o : step.observations) {
    if (o.kind == ValueKind::kNumber || o.kind == ValueKind::kText) names += (names.empty() ? "" : ", ") + o.name;
  }
  return names;
}

ModelExpectation read_entry(const Reader& r, const YAML::Node& key_node, const YAML::Node& value) {
  const std::string key = key_node.Scalar();
  const auto dot = key.find('.');
  const std::string section = dot == std::string::npos ? key : key.substr(0, dot);
  const std::string field = dot == std::string::npos ? "" : key.substr(dot + 1);
  if (dot == std::string::npos || field.empty()) {
    r.fail(key_node, fmt::format("'{}' is not a section.field key (e.g. identify_controller.mn)", key));
  }
  if (section == "golden") {
    if (!std::all_of(field.begin(), field.end(),
                     [](char c) { return std::islower(c) || std::isdigit(c) || c == '_'; })) {
      r.fail(key_node, fmt::format("'{}': golden names are lower case, digits and '_'", key));
    }
    return golden_value(r, value, key);
  }
  if (std::find(std::begin(kIdentifySections), std::end(kIdentifySections), section) == std::end(kIdentifySections)) {
    r.fail(key_node,
           fmt::format("unknown section '{}' in '{}': expected identify_controller, identify_namespace or golden",
                       section, key));
  }
  const StepDefinition* step = StepRegistry::instance().find(section);
  const ObservationSpec* observed = step == nullptr ? nullptr : step->observation(field);
  if (observed == nullptr || (observed->kind != ValueKind::kNumber && observed->kind != ValueKind::kText)) {
    r.fail(key_node, fmt::format("unknown field '{}' in '{}': expected one of {}", field, key,
                                 step == nullptr ? std::string("?") : checkable_fields(*step)));
  }
  if (field == "lba_formats") return lba_formats_value(r, value, key);
  if (observed->kind == ValueKind::kText) return text_value(r, value, key);
  ModelExpectation e;
  if (value.IsSequence() && value.size() > 0) {
    for (const auto& item : value) e.any_of.push_back(number_value(r, item, key));
  } else {
    e.any_of.push_back(number_value(r, value, key));
  }
  return e;
}

// relax: {CHECK: REASON, ...}: run-level health checks by name, each with why.
void read_relaxations(const Reader& r, const YAML::Node& node, ModelProfile& profile) {
  std::string names;
  for (const auto& c : health_checks()) names += (names.empty() ? "" : ", ") + std::string(c.name);
  if (!node.IsMap()) r.fail(node, "relax: expected a mapping of health check name: reason (" + names + ")");
  for (const auto& entry : node) {
    const std::string name = entry.first.Scalar();
    if (find_health_check(name) == nullptr) {
      r.fail(entry.first, fmt::format("relax: unknown health check '{}': expected one of {}", name, names));
    }
    if (!entry.second.IsScalar() || entry.second.Scalar().empty()) {
      r.fail(entry.second, fmt::format("relax.{}: say why the check is relaxed (non-empty text)", name));
    }
    profile.relaxed.emplace(name, entry.second.Scalar());
  }
}

}  // namespace

ModelProfile load_model_profile(const std::filesystem::path& path) {
  const Reader r{path.string(), path.parent_path()};
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path))
    throw SuiteError(SourceMark{r.file}, "cannot read the model profile: check the path (see fixtures/models/)");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const YAML::Node root = load_one_document(text, r.file, "a model profile");
  if (!root.IsMap())
    throw SuiteError(SourceMark{r.file, 1, 1}, "a model profile must be a mapping with model: and values:");
  ModelProfile profile;
  profile.path = r.file;
  for (const auto& entry : root) {
    const std::string key = entry.first.Scalar();
    if (key != "model" && key != "description" && key != "values" && key != "relax") {
      r.fail(entry.first, fmt::format("unknown key '{}': expected model, description, values, relax", key));
    }
  }
  if (!root["model"] || !root["model"].IsScalar() || root["model"].Scalar().empty()) {
    r.fail(root, "the profile needs model: NAME");
  }
  profile.name = root["model"].Scalar();
  if (root["description"]) profile.description = root["description"].Scalar();
  const YAML::Node values = root["values"];
  if (!values || !values.IsMap()) r.fail(root, "the profile needs values: a mapping of section.field: value");
  for (const auto& entry : values) {
    ModelExpectation e = read_entry(r, entry.first, entry.second);
    e.mark = r.mark(entry.first);
    profile.values.emplace(entry.first.Scalar(), std::move(e));  // keys are unique: load_one_document
  }
  if (root["relax"]) read_relaxations(r, root["relax"], profile);
  return profile;
}

std::filesystem::path resolve_model_profile(const std::string& name_or_path) {
  const std::filesystem::path as_path(name_or_path);
  if (std::filesystem::exists(as_path)) return as_path;
  const std::filesystem::path in_dir = find_data_dir("models", NVQUAL_MODEL_DIR) / (name_or_path + ".yaml");
  if (std::filesystem::exists(in_dir)) return in_dir;
  return as_path;  // load_model_profile names the problem
}

}  // namespace nvqual::harness
