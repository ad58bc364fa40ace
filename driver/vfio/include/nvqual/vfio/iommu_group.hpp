// IOMMU group viability as sysfs shows it. VFIO hands a group to userspace
// only when every device in it is unbound, bound to a VFIO driver (vfio-pci
// or a vendor variant such as mlx5_vfio_pci), or to a driver the kernel
// allows (pci-stub, pcieport on a bridge). The kernel's VFIO_GROUP_GET_STATUS
// is the authority; this view names the likely blockers for `nvqual devices`,
// the bind notes, and the message when the kernel says "not viable".
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
  bool keeps_group_viable = true;     // false: a likely blocker
};

struct GroupViability {
  int group = -1;
  std::vector<GroupMember> others;  // every device in the group except the one asked about

  // No likely blocker in sysfs (the kernel may still disagree either way).
  bool viable() const;
  std::vector<GroupMember> blockers() const;
  // "0000:01:00.1 (bound to snd_hda_intel), 0000:01:00.2 (bound to xhci_hcd)"; empty when viable.
  std::string describe_blockers() const;
};

// True for no driver, pci-stub, pcieport and VFIO drivers (vfio-pci and any
// driver whose name says vfio, as the vendor variants' names do).
bool driver_keeps_group_viable(const std::optional<std::string>& driver);

// Reads paths.iommu_group_devices(group) and the driver of each member. A
// member with a vfio-dev directory (Linux 6.1+) is on a VFIO driver whatever
// the driver is called.
GroupViability group_viability(const HostPaths& paths, int group, std::string_view self_bdf);

}  // namespace nvqual::vfio
