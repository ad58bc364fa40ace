// nvqual devices: every NVMe controller on the host, whether nvqual can use
// it (vfio-pci, viable IOMMU group) and whether the host uses its namespaces.
// --json for scripts, --ctest-resources for a hardware lab's ctest.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "nvqual/harness/report_output.hpp"
#include "nvqual/vfio/ctest_resources.hpp"
#include "nvqual/vfio/device_discovery.hpp"
#include "output_file.hpp"

namespace nvqual::app {

namespace {

struct DevicesOptions {
  bool json = false;
  std::string ctest_resources;
  std::string host_root;  // hidden: read a fake or captured tree instead of /
};

vfio::HostPaths host_paths(const std::string& root) {
  return root.empty() ? vfio::HostPaths{} : vfio::HostPaths::under(root);
}

// One word a lab engineer can act on.
std::string status_of(const vfio::ControllerInfo& c) {
  if (c.holds_root()) return "root disk";
  if (c.in_use()) return "in use";
  if (!c.group) return "no IOMMU";
  if (!c.group_viable()) return "group not viable";
  if (c.pci.bound_to(vfio::kVfioPciDriver)) return "ready";
  return "bind first";
}

// Cells may hold text the device chose (model, serial): nothing in them may
// reach the terminal as a control character.
std::string or_dash(const std::string& text) { return text.empty() ? "-" : harness::terminal_safe(text); }

std::string namespaces_cell(const vfio::ControllerInfo& c) {
  std::string cell;
  for (const auto& ns : c.namespaces) cell += (cell.empty() ? "" : ",") + ns.name;
  return or_dash(cell);
}

void print_table(const std::vector<vfio::ControllerInfo>& controllers) {
  if (controllers.empty()) {
    fmt::print("no NVMe controllers (PCI class 0x010802) found in /sys/bus/pci/devices\n");
    return;
  }
  std::vector<std::vector<std::string>> rows{
      {"BDF", "ID", "DRIVER", "GROUP", "STATUS", "MODEL", "SERIAL", "FW", "NAMESPACES"}};
  for (const auto& c : controllers) {
    rows.push_back({c.pci.bdf, fmt::format("{:04x}:{:04x}", c.pci.vendor_id, c.pci.device_id), c.pci.driver_name(),
                    c.group ? std::to_string(c.group->group) : "-", status_of(c), or_dash(c.model), or_dash(c.serial),
                    or_dash(c.firmware), namespaces_cell(c)});
  }
  std::vector<size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += i + 1 == row.size() ? row[i] : fmt::format("{:<{}}  ", row[i], widths[i]);
    }
    fmt::print("{}\n", line);
  }

  // Why a controller is not ready, one line each.
  bool first = true;
  const auto note = [&first](const std::string& text) {
    if (first) fmt::print("\n");
    first = false;
    fmt::print("{}\n", text);
  };
  for (const auto& c : controllers) {
    for (const auto& ns : c.namespaces) {
      for (const auto& use : ns.uses) note(fmt::format("{}: {}", c.pci.bdf, use.describe()));
    }
    if (!c.group) note(fmt::format("{}: no IOMMU group: boot with intel_iommu=on or amd_iommu=on", c.pci.bdf));
    if (c.group && !c.group->viable()) {
      note(fmt::format("{}: IOMMU group {} also holds {}", c.pci.bdf, c.group->group, c.group->describe_blockers()));
    }
    if (status_of(c) == "bind first") note(fmt::format("{}: run `nvqual bind {}` to use it", c.pci.bdf, c.pci.bdf));
  }
}

nlohmann::json optional_text(const std::string& text) { return text.empty() ? nlohmann::json() : nlohmann::json(text); }

nlohmann::json to_json(const vfio::ControllerInfo& c) {
  using vfio::BlockUse;
  nlohmann::json blockers = nlohmann::json::array();
  if (c.group) {
    for (const auto& member : c.group->blockers()) {
      blockers.push_back({{"bdf", member.bdf}, {"driver", member.driver ? nlohmann::json(*member.driver) : nullptr}});
    }
  }
  nlohmann::json namespaces = nlohmann::json::array();
  for (const auto& ns : c.namespaces) {
    const auto has = [&ns](BlockUse::Kind kind) {
      return std::any_of(ns.uses.begin(), ns.uses.end(), [kind](const BlockUse& use) { return use.kind == kind; });
    };
    nlohmann::json uses = nlohmann::json::array();
    for (const auto& use : ns.uses) uses.push_back(use.describe());
    namespaces.push_back({{"name", ns.name},
                          {"partitions", ns.partitions},
                          {"mounted", has(BlockUse::Kind::kMounted)},
                          {"held", has(BlockUse::Kind::kHeld)},
                          {"swap", has(BlockUse::Kind::kSwap)},
                          {"busy", has(BlockUse::Kind::kBusy)},
                          {"root_filesystem", ns.holds_root()},
                          {"uses", uses}});
  }
  return {{"bdf", c.pci.bdf},
          {"vendor_id", fmt::format("0x{:04x}", c.pci.vendor_id)},
          {"device_id", fmt::format("0x{:04x}", c.pci.device_id)},
          {"driver", c.pci.driver ? nlohmann::json(*c.pci.driver) : nullptr},
          {"iommu_group", c.group ? nlohmann::json(c.group->group) : nullptr},
          {"group_viable", c.group_viable()},
          {"group_blockers", blockers},
          {"status", status_of(c)},
          {"ready", c.usable_by_nvqual()},
          {"kernel_controllers", c.kernel_names},
          {"model", optional_text(c.model)},
          {"serial", optional_text(c.serial)},
          {"firmware_rev", optional_text(c.firmware)},
          {"in_use", c.in_use()},
          {"holds_root_filesystem", c.holds_root()},
          {"namespaces", namespaces},
          {"ctest_resource_id", vfio::resource_id_for_bdf(c.pci.bdf)}};
}

int write_ctest_resources(const std::vector<vfio::ControllerInfo>& controllers, const std::string& file) {
  std::vector<std::string> bdfs;
  for (const auto& c : controllers) {
    if (c.usable_by_nvqual()) {
      bdfs.push_back(c.pci.bdf);
    } else if (c.pci.bound_to(vfio::kVfioPciDriver)) {
      fmt::print(stderr, "nvqual: leaving {} out of {}: its IOMMU group is not viable ({})\n", c.pci.bdf, file,
                 c.group ? c.group->describe_blockers() : "no IOMMU group");
    }
  }
  const std::string json = vfio::ctest_resource_spec_json(bdfs);
  AtomicOutputFile out(file);
  out.write(std::as_bytes(std::span(json.data(), json.size())));
  out.commit();
  std::string ids;
  for (const auto& bdf : bdfs)
    ids += fmt::format("{}{} ({})", ids.empty() ? "" : ", ", vfio::resource_id_for_bdf(bdf), bdf);
  fmt::print("wrote {}: {} vfio-bound controller{}{}{}\n", file, bdfs.size(), bdfs.size() == 1 ? "" : "s",
             bdfs.empty() ? "" : ": ", ids);
  if (bdfs.empty()) fmt::print(stderr, "nvqual: no controller is ready: bind one with `nvqual bind BDF`\n");
  return kExitPassed;
}

}  // namespace

Command add_devices_command(CLI::App& root) {
  auto options = std::make_shared<DevicesOptions>();
  CLI::App* cli = root.add_subcommand(
      "devices", "List NVMe controllers: driver, IOMMU group, model, namespaces and whether the host uses them");
  cli->add_flag("--json", options->json, "Print a JSON array, one object per controller");
  cli->add_option("--ctest-resources", options->ctest_resources,
                  "Write a CTest resource spec (type nvme) of the vfio-bound controllers to FILE")
      ->type_name("FILE");
  cli->add_option("--host-root", options->host_root, "Read sys/, dev/ and proc/ under DIR instead of / (testing)")
      ->group("");

  return {cli, [options]() -> int {
            const auto controllers = vfio::discover_controllers(host_paths(options->host_root));
            if (!options->ctest_resources.empty()) return write_ctest_resources(controllers, options->ctest_resources);
            if (options->json) {
              nlohmann::json array = nlohmann::json::array();
              for (const auto& c : controllers) array.push_back(to_json(c));
              fmt::print("{}\n", array.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
            } else {
              print_table(controllers);
            }
            std::fflush(stdout);
            return kExitPassed;
          }};
}

}  // namespace nvqual::app
