#include "nvqual/vfio/device_discovery.hpp"

#include <algorithm>

#include "sysfs_file.hpp"

namespace nvqual::vfio {

bool ControllerInfo::in_use() const {
  return std::any_of(namespaces.begin(), namespaces.end(), [](const NamespaceUsage& ns) { return ns.in_use(); });
}

bool ControllerInfo::holds_root() const {
  return std::any_of(namespaces.begin(), namespaces.end(), [](const NamespaceUsage& ns) { return ns.holds_root(); });
}

ControllerInfo describe_controller(const HostPaths& paths, const PciFunction& function, const BlockUsageTable& usage) {
  ControllerInfo info;
  info.pci = function;
  if (function.iommu_group) info.group = group_viability(paths, *function.iommu_group, function.bdf);
  const auto nvme_dir = paths.pci_device(function.bdf) / "nvme";
  info.kernel_names = detail::list_names(nvme_dir);
  if (!info.kernel_names.empty()) {
    const auto controller = nvme_dir / info.kernel_names.front();
    info.model = detail::read_trimmed(controller / "model").value_or("");
    info.serial = detail::read_trimmed(controller / "serial").value_or("");
    info.firmware = detail::read_trimmed(controller / "firmware_rev").value_or("");
  }
  info.namespaces = controller_namespaces(paths, function.bdf, usage);
  return info;
}

std::vector<ControllerInfo> discover_controllers(const HostPaths& paths) {
  const auto usage = BlockUsageTable::read(paths);
  std::vector<ControllerInfo> controllers;
  for (const auto& function : list_pci_functions(paths)) {
    if (function.is_nvme()) controllers.push_back(describe_controller(paths, function, usage));
  }
  return controllers;
}

}  // namespace nvqual::vfio
