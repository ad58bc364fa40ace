// The node-level helpers every part of the suite loader uses (suite_loader.cpp,
// suite_step_parse.cpp, suite_check_parse.cpp): each reads one YAML node of a
// suite file or raises SuiteError at that node's FILE:LINE:COLUMN.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "nvqual/harness/expression.hpp"
#include "nvqual/harness/suite_error.hpp"

namespace nvqual::harness::detail {

// "a, b, c", for the lists of allowed names in messages.
std::string join(const std::vector<std::string>& items);

class SuiteReader {
 public:
  explicit SuiteReader(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  SourceMark mark(const YAML::Node& node) const;
  [[noreturn]] void fail(const YAML::Node& node, const std::string& problem) const;
  [[noreturn]] void fail(SourceMark where, const std::string& problem) const;

  void require_map(const YAML::Node& node, std::string_view what) const;
  void require_list(const YAML::Node& node, std::string_view what) const;
  // Every key of `map` is one of `allowed`.
  void check_keys(const YAML::Node& map, const std::vector<std::string>& allowed, std::string_view what) const;
  YAML::Node required(const YAML::Node& map, const std::string& key, std::string_view what) const;

  std::string text(const YAML::Node& node, std::string_view what) const;
  std::string nonempty_text(const YAML::Node& node, std::string_view what) const;
  bool boolean(const YAML::Node& node, std::string_view what) const;
  // One text, or a list of non-empty texts.
  std::vector<std::string> text_list(const YAML::Node& node, std::string_view what) const;

  // Parses an expression and checks every variable name against the catalog.
  Expression expression(const YAML::Node& node, std::string_view what) const;
  // An expression whose value, when it is a constant, lies in min..max.
  Expression bounded(const YAML::Node& node, std::string_view what, uint64_t min, uint64_t max) const;
  // Refuses variables that have no value where the expression is evaluated
  // (a case's queue settings are computed before the case, in order).
  void reject_names(const YAML::Node& node, const Expression& e, std::string_view what,
                    const std::vector<std::string>& unavailable, std::string_view why) const;

 private:
  std::string file_;
};

}  // namespace nvqual::harness::detail
