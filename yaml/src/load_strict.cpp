#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "alias_guard.hpp"
#include "marks.hpp"
#include "nvqual/yaml/strict_yaml.hpp"
#include "tree_checks.hpp"

namespace nvqual::yaml {

namespace {

// Where the second document starts: its content, or (an empty document) the
// first `---` / `...` line after the first document's start.
Error second_document(const std::vector<YAML::Node>& docs, std::string_view text, const std::string& file,
                      std::string_view what) {
  const std::string problem = fmt::format(
      "a second YAML document: {} is one document; remove the '---' and what follows, or put it in a file of its own",
      what);
  if (!docs[1].IsNull()) return detail::error_at(file, docs[1].Mark(), problem);
  const int after = docs[0].Mark().line;
  int line = 0;
  for (size_t start = 0; start < text.size(); ++line) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view l = text.substr(start, end - start);
    const bool marker = (l.starts_with("---") || l.starts_with("...")) &&
                        (l.size() == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\r');
    if (marker && line > after) return Error(file, line + 1, 1, problem);
    start = end + 1;
  }
  return detail::error_at(file, docs[1].Mark(), problem);
}

}  // namespace

YAML::Node load_strict(std::string_view text, const std::string& file, std::string_view what) {
  std::vector<YAML::Node> docs;
  try {
    // Aliases first: nothing below may walk a tree that aliases can blow up.
    detail::reject_aliases(text, file);
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::ParserException& e) {
    throw detail::error_at(file, e.mark, fmt::format("YAML syntax error: {}; expected well-formed YAML", e.msg));
  }
  if (docs.size() > 1) throw second_document(docs, text, file, what);
  YAML::Node root = docs.empty() ? YAML::Node() : docs.front();
  detail::reject_unterminated_quotes(root, text, file);
  detail::reject_duplicate_keys(root, file);
  return root;
}

}  // namespace nvqual::yaml
