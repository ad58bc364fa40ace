// yaml-cpp keeps every entry of a mapping but node[key] finds only the first,
// so a repeated key would silently lose its later value. Suites and model
// profiles both refuse one, anywhere in the file.
#pragma once

#include <map>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace nvqual::harness {

struct DuplicateKey {
  YAML::Node key;       // the second occurrence: where the error points
  std::string problem;  // names the first occurrence and the fix
};

inline std::optional<DuplicateKey> find_duplicate_key(const YAML::Node& node) {
  if (node.IsMap()) {
    std::map<std::string, YAML::Mark> seen;
    for (const auto& entry : node) {
      if (entry.first.IsScalar()) {
        const auto [first, inserted] = seen.emplace(entry.first.Scalar(), entry.first.Mark());
        if (!inserted) {
          return DuplicateKey{entry.first,
                              fmt::format("duplicate key '{}' (first at line {}, column {}): a key may appear once "
                                          "in a mapping; remove one or merge them",
                                          entry.first.Scalar(), first->second.line + 1, first->second.column + 1)};
        }
      }
      if (auto inner = find_duplicate_key(entry.second)) return inner;
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      if (auto inner = find_duplicate_key(item)) return inner;
    }
  }
  return std::nullopt;
}

}  // namespace nvqual::harness
