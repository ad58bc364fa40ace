// Every NVMe controller on the host, as `nvqual devices` shows it: PCI ids,
// driver, IOMMU group and its viability, what the kernel driver reports
// (model, serial, firmware) and whether its namespaces are in use.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nvqual/vfio/block_usage.hpp"
#include "nvqual/vfio/host_paths.hpp"
#include "nvqual/vfio/iommu_group.hpp"
#include "nvqual/vfio/pci_sysfs.hpp"

namespace nvqual::vfio {

struct ControllerInfo {
  PciFunction pci;
  std::optional<GroupViability> group;  // nullopt: no IOMMU group (IOMMU off)
  // From /sys/bus/pci/devices/BDF/nvme/nvmeX/ while the kernel nvme driver
  // owns the controller; empty when it is bound to vfio-pci or nothing.
  std::vector<std::string> kernel_names;  // "nvme0"
  std::string model;
  std::string serial;
  std::string firmware;
  std::vector<NamespaceUsage> namespaces;

  bool group_viable() const { return group && group->viable(); }
  bool in_use() const;
  bool holds_root() const;
  // Ready for nvqual: bound to vfio-pci in a viable group.
  bool usable_by_nvqual() const { return pci.bound_to(kVfioPciDriver) && group_viable(); }
};

ControllerInfo describe_controller(const HostPaths& paths, const PciFunction& function, const BlockUsageTable& usage);

// Every function with class 0x010802, sorted by BDF.
std::vector<ControllerInfo> discover_controllers(const HostPaths& paths);

}  // namespace nvqual::vfio
