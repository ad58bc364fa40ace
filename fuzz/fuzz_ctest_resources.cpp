// What ctest hands a hardware test (driver/vfio/src/ctest_resources.cpp;
// cmake-properties(7) RESOURCE_GROUPS): each input line NAME=VALUE is one
// environment variable. ctest_allocated_bdf over that environment, and
// parse_ctest_resource_allocation over each value, return or throw
// DriverError(kInvalidArgument); a resource id maps to a BDF only if the BDF
// maps back to the same id.
#include <map>
#include <string>

#include "fuzz_input.hpp"
#include "nvqual/driver/errors.hpp"
#include "nvqual/vfio/ctest_resources.hpp"

using namespace nvqual;
using nvqual::fuzz::require;

namespace {

template <typename F>
void returns_or_refuses(F f) {
  try {
    f();
  } catch (const DriverError& error) {
    require(error.kind() == ErrorKind::kInvalidArgument, "malformed CTest input is kInvalidArgument");
  }
}

void id_round_trip(std::string_view id) {
  if (const auto bdf = vfio::bdf_for_resource_id(id)) {
    require(vfio::resource_id_for_bdf(*bdf) == id, "a resource id's BDF maps back to the id");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::map<std::string, std::string, std::less<>> environment;
  const auto text = fuzz::as_text(data, size);
  for (size_t start = 0; start < text.size();) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const auto line = text.substr(start, end - start);
    const size_t equals = line.find('=');
    if (equals != std::string_view::npos) {
      // getenv's strings end at the first NUL, as the real environment's do.
      environment.emplace(std::string(line.substr(0, equals)).c_str(), std::string(line.substr(equals + 1)).c_str());
    }
    start = end + 1;
  }
  returns_or_refuses([&] {
    const auto bdf = vfio::ctest_allocated_bdf([&](const char* name) -> const char* {
      const auto it = environment.find(std::string_view(name));
      return it == environment.end() ? nullptr : it->second.c_str();
    });
    if (bdf) require(vfio::bdf_for_resource_id(vfio::resource_id_for_bdf(*bdf)) == bdf, "the BDF found round-trips");
  });
  // Not a structured binding: clang 14 cannot capture one in a lambda.
  for (const auto& variable : environment) {
    const std::string& value = variable.second;
    returns_or_refuses([&] {
      for (const auto& allocation : vfio::parse_ctest_resource_allocation(value)) id_round_trip(allocation.id);
    });
    returns_or_refuses([&] { (void)vfio::resource_id_for_bdf(value); });
    id_round_trip(value);
    id_round_trip(variable.first);
  }
  return 0;
}
