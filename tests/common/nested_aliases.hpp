// A "billion laughs" input: each level is a list naming the previous level ten
// times, and the last level is used as a value, so a few hundred bytes describe
// 10^levels nodes. The strict YAML reader must refuse it at once, at the first
// alias (line 2, column 10: "l1: &l1 [*l0, ..."), whatever file it is part of.
#pragma once

#include <string>

namespace nvqual::testing_support {

// Lines "l0: &l0 lol", "l1: &l1 [*l0, *l0, ...]", ... then "KEY: *lN". Meant to
// be the start of a top-level mapping.
inline std::string nested_aliases(const std::string& key, int levels = 9) {
  std::string text = "l0: &l0 lol\n";
  for (int level = 1; level <= levels; ++level) {
    const std::string previous = "*l" + std::to_string(level - 1);
    text += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) text += (i == 0 ? "" : ", ") + previous;
    text += "]\n";
  }
  return text + key + ": *l" + std::to_string(levels) + "\n";
}

// Where nested_aliases() puts its first alias, and the start of the message.
inline constexpr const char* kFirstAliasError = ":2:10: YAML alias '*l0': anchors and aliases are not accepted";

}  // namespace nvqual::testing_support
