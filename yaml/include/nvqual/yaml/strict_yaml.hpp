// The one strict YAML reader of nvqual: suites, model profiles and simulator
// profiles are all read through load_strict(), so they follow the same rules.
//
// yaml-cpp on its own is lenient where a conformance tool must not be:
//   - Load() silently drops everything after a second `---`;
//   - a mapping keeps both entries of a repeated key, but node[key] finds only
//     the first, so the later value is lost without a word;
//   - a quoted scalar with no closing quote runs to the end of the file and is
//     taken as if it were closed;
//   - aliases share nodes, so a few lines of nested aliases ("billion laughs")
//     expand to billions of nodes for anything that walks the tree.
// load_strict() refuses all four. nvqual's own files use no anchors or aliases,
// so refusing aliases outright bounds the work one file can cause to its size.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

namespace nvqual::yaml {

// A file that is not strict YAML. what() is one line, "FILE:LINE:COLUMN: problem",
// where the problem also says how to fix it.
class Error : public std::runtime_error {
 public:
  // `line` and `column` are 1-based; 0 when unknown.
  Error(std::string file, int line, int column, std::string problem);

  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  int line_;
  int column_;
  std::string problem_;
};

// Parses `text`, read from `file` (the name errors give), as exactly one YAML
// document. `what` says what one file holds ("a suite", "a model profile"),
// for the second-document message. Throws Error for a syntax error, an alias,
// a second document, an unterminated quoted scalar or a repeated key.
YAML::Node load_strict(std::string_view text, const std::string& file, std::string_view what);

}  // namespace nvqual::yaml
