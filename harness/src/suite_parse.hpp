// The parts of a suite below a case, one file each: a step call with its
// arguments (suite_step_parse.cpp) and one expectation with its operands
// (suite_check_parse.cpp). suite_loader.cpp reads the suite and its cases.
#pragma once

#include <set>
#include <string>

#include <yaml-cpp/yaml.h>

#include "nvqual/harness/suite.hpp"
#include "suite_reader.hpp"

namespace nvqual::harness::detail {

// One entry of a case's `steps:`, with the implicit status and unwritten-bytes
// checks a step gets when the suite does not name them. `saved` holds what the
// case's earlier steps saved; a `save:` adds to it.
StepCall parse_step(const SuiteReader& r, const YAML::Node& node, Case& test_case, std::set<std::string>& saved);

// One entry of a step's `expect:`. `same_as` may name only what `saved` holds.
Check parse_check(const SuiteReader& r, const YAML::Node& node, const StepDefinition& def, Case& test_case,
                  const std::set<std::string>& saved);

}  // namespace nvqual::harness::detail
