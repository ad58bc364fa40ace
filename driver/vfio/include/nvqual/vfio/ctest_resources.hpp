// CTest resource allocation for hardware labs (cmake-properties(7),
// RESOURCE_GROUPS): `nvqual devices --ctest-resources FILE` writes a spec
// naming each vfio-bound controller; ctest hands a test one through
// CTEST_RESOURCE_GROUP_<i>_NVME=id:n0000_01_00_0,slots:1 and the test maps
// the id back to the BDF. Ids must match ^[a-z0-9_]+$, hence the encoding.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nvqual::vfio {

inline constexpr std::string_view kCtestResourceType = "nvme";

// "0000:01:00.0" (or "01:00.0") -> "n0000_01_00_0". Throws
// DriverError(kInvalidArgument) for a malformed BDF.
std::string resource_id_for_bdf(std::string_view bdf);

// "n0000_01_00_0" -> "0000:01:00.0"; nullopt for anything
// resource_id_for_bdf would not have produced.
std::optional<std::string> bdf_for_resource_id(std::string_view id);

struct CtestResourceAllocation {
  std::string id;
  unsigned slots = 0;
};

// Parses "id:n0000_01_00_0,slots:1" (several joined by ';' when a group asks
// for more than one). Throws DriverError(kInvalidArgument) when malformed.
std::vector<CtestResourceAllocation> parse_ctest_resource_allocation(std::string_view value);

// The BDF of the first nvme resource ctest allocated to this test, found
// through CTEST_RESOURCE_GROUP_COUNT, CTEST_RESOURCE_GROUP_<i> and
// CTEST_RESOURCE_GROUP_<i>_NVME; nullopt when ctest allocated none (no spec
// file in use). Throws kInvalidArgument for a malformed variable or id.
using EnvironmentLookup = std::function<const char*(const char*)>;
std::optional<std::string> ctest_allocated_bdf(const EnvironmentLookup& getenv);

// The resource spec file for `bdfs`, one slot each:
// {"version":{"major":1,"minor":0},"local":[{"nvme":[{"id":"n0000_01_00_0","slots":1}]}]}
std::string ctest_resource_spec_json(const std::vector<std::string>& bdfs);

}  // namespace nvqual::vfio
