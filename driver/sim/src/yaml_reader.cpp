#include "yaml_reader.hpp"

#include <cctype>
#include <charconv>

#include "nvqual/sim/profile.hpp"

namespace nvqual::sim::detail {

namespace {

std::string kind_name(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return "'" + node.Scalar() + "'";
    default: return "an undefined value";
  }
}

std::string join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::optional<uint64_t> parse_unsigned(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (c != '_') digits += c;  // 1_048_576 reads better in a profile
  }
  int base = 10;
  std::string_view view(digits);
  if (view.size() > 2 && view[0] == '0' && (view[1] == 'x' || view[1] == 'X')) {
    base = 16;
    view.remove_prefix(2);
  }
  if (view.empty()) return std::nullopt;
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), value, base);
  if (ec != std::errc{} || end != view.data() + view.size()) return std::nullopt;
  return value;
}

}  // namespace

void YamlSource::fail(const YAML::Mark& mark, const std::string& problem, const std::string& expected) const {
  const int line = mark.is_null() ? 0 : mark.line + 1;
  const int column = mark.is_null() ? 0 : mark.column + 1;
  throw ProfileError(name_ + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + problem + "; " +
                     expected);
}

uint64_t read_uint(const YamlSource& src, const YAML::Node& node, const std::string& what, uint64_t min, uint64_t max) {
  const std::string range = "expected an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!node.IsScalar()) src.fail(node.Mark(), what + " is " + kind_name(node), range);
  const auto value = parse_unsigned(node.Scalar());
  if (!value)
    src.fail(node.Mark(), what + " is '" + node.Scalar() + "', not an integer", range + " (decimal or 0x hex)");
  if (*value < min || *value > max) src.fail(node.Mark(), what + " is " + node.Scalar() + ", out of range", range);
  return *value;
}

bool read_bool(const YamlSource& src, const YAML::Node& node, const std::string& what) {
  if (node.IsScalar() && node.Scalar() == "true") return true;
  if (node.IsScalar() && node.Scalar() == "false") return false;
  src.fail(node.Mark(), what + " is " + kind_name(node), "expected true or false");
}

std::string read_string(const YamlSource& src, const YAML::Node& node, const std::string& what) {
  if (!node.IsScalar()) src.fail(node.Mark(), what + " is " + kind_name(node), "expected a string");
  return node.Scalar();
}

void require_sequence(const YamlSource& src, const YAML::Node& node, const std::string& what) {
  if (!node.IsSequence()) src.fail(node.Mark(), what + " is " + kind_name(node), "expected a list");
}

std::vector<uint8_t> read_hex_bytes(const YamlSource& src, const YAML::Node& node, const std::string& what,
                                    size_t bytes) {
  const std::string expected = "expected " + std::to_string(bytes * 2) +
                               " hex digits, optionally separated by '-' or ':'";
  const std::string text = read_string(src, node, what);
  std::string digits;
  for (char c : text) {
    if (c == '-' || c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) src.fail(node.Mark(), what + " has '" + c + "'", expected);
    digits += c;
  }
  if (digits.size() != bytes * 2) {
    src.fail(node.Mark(), what + " has " + std::to_string(digits.size()) + " hex digits", expected);
  }
  std::vector<uint8_t> out(bytes);
  for (size_t i = 0; i < bytes; ++i) {
    std::from_chars(digits.data() + 2 * i, digits.data() + 2 * i + 2, out[i], 16);
  }
  return out;
}

MapReader::MapReader(const YamlSource& src, const YAML::Node& node, std::string what)
    : src_(src), node_(node), what_(std::move(what)) {
  if (!node_.IsMap()) {
    src_.fail(node_.Mark(), (what_.empty() ? std::string("the profile") : what_) + " is " + kind_name(node_),
              "expected a mapping of keys to values");
  }
  // Repeated keys never get here: the strict reader refuses them at load.
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (!it->first.IsScalar())
      src_.fail(it->first.Mark(), "a key in " + what_ + " is not a name", "expected a plain key");
  }
}

// Through a const node: a non-const operator[] would add the key to the map.
YAML::Node MapReader::lookup(const std::string& key) const {
  const YAML::Node& map = node_;
  return map[key];
}

bool MapReader::has(const std::string& key) {
  known_.insert(key);
  return static_cast<bool>(lookup(key));
}

YAML::Node MapReader::required(const std::string& key) {
  known_.insert(key);
  const YAML::Node value = lookup(key);
  if (!value) {
    src_.fail(node_.Mark(), "missing field '" + field(key) + "'",
              "expected '" + key + "' in " + (what_.empty() ? std::string("the top level") : what_));
  }
  return value;
}

std::optional<YAML::Node> MapReader::optional(const std::string& key) {
  known_.insert(key);
  const YAML::Node value = lookup(key);
  if (!value) return std::nullopt;
  return value;
}

uint64_t MapReader::uint(const std::string& key, uint64_t min, uint64_t max) {
  return read_uint(src_, required(key), field(key), min, max);
}

uint64_t MapReader::uint_or(const std::string& key, uint64_t min, uint64_t max, uint64_t default_value) {
  const auto value = optional(key);
  return value ? read_uint(src_, *value, field(key), min, max) : default_value;
}

bool MapReader::flag_or(const std::string& key, bool default_value) {
  const auto value = optional(key);
  return value ? read_bool(src_, *value, field(key)) : default_value;
}

std::string MapReader::text(const std::string& key) { return read_string(src_, required(key), field(key)); }

std::string MapReader::text_or(const std::string& key, const std::string& default_value) {
  const auto value = optional(key);
  return value ? read_string(src_, *value, field(key)) : default_value;
}

void MapReader::finish() {
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string key = it->first.Scalar();
    if (known_.count(key) == 0) {
      src_.fail(it->first.Mark(), "unknown key '" + field(key) + "'", "expected one of: " + join(known_));
    }
  }
}

}  // namespace nvqual::sim::detail
