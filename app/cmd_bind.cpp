// nvqual bind / unbind: hand an NVMe controller to vfio-pci and back to the
// kernel nvme driver through sysfs, refusing one whose disks the host uses.
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/core.h>

#include "command.hpp"
#include "nvqual/vfio/binding.hpp"

namespace nvqual::app {

namespace {

struct BindOptions {
  std::string bdf;
  bool dry_run = false;
  std::string host_root;  // hidden: act on a fake tree instead of /
};

CLI::App* add_binding_subcommand(CLI::App& root, const char* name, const char* description, BindOptions& options) {
  CLI::App* cli = root.add_subcommand(name, description);
  cli->add_option("bdf", options.bdf, "PCI address of the controller, e.g. 0000:01:00.0 or 01:00.0")->required();
  cli->add_flag("--dry-run", options.dry_run, "Print the sysfs writes without making them");
  cli->add_option("--host-root", options.host_root, "Act on sys/, dev/ and proc/ under DIR instead of / (testing)")
      ->group("");
  return cli;
}

int run_plan(const BindOptions& options, vfio::Planner plan_for) {
  const vfio::HostPaths paths = options.host_root.empty() ? vfio::HostPaths{}
                                                          : vfio::HostPaths::under(options.host_root);
  const vfio::BindPlan plan = plan_for(paths, options.bdf, nullptr);
  for (const auto& note : plan.notes) fmt::print(stderr, "nvqual: note: {}\n", note);
  if (plan.steps.empty()) {
    fmt::print("{}\n", plan.nothing_to_do);
  } else if (options.dry_run) {
    fmt::print("{}: {} -> {}; would run:\n", plan.bdf, plan.from_driver, plan.to_driver);
    for (const auto& step : plan.steps) fmt::print("  {}\n", step.describe());
  } else {
    // The checks run again under the lock: whatever started using the device
    // since the plan above is refused, and no nvqual starts until the writes
    // are done (the kernel's vfio-pci unbind would wait for it).
    vfio::KernelSysfsWriter writer;
    fmt::print("{}\n", vfio::execute_under_lock(paths, plan.bdf, plan_for, writer));
  }
  std::fflush(stdout);
  return kExitPassed;
}

}  // namespace

Command add_bind_command(CLI::App& root) {
  auto options = std::make_shared<BindOptions>();
  CLI::App* cli = add_binding_subcommand(
      root, "bind",
      "Bind an NVMe controller to vfio-pci for nvqual (needs root; refuses a controller whose namespaces are mounted, "
      "held or used as swap)",
      *options);
  return {cli, [options]() { return run_plan(*options, &vfio::plan_bind); }};
}

Command add_unbind_command(CLI::App& root) {
  auto options = std::make_shared<BindOptions>();
  CLI::App* cli = add_binding_subcommand(
      root, "unbind", "Give a controller back to the kernel nvme driver (needs root; refuses while it is in use)",
      *options);
  return {cli, [options]() { return run_plan(*options, &vfio::plan_unbind); }};
}

}  // namespace nvqual::app
