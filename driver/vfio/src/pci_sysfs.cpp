#include "nvqual/vfio/pci_sysfs.hpp"

#include "nvqual/vfio/bdf.hpp"
#include "sysfs_file.hpp"

namespace nvqual::vfio {
namespace {

// sysfs writes ids as "0x010802\n"; anything unparsable reads as 0.
uint32_t read_hex(const std::filesystem::path& file) {
  const auto text = detail::read_trimmed(file);
  if (!text) return 0;
  try {
    return static_cast<uint32_t>(std::stoul(*text, nullptr, 16));
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace

std::optional<PciFunction> read_pci_function(const HostPaths& paths, std::string_view bdf) {
  const auto dir = paths.pci_device(bdf);
  std::error_code error;
  if (!std::filesystem::exists(dir, error)) return std::nullopt;
  PciFunction function;
  function.bdf = std::string(bdf);
  function.class_code = read_hex(dir / "class") & 0xFFFFFFu;
  function.vendor_id = static_cast<uint16_t>(read_hex(dir / "vendor"));
  function.device_id = static_cast<uint16_t>(read_hex(dir / "device"));
  function.driver = detail::link_target_name(dir / "driver");
  if (const auto group = detail::link_target_name(dir / "iommu_group")) {
    try {
      function.iommu_group = std::stoi(*group);
    } catch (const std::exception&) {
      function.iommu_group.reset();
    }
  }
  return function;
}

std::vector<PciFunction> list_pci_functions(const HostPaths& paths) {
  std::vector<PciFunction> functions;
  for (const auto& name : detail::list_names(paths.pci_devices())) {
    if (!try_normalize_bdf(name)) continue;
    if (auto function = read_pci_function(paths, name)) functions.push_back(std::move(*function));
  }
  return functions;
}

}  // namespace nvqual::vfio
