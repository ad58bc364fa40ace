#include <fmt/format.h>

#include "marks.hpp"
#include "tree_checks.hpp"

namespace nvqual::yaml::detail {

namespace {

// True when the quoted scalar opening at text[open] has its closing quote.
// The rules are YAML 1.2's (7.3.1, 7.3.2): in "..." a backslash escapes the
// next character; in '...' a quote is escaped by doubling it.
bool closed(std::string_view text, size_t open) {
  const char quote = text[open];
  for (size_t i = open + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;
      } else {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

// yaml-cpp marks a quoted scalar at its opening quote: every scalar whose
// source starts with a quote must close before the end of the text.
void reject_unterminated_quotes(const YAML::Node& node, std::string_view text, const std::string& file) {
  if (node.IsScalar()) {
    const YAML::Mark m = node.Mark();
    const auto pos = static_cast<size_t>(m.pos);
    if (m.pos >= 0 && pos < text.size() && (text[pos] == '"' || text[pos] == '\'') && !closed(text, pos)) {
      throw error_at(file, m,
                     fmt::format("YAML syntax error: the quoted scalar starting here has no closing {}: expected one "
                                 "before the end of the file",
                                 text[pos]));
    }
  } else if (node.IsMap()) {
    for (const auto& entry : node) {
      reject_unterminated_quotes(entry.first, text, file);
      reject_unterminated_quotes(entry.second, text, file);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) reject_unterminated_quotes(item, text, file);
  }
}

}  // namespace nvqual::yaml::detail
