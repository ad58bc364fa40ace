// Where a problem in a suite or model profile file is, and what was expected.
// Every load-time error names FILE:LINE:COLUMN so an author can jump to it.
#pragma once

#include <stdexcept>
#include <string>

namespace nvqual::harness {

struct SourceMark {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown

  // "suites/identify.yaml:12:7", or just the file when the position is unknown.
  std::string str() const;
};

// A suite, model profile or expression that cannot be used. Raised before any
// device access, so a bad suite never half-runs.
class SuiteError : public std::runtime_error {
 public:
  SuiteError(SourceMark mark, const std::string& problem);
  const SourceMark& mark() const { return mark_; }
  const std::string& problem() const { return problem_; }

 private:
  SourceMark mark_;
  std::string problem_;
};

// A value that only turns out to be unusable while a case runs (an expression
// dividing by zero, an argument out of range for this device). The case is an error.
class CaseInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace nvqual::harness
