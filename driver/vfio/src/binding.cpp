#include "nvqual/vfio/binding.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "nvqual/driver/errors.hpp"
#include "nvqual/vfio/bdf.hpp"
#include "nvqual/vfio/block_usage.hpp"
#include "nvqual/vfio/device_lock.hpp"
#include "nvqual/vfio/iommu_group.hpp"
#include "nvqual/vfio/pci_sysfs.hpp"
#include "nvqual/vfio/preflight.hpp"
#include "sysfs_file.hpp"

extern char** environ;

namespace nvqual::vfio {
namespace {

constexpr auto kDriverSettlePoll = std::chrono::milliseconds(20);
constexpr auto kModprobePoll = std::chrono::milliseconds(20);

// Writing a lone newline clears driver_override (drivers/base/driver.c, driver_set_override).
constexpr std::string_view kClearOverride = "\n";

[[noreturn]] void fail(ErrorKind kind, const std::string& message) { throw DriverError(kind, message); }

PciFunction present_function(const HostPaths& paths, const std::string& bdf) {
  auto function = read_pci_function(paths, bdf);
  if (!function) {
    fail(ErrorKind::kInvalidArgument,
         fmt::format("no PCI device {}: {} does not exist; see `nvqual devices`", bdf, paths.pci_device(bdf).string()));
  }
  return *function;
}

SysfsStep write_step(std::filesystem::path file, std::string value) {
  return {SysfsStep::Kind::kWrite, std::move(file), std::move(value)};
}

// `driver_dir` is what loading the module must create.
SysfsStep module_step(std::string module, std::filesystem::path driver_dir) {
  return {SysfsStep::Kind::kLoadModule, std::move(driver_dir), std::move(module)};
}

// Mounted, held, swap and busy (claimed, e.g. by ZFS or a mount in another
// namespace) uses of the controller's namespaces, root first, joined into one
// refusal line.
void refuse_if_in_use(const HostPaths& paths, const PciFunction& function) {
  const auto usage = BlockUsageTable::read(paths);
  std::vector<BlockUse> uses;
  for (auto& ns : controller_namespaces(paths, function.bdf, usage)) {
    uses.insert(uses.end(), ns.uses.begin(), ns.uses.end());
  }
  if (uses.empty()) return;
  std::stable_partition(uses.begin(), uses.end(), [](const BlockUse& use) { return use.root_filesystem; });
  std::string reasons;
  for (const auto& use : uses) reasons += (reasons.empty() ? "" : "; ") + use.describe();
  const bool only_busy = std::all_of(uses.begin(), uses.end(),
                                     [](const BlockUse& use) { return use.kind == BlockUse::Kind::kBusy; });
  // A busy device shows in no table nvqual reads: point at where its user is.
  const std::string fix =
      uses.front().root_filesystem ? "this is the disk the system runs from: pick another controller"
      : only_busy                  ? fmt::format(
                                         "export its ZFS pool (`zpool export`), or unmount it in the mount namespace that uses it "
                                                          "(`grep {} /proc/*/mountinfo` names it), then retry",
                                         uses.front().device.substr(5))
                  : "unmount it, swapoff it, or stop the md/LVM/device-mapper holder, then retry";
  fail(ErrorKind::kEnvironment, fmt::format("refusing to bind {}: {}; {}", function.bdf, reasons, fix));
}

void refuse_if_held_open(const HostPaths& paths, const PciFunction& function, const DeviceLock* held) {
  // The kernel's vfio-pci unbind waits until every user lets go of the device:
  // unbinding under a running nvqual or VM would hang here.
  if (held == nullptr) {
    try {
      DeviceLock probe = DeviceLock::acquire(paths, function.bdf);
    } catch (const DriverError& busy) {
      fail(ErrorKind::kEnvironment, fmt::format("cannot unbind {}: {}", function.bdf, busy.what()));
    }
  }
  if (!function.iommu_group) return;
  // A holder of the group node (legacy container) or of the device's iommufd
  // cdev (Linux 6.6+) blocks the unbind alike.
  const auto holders = group_holders(paths, *function.iommu_group, function.bdf);
  if (holders.empty()) return;
  std::string who;
  for (const auto& holder : holders) who += (who.empty() ? "" : ", ") + holder;
  std::string nodes;
  for (const auto& node : vfio_nodes(paths, *function.iommu_group, function.bdf)) {
    nodes += (nodes.empty() ? "" : " or ") + node.string();
  }
  fail(
      ErrorKind::kEnvironment,
      fmt::format("cannot unbind {}: device busy: {} has {} open, and the kernel's unbind would wait until it lets go; "
                  "stop it and retry",
                  function.bdf, who, nodes));
}

// The wait status of `pid`, polled until `timeout`; on timeout the
// child is killed and reaped. Any waitpid failure but EINTR is an error: a
// status never filled in must not read as success.
int wait_bounded(pid_t pid, const std::string& module, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0 && errno != EINTR) {
      const int error = errno;
      fail(ErrorKind::kEnvironment,
           fmt::format("cannot wait for `modprobe {}`: {}; load it by hand (`sudo modprobe {}`) and retry", module,
                       detail::errno_text(error), module));
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(kModprobePoll);
  }
  ::kill(pid, SIGKILL);
  // SIGKILL cannot be ignored; only a child stuck inside the kernel outlives
  // it, and that one is not waited for (init reaps it once nvqual exits).
  for (int tries = 0; tries < 50 && ::waitpid(pid, &status, WNOHANG) == 0; ++tries) {
    std::this_thread::sleep_for(kModprobePoll);
  }
  fail(ErrorKind::kEnvironment,
       fmt::format("`modprobe {}` did not finish within {} ms and was killed: check dmesg, then load it by hand (`sudo "
                   "modprobe {}`)",
                   module, timeout.count(), module));
}

}  // namespace

std::string SysfsStep::describe() const {
  if (kind == Kind::kLoadModule) return "modprobe " + value;
  if (value == kClearOverride) return "echo > " + file.string();
  return fmt::format("echo {} > {}", value, file.string());
}

BindPlan plan_bind(const HostPaths& paths, std::string_view bdf_text, const DeviceLock* /*held*/) {
  BindPlan plan;
  plan.bdf = normalize_bdf(bdf_text);
  const PciFunction function = present_function(paths, plan.bdf);
  plan.from_driver = function.driver_name();
  plan.to_driver = std::string(kVfioPciDriver);
  if (!function.is_nvme()) {
    fail(ErrorKind::kInvalidArgument,
         fmt::format("refusing to bind {}: it is not an NVMe controller (PCI class 0x{:06x}, expected 0x{:06x})",
                     plan.bdf, function.class_code, kNvmeClassCode));
  }
  if (function.bound_to(kVfioPciDriver)) {
    plan.nothing_to_do = fmt::format("{} is already bound to vfio-pci; nothing to do", plan.bdf);
    return plan;
  }
  if (!function.iommu_group) {
    fail(ErrorKind::kEnvironment,
         fmt::format("cannot bind {}: it has no IOMMU group, so vfio-pci cannot take it; enable VT-d / AMD-Vi in the "
                     "firmware and boot with intel_iommu=on (Intel) or amd_iommu=on (AMD)",
                     plan.bdf));
  }
  refuse_if_in_use(paths, function);

  std::error_code error;
  if (!std::filesystem::exists(paths.pci_driver(kVfioPciDriver), error)) {
    plan.steps.push_back(module_step("vfio-pci", paths.pci_driver(kVfioPciDriver)));
  }
  plan.steps.push_back(write_step(paths.pci_device(plan.bdf) / "driver_override", std::string(kVfioPciDriver)));
  if (function.driver) {
    plan.steps.push_back(write_step(paths.pci_driver(*function.driver) / "unbind", plan.bdf));
  }
  plan.steps.push_back(write_step(paths.drivers_probe(), plan.bdf));

  const auto viability = group_viability(paths, *function.iommu_group, plan.bdf);
  if (!viability.viable()) {
    plan.notes.push_back(
        fmt::format("IOMMU group {} will not be viable until these are bound to vfio-pci or "
                    "unbound: {}",
                    *function.iommu_group, viability.describe_blockers()));
  }
  return plan;
}

BindPlan plan_unbind(const HostPaths& paths, std::string_view bdf_text, const DeviceLock* held) {
  BindPlan plan;
  plan.bdf = normalize_bdf(bdf_text);
  const PciFunction function = present_function(paths, plan.bdf);
  plan.from_driver = function.driver_name();
  plan.to_driver = std::string(kNvmeDriver);
  if (!function.is_nvme()) {
    fail(ErrorKind::kInvalidArgument,
         fmt::format("refusing to unbind {}: it is not an NVMe controller (PCI class 0x{:06x}); nvqual only moves NVMe "
                     "controllers",
                     plan.bdf, function.class_code));
  }
  const auto override_value = detail::read_trimmed(paths.pci_device(plan.bdf) / "driver_override");
  const bool override_set = override_value && !override_value->empty() && *override_value != "(null)";
  if (function.driver && !function.bound_to(kVfioPciDriver)) {
    plan.nothing_to_do = fmt::format("{} is bound to {}, not vfio-pci; nothing to do", plan.bdf, *function.driver);
    if (!override_set) return plan;
    plan.nothing_to_do.clear();  // a stale override would send it back to vfio-pci on the next probe
  }
  if (function.bound_to(kVfioPciDriver)) refuse_if_held_open(paths, function, held);

  plan.steps.push_back(write_step(paths.pci_device(plan.bdf) / "driver_override", std::string(kClearOverride)));
  if (function.bound_to(kVfioPciDriver)) {
    plan.steps.push_back(write_step(paths.pci_driver(kVfioPciDriver) / "unbind", plan.bdf));
  }
  if (function.driver && !function.bound_to(kVfioPciDriver)) {
    plan.to_driver = *function.driver;  // only the override was stale
    return plan;
  }
  std::error_code error;
  if (!std::filesystem::exists(paths.pci_driver(kNvmeDriver), error)) {
    plan.steps.push_back(module_step("nvme", paths.pci_driver(kNvmeDriver)));
  }
  plan.steps.push_back(write_step(paths.drivers_probe(), plan.bdf));
  return plan;
}

void KernelSysfsWriter::write(const std::filesystem::path& file, std::string_view value) {
  // No O_CREAT, no O_TRUNC: sysfs attributes exist or the write is wrong.
  const int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
  int error = 0;
  if (fd < 0) {
    error = errno;
  } else {
    if (::write(fd, value.data(), value.size()) != static_cast<ssize_t>(value.size())) error = errno;
    if (::close(fd) != 0 && error == 0) error = errno;
  }
  if (error == 0) return;
  const std::string hint = error == EACCES || error == EPERM ? "; binding needs root: run it with sudo" : "";
  fail(ErrorKind::kEnvironment,
       fmt::format("writing '{}' to {} failed: {}{}", value == kClearOverride ? "" : std::string(value), file.string(),
                   detail::errno_text(error), hint));
}

void KernelSysfsWriter::load_module(std::string_view module) {
  const std::string name(module);
  char program[] = "modprobe";
  std::vector<char*> argv{program, const_cast<char*>(name.c_str()), nullptr};
  pid_t pid = 0;
  const int spawn_error = ::posix_spawnp(&pid, program, nullptr, nullptr, argv.data(), environ);
  if (spawn_error != 0) {
    fail(ErrorKind::kEnvironment, fmt::format("cannot run `modprobe {}`: {}; install kmod or load the module by hand",
                                              name, detail::errno_text(spawn_error)));
  }
  const int status = wait_bounded(pid, name, modprobe_timeout_);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fail(ErrorKind::kEnvironment,
         fmt::format("`modprobe {}` failed ({}): run it as root and check that the kernel ships the module", name,
                     WIFEXITED(status) ? fmt::format("exit status {}", WEXITSTATUS(status))
                                       : fmt::format("killed by signal {}", WTERMSIG(status))));
  }
}

std::string execute_plan(const HostPaths& paths, const BindPlan& plan, SysfsWriter& writer,
                         std::chrono::milliseconds settle_timeout) {
  if (plan.steps.empty()) return plan.nothing_to_do;
  for (const auto& step : plan.steps) {
    if (step.kind == SysfsStep::Kind::kLoadModule) {
      writer.load_module(step.value);
      std::error_code error;
      if (!std::filesystem::exists(step.file, error)) {
        fail(ErrorKind::kEnvironment,
             fmt::format("`modprobe {}` ran but {} did not appear: check dmesg", step.value, step.file.string()));
      }
      continue;
    }
    writer.write(step.file, step.value);
  }

  const auto driver_link = paths.pci_device(plan.bdf) / "driver";
  const auto deadline = std::chrono::steady_clock::now() + settle_timeout;
  auto driver = detail::link_target_name(driver_link);
  while (driver != plan.to_driver && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(kDriverSettlePoll);
    driver = detail::link_target_name(driver_link);
  }
  if (driver == plan.to_driver) {
    return fmt::format("{}: now bound to {} (was {})", plan.bdf, plan.to_driver, plan.from_driver);
  }
  if (plan.to_driver == kNvmeDriver && driver && *driver != kVfioPciDriver) {
    return fmt::format("{}: released by vfio-pci, now bound to {}", plan.bdf, *driver);
  }
  if (plan.to_driver == kNvmeDriver && driver == kVfioPciDriver) {
    fail(ErrorKind::kEnvironment,
         fmt::format("{}: still bound to vfio-pci after the unbind; check dmesg (a process may still hold it)",
                     plan.bdf));
  }
  if (plan.to_driver == kNvmeDriver) {
    fail(ErrorKind::kEnvironment,
         fmt::format("{}: released by vfio-pci but the nvme driver did not take it; check dmesg, run `modprobe nvme`, "
                     "then `echo {} > {}`",
                     plan.bdf, plan.bdf, paths.drivers_probe().string()));
  }
  fail(ErrorKind::kEnvironment,
       fmt::format("{}: vfio-pci did not take the device (driver is now {}); check dmesg for vfio-pci probe errors "
                   "(an IOMMU group problem or a missing IOMMU is the usual cause)",
                   plan.bdf, driver.value_or("none")));
}

std::string execute_under_lock(const HostPaths& paths, std::string_view bdf, Planner planner, SysfsWriter& writer,
                               std::chrono::milliseconds settle_timeout) {
  const DeviceLock lock = DeviceLock::acquire(paths, normalize_bdf(bdf));
  const BindPlan plan = planner(paths, bdf, &lock);
  return execute_plan(paths, plan, writer, settle_timeout);
}

}  // namespace nvqual::vfio
