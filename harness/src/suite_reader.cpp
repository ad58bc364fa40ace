#include "suite_reader.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "nvqual/harness/variables.hpp"

namespace nvqual::harness::detail {

namespace {

std::string_view node_type_name(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Null: return "nothing (null)";
    default: return "nothing";
  }
}

// Quoted scalars start one column later than their mark.
int quote_width(const YAML::Node& node) { return node.Tag() == "!" ? 1 : 0; }

}  // namespace

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

SourceMark SuiteReader::mark(const YAML::Node& node) const {
  const YAML::Mark m = node.Mark();
  if (m.is_null()) return SourceMark{file_, 0, 0};
  return SourceMark{file_, m.line + 1, m.column + 1};
}

void SuiteReader::fail(const YAML::Node& node, const std::string& problem) const {
  throw SuiteError(mark(node), problem);
}

void SuiteReader::fail(SourceMark where, const std::string& problem) const {
  throw SuiteError(std::move(where), problem);
}

void SuiteReader::require_map(const YAML::Node& node, std::string_view what) const {
  if (!node.IsMap()) fail(node, fmt::format("{} must be a mapping (key: value), found {}", what, node_type_name(node)));
}

void SuiteReader::require_list(const YAML::Node& node, std::string_view what) const {
  if (!node.IsSequence()) fail(node, fmt::format("{} must be a list, found {}", what, node_type_name(node)));
}

void SuiteReader::check_keys(const YAML::Node& map, const std::vector<std::string>& allowed,
                             std::string_view what) const {
  for (const auto& entry : map) {
    const auto key = entry.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      fail(entry.first, fmt::format("unknown key '{}' in {}: expected one of {}", key, what, join(allowed)));
    }
  }
}

YAML::Node SuiteReader::required(const YAML::Node& map, const std::string& key, std::string_view what) const {
  const YAML::Node node = map[key];
  if (!node) fail(map, fmt::format("{} has no '{}': it is required", what, key));
  return node;
}

std::string SuiteReader::text(const YAML::Node& node, std::string_view what) const {
  if (!node.IsScalar()) fail(node, fmt::format("{} must be text, found {}", what, node_type_name(node)));
  return node.Scalar();
}

std::string SuiteReader::nonempty_text(const YAML::Node& node, std::string_view what) const {
  std::string value = text(node, what);
  if (value.empty()) fail(node, fmt::format("{} must not be empty", what));
  return value;
}

bool SuiteReader::boolean(const YAML::Node& node, std::string_view what) const {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    if (s == "true") return true;
    if (s == "false") return false;
  }
  fail(node, fmt::format("{} must be true or false, found '{}'", what, node.IsScalar() ? node.Scalar() : "?"));
}

std::vector<std::string> SuiteReader::text_list(const YAML::Node& node, std::string_view what) const {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
    return out;
  }
  require_list(node, what);
  for (const auto& item : node) out.push_back(nonempty_text(item, what));
  return out;
}

Expression SuiteReader::expression(const YAML::Node& node, std::string_view what) const {
  if (!node.IsScalar())
    fail(node,
         fmt::format("{} must be an expression (a number or e.g. 'nsze - 1'), found {}", what, node_type_name(node)));
  SourceMark where = mark(node);
  try {
    Expression e = Expression::parse(node.Scalar());
    for (size_t i = 0; i < e.names().size(); ++i) {
      if (!is_known_variable(e.names()[i])) {
        where.column += quote_width(node) + static_cast<int>(e.name_offsets()[i]);
        fail(where, fmt::format("unknown variable '{}' in {} '{}': expected one of {}", e.names()[i], what,
                                node.Scalar(), known_variable_names()));
      }
    }
    return e;
  } catch (const ExpressionError& e) {
    where.column += quote_width(node) + static_cast<int>(e.offset());
    fail(where, fmt::format("bad {} '{}': {}", what, node.Scalar(), e.what()));
  }
}

Expression SuiteReader::bounded(const YAML::Node& node, std::string_view what, uint64_t min, uint64_t max) const {
  Expression e = expression(node, what);
  if (const auto v = e.constant_value(); v && (*v < min || *v > max)) {
    fail(node, fmt::format("{} = {} is out of range: expected {}..{}", what, *v, min, max));
  }
  return e;
}

void SuiteReader::reject_names(const YAML::Node& node, const Expression& e, std::string_view what,
                               const std::vector<std::string>& unavailable, std::string_view why) const {
  for (size_t i = 0; i < e.names().size(); ++i) {
    if (std::find(unavailable.begin(), unavailable.end(), e.names()[i]) == unavailable.end()) continue;
    SourceMark where = mark(node);
    where.column += quote_width(node) + static_cast<int>(e.name_offsets()[i]);
    fail(where, fmt::format("'{}' cannot be used in {} '{}': {}", e.names()[i], what, node.Scalar(), why));
  }
}

}  // namespace nvqual::harness::detail
