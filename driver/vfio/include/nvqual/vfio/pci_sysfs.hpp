// What sysfs says about one PCI function: class, ids, driver, IOMMU group.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nvqual/vfio/host_paths.hpp"

namespace nvqual::vfio {

// PCI class code of an NVM Express I/O controller: base 01h (mass storage),
// sub 08h (non-volatile memory), programming interface 02h (NVMe).
inline constexpr uint32_t kNvmeClassCode = 0x010802;

inline constexpr std::string_view kVfioPciDriver = "vfio-pci";
inline constexpr std::string_view kNvmeDriver = "nvme";

struct PciFunction {
  std::string bdf;
  uint32_t class_code = 0;  // 24 bits from sysfs `class`
  uint16_t vendor_id = 0;
  uint16_t device_id = 0;
  std::optional<std::string> driver;  // nullopt: bound to no driver
  std::optional<int> iommu_group;     // nullopt: no IOMMU (off or not supported)

  bool is_nvme() const { return class_code == kNvmeClassCode; }
  bool bound_to(std::string_view name) const { return driver && *driver == name; }
  // "nvme", "vfio-pci" or "none", for messages and tables.
  std::string driver_name() const { return driver.value_or("none"); }
};

// nullopt when paths.pci_device(bdf) does not exist. `bdf` must be normalised.
std::optional<PciFunction> read_pci_function(const HostPaths& paths, std::string_view bdf);

// Every PCI function sysfs lists, sorted by BDF.
std::vector<PciFunction> list_pci_functions(const HostPaths& paths);

}  // namespace nvqual::vfio
