#include <map>

#include <fmt/format.h>

#include "marks.hpp"
#include "tree_checks.hpp"

namespace nvqual::yaml::detail {

void reject_duplicate_keys(const YAML::Node& node, const std::string& file) {
  if (node.IsMap()) {
    std::map<std::string, YAML::Mark> seen;
    for (const auto& entry : node) {
      if (entry.first.IsScalar()) {
        const auto [first, inserted] = seen.emplace(entry.first.Scalar(), entry.first.Mark());
        if (!inserted) {
          throw error_at(file, entry.first.Mark(),
                         fmt::format("duplicate key '{}' (first at line {}, column {}): a key may appear once in a "
                                     "mapping; remove one or merge them",
                                     entry.first.Scalar(), first->second.line + 1, first->second.column + 1));
        }
      }
      reject_duplicate_keys(entry.second, file);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) reject_duplicate_keys(item, file);
  }
}

}  // namespace nvqual::yaml::detail
