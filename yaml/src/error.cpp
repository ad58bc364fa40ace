#include <fmt/format.h>

#include "nvqual/yaml/strict_yaml.hpp"

namespace nvqual::yaml {

namespace {

std::string located(const std::string& file, int line, int column, const std::string& problem) {
  if (line <= 0) return fmt::format("{}: {}", file, problem);
  if (column <= 0) return fmt::format("{}:{}: {}", file, line, problem);
  return fmt::format("{}:{}:{}: {}", file, line, column, problem);
}

}  // namespace

Error::Error(std::string file, int line, int column, std::string problem)
    : std::runtime_error(located(file, line, column, problem)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      problem_(std::move(problem)) {}

}  // namespace nvqual::yaml
