// Model profiles (harness/src/model_profile.cpp): any file is a loaded profile
// or one SuiteError. The loader reads only from a path (golden files resolve
// next to the profile), so each input is written to one file in a private
// temporary directory first.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_input.hpp"
#include "nvqual/harness/model_profile.hpp"
#include "nvqual/harness/suite_error.hpp"

using nvqual::fuzz::require;

namespace {

std::filesystem::path profile_path;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::string dir = (std::filesystem::temp_directory_path() / "nvqual-fuzz-model-XXXXXX").string();
  require(mkdtemp(dir.data()) != nullptr, "a private temporary directory can be made");
  profile_path = std::filesystem::path(dir) / "profile.yaml";
  // One file, removed with its directory when the fuzzer exits.
  static const std::filesystem::path cleanup = dir;
  std::atexit([] { std::filesystem::remove_all(cleanup); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  {
    std::ofstream out(profile_path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    require(static_cast<bool>(out), "the input can be written to the temporary file");
  }
  try {
    const auto profile = nvqual::harness::load_model_profile(profile_path);
    require(!profile.name.empty(), "a loaded profile has a model name");
  } catch (const nvqual::harness::SuiteError& error) {
    require(error.mark().file == profile_path.string(), "a SuiteError names the profile file");
  }
  return 0;
}
