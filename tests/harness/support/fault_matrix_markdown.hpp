// Renders the fault matrix (docs/fault-matrix.md): which faulty simulated
// devices make which shipped cases fail. The faulty-device test builds the
// facts and compares this text with the file, so the table in docs/ is the one
// CI last proved.
#pragma once

#include <map>
#include <set>
#include <string>

namespace nvqual::harness::testing {

struct FaultMatrix {
  struct CaseRow {
    std::string caught_through;  // "written check", "implicit check" or "error only"
    std::set<std::string> faults;
  };
  struct FaultRow {
    int exit_code = 0;
    std::set<std::string> cases;
    std::string why_no_case;  // shown when no case catches it (a conforming edge, refused at start)
  };
  std::map<std::string, CaseRow> cases;    // every shipped case id
  std::map<std::string, FaultRow> faults;  // every fault profile and register fault
  size_t written_checks = 0;
  size_t written_checks_failing = 0;
  size_t written_checks_unreachable = 0;
};

std::string fault_matrix_markdown(const FaultMatrix& matrix);

}  // namespace nvqual::harness::testing
