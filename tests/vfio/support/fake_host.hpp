// A fake /sys, /dev, /proc and lock directory in a temporary directory,
// shaped like the real ones where nvqual::vfio reads them, so pre-flight,
// discovery and binding run without hardware or root.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nvqual/vfio/binding.hpp"
#include "nvqual/vfio/host_paths.hpp"

namespace nvqual::vfio::testing {

class FakeHost {
 public:
  FakeHost();
  ~FakeHost();
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  const HostPaths& paths() const { return paths_; }
  const std::filesystem::path& root() const { return root_; }

  // A PCI function; group nullopt = no IOMMU group link (IOMMU off).
  void add_pci_device(const std::string& bdf, uint32_t class_code = 0x010802, std::optional<int> group = 7,
                      uint16_t vendor = 0x1b36, uint16_t device = 0x0010);
  void add_driver(const std::string& driver);
  void bind(const std::string& bdf, const std::string& driver);  // also creates the driver directory
  void unbind(const std::string& bdf);
  std::optional<std::string> driver_of(const std::string& bdf) const;

  // /dev/vfio/vfio and /dev/vfio/<group>, mode 0666.
  void add_vfio_nodes(int group);

  // What the kernel nvme driver shows: BDF/nvme/<controller>/{model,serial,firmware_rev}.
  void add_kernel_controller(const std::string& bdf, const std::string& controller, const std::string& model = "",
                             const std::string& serial = "", const std::string& firmware = "");
  // A namespace disk under the controller (no native multipath) with its dev numbers.
  void add_namespace(const std::string& bdf, const std::string& controller, const std::string& disk,
                     const std::string& major_minor);
  // A namespace disk under an nvme-subsystem (native multipath): the controller
  // only has the path device <ctrl>c0n1, the subsystem links the controller.
  void add_multipath_namespace(const std::string& bdf, const std::string& controller, const std::string& subsystem,
                               const std::string& disk, const std::string& major_minor);
  void add_partition(const std::string& disk, const std::string& partition, const std::string& major_minor);
  void add_block_device(const std::string& name, const std::string& major_minor, const std::string& dm_name = "");
  void add_holder(const std::string& device, const std::string& holder);
  void add_mount(const std::string& major_minor, const std::string& mountpoint, const std::string& source,
                 const std::string& fstype = "ext4");
  // A mount only PID 1 sees (/proc/1/mountinfo): nvqual in another mount namespace.
  void add_init_mount(const std::string& major_minor, const std::string& mountpoint, const std::string& source,
                      const std::string& fstype = "ext4");
  // /sys/fs/btrfs/<uuid>/devices/<name> for each member device.
  void add_btrfs(const std::string& uuid, const std::vector<std::string>& devices);
  // Makes the fake tree's own directory stand for "/": paths().root_directory
  // points at it and /sys/dev/block/<its st_dev> at block device `name`.
  // Returns that "major:minor", for the device's dev file.
  std::string make_root_device(const std::string& name);
  void add_swap(const std::string& name);
  // From now on paths().exclusive_open answers `error` for /dev/<name> and
  // ENOENT for every other node (as the real probe does in a fake tree), and
  // records the names it was asked about in probed().
  void set_exclusive_open_error(const std::string& name, int error);
  const std::vector<std::string>& probed() const { return probed_; }
  // A line in /proc/locks: `pid` holds a flock on `file` (by its device and inode).
  void add_lock_holder(const std::filesystem::path& file, long pid);
  // /proc/<pid>/fd/<fd> -> target, /proc/<pid>/comm.
  void add_process_fd(int pid, const std::string& comm, const std::filesystem::path& target);

  void write_file(const std::filesystem::path& file, const std::string& text) const;

 private:
  std::filesystem::path root_;
  HostPaths paths_;
  std::vector<std::string> mount_lines_;
  std::vector<std::string> init_mount_lines_;
  std::vector<std::string> swap_lines_;
  std::vector<std::string> lock_lines_;
  std::map<std::string, int> open_errors_;
  std::vector<std::string> probed_;
};

// Records the steps and plays the kernel's part on the fake tree: a
// driver_override write is stored, an unbind removes the driver link,
// drivers_probe binds to the override (or nvme for an NVMe class code),
// modprobe creates the driver directory.
class FakeKernel : public SysfsWriter {
 public:
  explicit FakeKernel(FakeHost& host) : host_(host) {}
  void write(const std::filesystem::path& file, std::string_view value) override;
  void load_module(std::string_view module) override;

  std::vector<SysfsStep> steps;
  bool probe_binds = true;  // false: drivers_probe leaves the device unbound

 private:
  FakeHost& host_;
};

}  // namespace nvqual::vfio::testing
