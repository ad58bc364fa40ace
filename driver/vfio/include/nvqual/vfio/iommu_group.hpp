// IOMMU group viability: VFIO hands a group to userspace only when every
// device in it is unbound or bound to a driver that does no DMA of its own
// (vfio-pci, pci-stub, or pcieport on a bridge). A GPU audio function or a
// NIC sharing the group makes it "not viable"; the user needs their names.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nvqual/vfio/host_paths.hpp"

namespace nvqual::vfio {

struct GroupMember {
  std::string bdf;
  std::optional<std::string> driver;  // nullopt: unbound
  bool keeps_group_viable = true;
};

struct GroupViability {
  int group = -1;
  std::vector<GroupMember> others;  // every device in the group except the one asked about

  bool viable() const;
  std::vector<GroupMember> blockers() const;
  // "0000:01:00.1 (snd_hda_intel), 0000:01:00.2 (xhci_hcd)"; empty when viable.
  std::string describe_blockers() const;
};

// True for no driver, vfio-pci, pci-stub and pcieport.
bool driver_keeps_group_viable(const std::optional<std::string>& driver);

// Reads paths.iommu_group_devices(group) and the driver of each member.
GroupViability group_viability(const HostPaths& paths, int group, std::string_view self_bdf);

}  // namespace nvqual::vfio
