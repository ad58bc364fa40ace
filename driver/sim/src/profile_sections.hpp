// The readers of a profile's sections, one file per group: section_parse.cpp
// (registers, timing, queues, controller, health), namespace_parse.cpp,
// fault_parse.cpp and fault_targets.cpp. profile_parse.cpp puts them together.
// Each reads one MapReader and stops the load at the node that is wrong.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>

#include "nvqual/sim/profile.hpp"
#include "yaml_reader.hpp"

namespace nvqual::sim::detail {

inline constexpr uint64_t kU8 = std::numeric_limits<uint8_t>::max();
inline constexpr uint64_t kU16 = std::numeric_limits<uint16_t>::max();
inline constexpr uint64_t kU32 = std::numeric_limits<uint32_t>::max();
inline constexpr uint64_t kU64 = std::numeric_limits<uint64_t>::max();

RegisterProfile parse_registers(MapReader map);
TimingProfile parse_timing(MapReader map);
QueueProfile parse_queues(MapReader map);
ControllerProfile parse_controller(MapReader map, uint32_t register_version);
HealthProfile parse_health(MapReader map);

// A relative backing file is taken from `base_dir`, the profile's directory.
NamespaceProfile parse_namespace(MapReader map, const std::filesystem::path& base_dir);

Fault parse_fault(MapReader map);
// Rules that tie faults to namespaces, checked once both are known; `faults`
// is the profile's faults node, for positions.
void check_fault_targets(const YamlSource& src, const YAML::Node& faults, const Profile& profile);

}  // namespace nvqual::sim::detail
