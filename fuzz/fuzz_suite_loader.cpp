// The suite loader (harness/src/suite_loader.cpp and the files it is split
// into): any text is a loaded suite or one SuiteError naming a place in it.
// Anything else escaping, a crash or a sanitizer report is a finding.
#include "fuzz_input.hpp"
#include "nvqual/harness/suite_error.hpp"
#include "nvqual/harness/suite_loader.hpp"

using nvqual::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto suite = nvqual::harness::load_suite_text(nvqual::fuzz::as_text(data, size), "fuzz.yaml");
    require(!suite.name.empty(), "a loaded suite has a name");
  } catch (const nvqual::harness::SuiteError& error) {
    require(error.mark().file == "fuzz.yaml", "a SuiteError names the file it was given");
  }
  return 0;
}
