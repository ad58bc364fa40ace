#include "nvqual/vfio/ctest_resources.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "nvqual/driver/errors.hpp"
#include "nvqual/vfio/bdf.hpp"

namespace nvqual::vfio {
namespace {

[[noreturn]] void bad(const std::string& message) { throw DriverError(ErrorKind::kInvalidArgument, message); }

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// ctest sets CTEST_RESOURCE_GROUP_COUNT to the number of groups in a test's
// RESOURCE_GROUPS, a handful; the bound keeps a garbled count (-1 read as
// 2^32-1) from looping for hours (found by fuzz/fuzz_ctest_resources.cpp).
constexpr unsigned kMaxResourceGroups = 1024;

// The group count: decimal digits only, at most kMaxResourceGroups.
unsigned resource_group_count(std::string_view text) {
  const bool digits = !text.empty() && text.size() <= 9 &&
                      text.find_first_not_of("0123456789") == std::string_view::npos;
  const unsigned count = digits ? static_cast<unsigned>(std::stoul(std::string(text))) : kMaxResourceGroups + 1;
  if (count > kMaxResourceGroups) {
    bad(
        fmt::format("CTEST_RESOURCE_GROUP_COUNT='{}' is not a group count (0..{}): run the test through ctest "
                    "with a resource spec file, or unset it",
                    text, kMaxResourceGroups));
  }
  return count;
}

}  // namespace

std::string resource_id_for_bdf(std::string_view bdf) {
  // Appended, not "n" + string: GCC 12 at -O3 reports a false -Wrestrict in
  // that operator+ (GCC bug 105651), an error under -Werror.
  std::string id = "n";
  id += normalize_bdf(bdf);
  std::replace(id.begin(), id.end(), ':', '_');
  std::replace(id.begin(), id.end(), '.', '_');
  return id;
}

std::optional<std::string> bdf_for_resource_id(std::string_view id) {
  if (id.size() < 2 || id.front() != 'n') return std::nullopt;
  std::string text(id.substr(1));
  // domain_bus_device_function: the last '_' was the '.', the others ':'.
  const size_t last = text.rfind('_');
  if (last == std::string::npos) return std::nullopt;
  text[last] = '.';
  std::replace(text.begin(), text.end(), '_', ':');
  const auto bdf = try_normalize_bdf(text);
  // Only the canonical spelling round-trips: no short form, no upper case.
  if (!bdf || resource_id_for_bdf(*bdf) != id) return std::nullopt;
  return bdf;
}

std::vector<CtestResourceAllocation> parse_ctest_resource_allocation(std::string_view value) {
  std::vector<CtestResourceAllocation> allocations;
  for (const auto entry : split(value, ';')) {
    if (entry.empty()) continue;
    CtestResourceAllocation allocation;
    bool have_id = false;
    bool have_slots = false;
    for (const auto field : split(entry, ',')) {
      const size_t colon = field.find(':');
      const auto key = field.substr(0, colon);
      const auto val = colon == std::string_view::npos ? std::string_view{} : field.substr(colon + 1);
      if (key == "id" && !val.empty()) {
        allocation.id = std::string(val);
        have_id = true;
      } else if (key == "slots" && !val.empty() && val.find_first_not_of("0123456789") == std::string_view::npos &&
                 val.size() <= 9) {
        allocation.slots = static_cast<unsigned>(std::stoul(std::string(val)));
        have_slots = true;
      } else {
        bad(
            fmt::format("malformed CTest resource allocation '{}': expected id:<id>,slots:<n> (e.g. "
                        "id:n0000_01_00_0,slots:1)",
                        value));
      }
    }
    if (!have_id || !have_slots) {
      bad(fmt::format("malformed CTest resource allocation '{}': expected id:<id>,slots:<n>", value));
    }
    allocations.push_back(std::move(allocation));
  }
  return allocations;
}

std::optional<std::string> ctest_allocated_bdf(const EnvironmentLookup& getenv) {
  const char* count_text = getenv("CTEST_RESOURCE_GROUP_COUNT");
  if (count_text == nullptr) return std::nullopt;
  const unsigned count = resource_group_count(count_text);
  for (unsigned group = 0; group < count; ++group) {
    const std::string types_name = fmt::format("CTEST_RESOURCE_GROUP_{}", group);
    const char* types = getenv(types_name.c_str());
    if (types == nullptr) continue;
    const auto type_list = split(types, ',');
    if (std::find(type_list.begin(), type_list.end(), kCtestResourceType) == type_list.end()) continue;
    const std::string value_name = fmt::format("CTEST_RESOURCE_GROUP_{}_NVME", group);
    const char* value = getenv(value_name.c_str());
    if (value == nullptr) bad(fmt::format("{} names type nvme but {} is not set", types_name, value_name));
    for (const auto& allocation : parse_ctest_resource_allocation(value)) {
      if (auto bdf = bdf_for_resource_id(allocation.id)) return bdf;
      bad(
          fmt::format("{}: resource id '{}' does not encode a PCI address (expected e.g. n0000_01_00_0); regenerate "
                      "the spec with `nvqual devices --ctest-resources FILE`",
                      value_name, allocation.id));
    }
  }
  return std::nullopt;
}

std::string ctest_resource_spec_json(const std::vector<std::string>& bdfs) {
  // Ids are [a-z0-9_] only, so nothing needs JSON escaping.
  std::string entries;
  for (const auto& bdf : bdfs) {
    entries += fmt::format("{}\n        {{\"id\": \"{}\", \"slots\": 1}}", entries.empty() ? "" : ",",
                           resource_id_for_bdf(bdf));
  }
  return fmt::format(
      "{{\n  \"version\": {{\"major\": 1, \"minor\": 0}},\n  \"local\": [\n    {{\n      \"{}\": [{}{}]\n    }}\n  "
      "]\n}}\n",
      kCtestResourceType, entries, entries.empty() ? "" : "\n      ");
}

}  // namespace nvqual::vfio
