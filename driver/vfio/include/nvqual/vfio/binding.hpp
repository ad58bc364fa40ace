// Moving an NVMe controller between the kernel nvme driver and vfio-pci
// through sysfs (Documentation/ABI/testing/sysfs-bus-pci: driver_override,
// unbind, drivers_probe), refusing a controller whose namespaces the host
// uses. Planning is separate from doing, so --dry-run prints the plan and
// tests check the writes against a fake tree.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "nvqual/vfio/device_lock.hpp"
#include "nvqual/vfio/host_paths.hpp"

namespace nvqual::vfio {

struct SysfsStep {
  enum class Kind { kWrite, kLoadModule };
  Kind kind = Kind::kWrite;
  std::filesystem::path file;  // kWrite: the sysfs attribute; kLoadModule: the driver directory it must create
  std::string value;           // kWrite: what to write; kLoadModule: the module name

  // "echo vfio-pci > /sys/bus/pci/devices/0000:01:00.0/driver_override", "modprobe vfio-pci".
  std::string describe() const;
  bool operator==(const SysfsStep&) const = default;
};

struct BindPlan {
  std::string bdf;                 // normalised
  std::string from_driver;         // "nvme", "vfio-pci" or "none"
  std::string to_driver;           // what must own the device afterwards
  std::vector<SysfsStep> steps;    // empty: nothing to do
  std::string nothing_to_do;       // why steps is empty
  std::vector<std::string> notes;  // e.g. the IOMMU group will not be viable
};

// What it takes to hand `bdf` to vfio-pci. Throws DriverError: kInvalidArgument
// (malformed, absent, not NVMe), kEnvironment (no IOMMU group; a namespace is
// mounted, held, used as swap or busy (the kernel refuses an exclusive open):
// "refusing to bind BDF: /dev/nvme0n1p2 is mounted on / (root filesystem)"). `held` is the BDF's lock when the caller
// holds it (execute_under_lock); planning does not need it.
BindPlan plan_bind(const HostPaths& paths, std::string_view bdf, const DeviceLock* held = nullptr);

// What it takes to give `bdf` back to the kernel nvme driver. Throws
// kInvalidArgument (malformed, absent), kEnvironment (another process holds
// the BDF's lock, or a process has its group node /dev/vfio/N or its iommufd
// cdev /dev/vfio/devices/vfioX open: writing unbind would block until it lets
// go). With `held`, the caller holds the lock itself, so only
// the group's other holders are looked for.
BindPlan plan_unbind(const HostPaths& paths, std::string_view bdf, const DeviceLock* held = nullptr);

using Planner = BindPlan (*)(const HostPaths&, std::string_view, const DeviceLock*);

// Carries out the steps. The kernel implementation writes the files and runs
// modprobe; tests substitute one that also plays the kernel's part.
class SysfsWriter {
 public:
  virtual ~SysfsWriter() = default;
  virtual void write(const std::filesystem::path& file, std::string_view value) = 0;
  virtual void load_module(std::string_view module) = 0;
};

class KernelSysfsWriter : public SysfsWriter {
 public:
  // modprobe loads a module and its dependencies in well under a second; a
  // minute means it hangs (e.g. on a stuck firmware load), and it is killed.
  explicit KernelSysfsWriter(std::chrono::milliseconds modprobe_timeout = std::chrono::seconds(60))
      : modprobe_timeout_(modprobe_timeout) {}
  void write(const std::filesystem::path& file, std::string_view value) override;
  // Runs `modprobe MODULE` from PATH; throws DriverError(kEnvironment) when it
  // fails, is killed, outlives the timeout or cannot be waited for.
  void load_module(std::string_view module) override;

 private:
  std::chrono::milliseconds modprobe_timeout_;
};

// Runs the plan's steps in order, then checks that the device's driver link
// names plan.to_driver. drivers_probe binds synchronously; `settle_timeout`
// bounds the wait for a slow probe. Returns a one-line summary; throws
// DriverError(kEnvironment) naming the step that failed and the fix.
std::string execute_plan(const HostPaths& paths, const BindPlan& plan, SysfsWriter& writer,
                         std::chrono::milliseconds settle_timeout = std::chrono::seconds(5));

// What `nvqual bind/unbind` does after showing the plan: takes the BDF's lock,
// plans again under it (a mount, a run or a VM that started since the first
// look is refused now, and no nvqual can start until the writes are done),
// then executes that plan. Throws as the planner and execute_plan do, and
// "device busy" when another process holds the lock.
std::string execute_under_lock(const HostPaths& paths, std::string_view bdf, Planner planner, SysfsWriter& writer,
                               std::chrono::milliseconds settle_timeout = std::chrono::seconds(5));

}  // namespace nvqual::vfio
