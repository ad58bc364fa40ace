// yaml-cpp marks are 0-based (and -1 when unknown); nvqual's errors are 1-based.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "nvqual/yaml/strict_yaml.hpp"

namespace nvqual::yaml::detail {

inline Error error_at(const std::string& file, const YAML::Mark& mark, std::string problem) {
  if (mark.is_null()) return Error(file, 0, 0, std::move(problem));
  return Error(file, mark.line + 1, mark.column + 1, std::move(problem));
}

}  // namespace nvqual::yaml::detail
