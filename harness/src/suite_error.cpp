#include "nvqual/harness/suite_error.hpp"

#include <fmt/format.h>

namespace nvqual::harness {

std::string SourceMark::str() const {
  if (line <= 0) return file;
  if (column <= 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

SuiteError::SuiteError(SourceMark mark, const std::string& problem)
    : std::runtime_error(fmt::format("{}: {}", mark.str(), problem)), mark_(std::move(mark)), problem_(problem) {}

}  // namespace nvqual::harness
