// Small helpers for building suite YAML in tests.
#pragma once

#include <string>

namespace nvqual::harness::testing {

// A valid one-case suite whose single step is `step_yaml` (indented as a list
// item under steps:); tests break one thing at a time from here.
inline std::string one_step_suite(const std::string& step_yaml, const std::string& case_extra = "") {
  return "suite: t\n"
         "area: test\n"
         "description: test suite\n"
         "spec: [Base 2.0 1]\n"
         "cases:\n"
         "  - id: T-1\n"
         "    title: a case\n"
         "    spec: Base 2.0 1\n"
         "    state: admin\n" +
         case_extra + "    steps:\n" + step_yaml;
}

}  // namespace nvqual::harness::testing
