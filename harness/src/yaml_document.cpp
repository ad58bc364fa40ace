#include "yaml_document.hpp"

#include <vector>

#include <fmt/format.h>

#include "nvqual/harness/suite_error.hpp"

namespace nvqual::harness {

namespace {

SourceMark mark_of(const std::string& file, const YAML::Mark& m) { return SourceMark{file, m.line + 1, m.column + 1}; }

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

// yaml-cpp marks a quoted scalar at its opening quote: every scalar whose
// source starts with a quote must close before the end of the text.
void reject_unterminated_quotes(const YAML::Node& node, std::string_view text, const std::string& file) {
  if (node.IsScalar()) {
    const YAML::Mark m = node.Mark();
    const auto pos = static_cast<size_t>(m.pos);
    if (m.pos >= 0 && pos < text.size() && (text[pos] == '"' || text[pos] == '\'') && !closed(text, pos)) {
      throw SuiteError(mark_of(file, m),
                       fmt::format("YAML syntax error: the quoted scalar starting here has no closing {}: expected "
                                   "one before the end of the file",
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

// Where the second document starts: its content, or (an empty document) the
// first `---` / `...` line after the first document's start.
SourceMark second_document(const std::vector<YAML::Node>& docs, std::string_view text, const std::string& file) {
  if (!docs[1].IsNull()) return mark_of(file, docs[1].Mark());
  const int after = docs[0].Mark().line;
  int line = 0;
  for (size_t start = 0; start < text.size(); ++line) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view l = text.substr(start, end - start);
    const bool marker = (l.starts_with("---") || l.starts_with("...")) &&
                        (l.size() == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\r');
    if (marker && line > after) return SourceMark{file, line + 1, 1};
    start = end + 1;
  }
  return mark_of(file, docs[1].Mark());
}

}  // namespace

YAML::Node load_one_document(const std::string& text, const std::string& file_label, std::string_view what) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::ParserException& e) {
    throw SuiteError(mark_of(file_label, e.mark), fmt::format("YAML syntax error: {}", e.msg));
  }
  if (docs.size() > 1) {
    throw SuiteError(second_document(docs, text, file_label),
                     fmt::format("a second YAML document: {} is one document; remove the '---' and what follows, or "
                                 "put it in a file of its own",
                                 what));
  }
  YAML::Node root = docs.empty() ? YAML::Node() : docs.front();
  reject_unterminated_quotes(root, text, file_label);
  return root;
}

}  // namespace nvqual::harness
