// The names a suite expression may use. Device facts are probed once per run
// (after a reset, Identify and Number of Queues), so suites say `nsze - 1` and
// never hard-code a device's geometry. The loader rejects any other name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nvqual::harness {

struct VariableInfo {
  std::string name;
  std::string description;
};

// Every variable, in documentation order (suites/README.md lists the same).
const std::vector<VariableInfo>& known_variables();
bool is_known_variable(std::string_view name);
// "nsze, ncap, ..." for error messages.
std::string known_variable_names();

}  // namespace nvqual::harness
