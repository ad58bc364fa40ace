#include "nvqual/vfio/iommu_group.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sysfs_file.hpp"

namespace nvqual::vfio {

bool driver_keeps_group_viable(const std::optional<std::string>& driver) {
  if (!driver) return true;
  // drivers/vfio/group.c allows pci-stub and pcieport besides VFIO drivers.
  return *driver == "pci-stub" || *driver == "pcieport" || driver->find("vfio") != std::string::npos;
}

bool GroupViability::viable() const {
  return std::all_of(others.begin(), others.end(), [](const GroupMember& m) { return m.keeps_group_viable; });
}

std::vector<GroupMember> GroupViability::blockers() const {
  std::vector<GroupMember> result;
  std::copy_if(others.begin(), others.end(), std::back_inserter(result),
               [](const GroupMember& m) { return !m.keeps_group_viable; });
  return result;
}

std::string GroupViability::describe_blockers() const {
  std::string text;
  for (const auto& member : blockers()) {
    if (!text.empty()) text += ", ";
    text += fmt::format("{} (bound to {})", member.bdf, member.driver.value_or("none"));
  }
  return text;
}

GroupViability group_viability(const HostPaths& paths, int group, std::string_view self_bdf) {
  GroupViability viability;
  viability.group = group;
  for (const auto& bdf : detail::list_names(paths.iommu_group_devices(group))) {
    if (bdf == self_bdf) continue;
    GroupMember member;
    member.bdf = bdf;
    member.driver = detail::link_target_name(paths.pci_device(bdf) / "driver");
    std::error_code error;
    member.keeps_group_viable = driver_keeps_group_viable(member.driver) ||
                                std::filesystem::exists(paths.pci_device(bdf) / "vfio-dev", error);
    viability.others.push_back(std::move(member));
  }
  return viability;
}

}  // namespace nvqual::vfio
