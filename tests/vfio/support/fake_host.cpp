#include "fake_host.hpp"

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace nvqual::vfio::testing {
namespace {

fs::path make_temp_root() {
  std::string pattern = (fs::temp_directory_path() / "nvqual-vfio-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
  return pattern;
}

void link(const fs::path& target, const fs::path& name) {
  fs::create_directories(name.parent_path());
  fs::remove(name);
  fs::create_directory_symlink(target, name);
}

}  // namespace

FakeHost::FakeHost() : root_(make_temp_root()), paths_(HostPaths::under(root_)) {
  for (const auto& dir : {paths_.pci_devices(), paths_.pci_drivers(), paths_.block_class(), paths_.dev,
                          paths_.proc / "self", paths_.lock_dir, paths_.lock_fallback_dir}) {
    fs::create_directories(dir);
  }
  write_file(paths_.drivers_probe(), "");
  write_file(paths_.mountinfo(), "");
  write_file(paths_.swaps(), "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
}

FakeHost::~FakeHost() {
  std::error_code ignored;
  fs::remove_all(root_, ignored);
}

void FakeHost::write_file(const fs::path& file, const std::string& text) const {
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

void FakeHost::add_pci_device(const std::string& bdf, uint32_t class_code, std::optional<int> group, uint16_t vendor,
                              uint16_t device) {
  const auto dir = paths_.pci_device(bdf);
  fs::create_directories(dir);
  write_file(dir / "class", fmt::format("0x{:06x}\n", class_code));
  write_file(dir / "vendor", fmt::format("0x{:04x}\n", vendor));
  write_file(dir / "device", fmt::format("0x{:04x}\n", device));
  write_file(dir / "driver_override", "(null)\n");
  if (group) {
    const auto group_dir = paths_.sys / "kernel/iommu_groups" / std::to_string(*group);
    fs::create_directories(group_dir / "devices");
    link(group_dir, dir / "iommu_group");
    link(dir, group_dir / "devices" / bdf);
  }
}

void FakeHost::add_driver(const std::string& driver) {
  const auto dir = paths_.pci_driver(driver);
  fs::create_directories(dir);
  if (!fs::exists(dir / "unbind")) write_file(dir / "unbind", "");
  if (!fs::exists(dir / "bind")) write_file(dir / "bind", "");
}

void FakeHost::bind(const std::string& bdf, const std::string& driver) {
  add_driver(driver);
  link(paths_.pci_driver(driver), paths_.pci_device(bdf) / "driver");
}

void FakeHost::unbind(const std::string& bdf) { fs::remove(paths_.pci_device(bdf) / "driver"); }

std::optional<std::string> FakeHost::driver_of(const std::string& bdf) const {
  std::error_code error;
  const auto target = fs::read_symlink(paths_.pci_device(bdf) / "driver", error);
  if (error) return std::nullopt;
  return target.filename().string();
}

void FakeHost::add_vfio_nodes(int group) {
  for (const auto& node : {paths_.vfio_container(), paths_.vfio_group(group)}) {
    write_file(node, "");
    fs::permissions(node, fs::perms(0666));
  }
}

void FakeHost::add_kernel_controller(const std::string& bdf, const std::string& controller, const std::string& model,
                                     const std::string& serial, const std::string& firmware) {
  const auto dir = paths_.pci_device(bdf) / "nvme" / controller;
  fs::create_directories(dir);
  if (!model.empty()) write_file(dir / "model", model + "\n");
  if (!serial.empty()) write_file(dir / "serial", serial + "\n");
  if (!firmware.empty()) write_file(dir / "firmware_rev", firmware + "\n");
}

void FakeHost::add_block_device(const std::string& name, const std::string& major_minor, const std::string& dm_name) {
  const auto dir = paths_.block_class() / name;
  fs::create_directories(dir / "holders");
  write_file(dir / "dev", major_minor + "\n");
  if (!dm_name.empty()) write_file(dir / "dm" / "name", dm_name + "\n");
}

void FakeHost::add_namespace(const std::string& bdf, const std::string& controller, const std::string& disk,
                             const std::string& major_minor) {
  fs::create_directories(paths_.pci_device(bdf) / "nvme" / controller / disk);
  add_block_device(disk, major_minor);
}

void FakeHost::add_multipath_namespace(const std::string& bdf, const std::string& controller,
                                       const std::string& subsystem, const std::string& disk,
                                       const std::string& major_minor) {
  const auto path_device = controller + "c0" + disk.substr(disk.find('n', 4));
  fs::create_directories(paths_.pci_device(bdf) / "nvme" / controller / path_device);
  const auto subsystem_dir = paths_.nvme_subsystems() / subsystem;
  fs::create_directories(subsystem_dir / disk);
  link(paths_.pci_device(bdf) / "nvme" / controller, subsystem_dir / controller);
  add_block_device(disk, major_minor);
}

void FakeHost::add_partition(const std::string& disk, const std::string& partition, const std::string& major_minor) {
  // Real sysfs nests partitions inside the disk's directory; /sys/class/block links both.
  fs::create_directories(paths_.block_class() / disk / partition);
  add_block_device(partition, major_minor);
}

void FakeHost::add_holder(const std::string& device, const std::string& holder) {
  fs::create_directories(paths_.block_class() / device / "holders" / holder);
}

namespace {

std::string mountinfo_line(size_t id, const std::string& major_minor, const std::string& mountpoint,
                           const std::string& source, const std::string& fstype) {
  return fmt::format("{} 1 {} / {} rw,relatime shared:1 - {} {} rw", 20 + id, major_minor, mountpoint, fstype, source);
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

}  // namespace

void FakeHost::add_mount(const std::string& major_minor, const std::string& mountpoint, const std::string& source,
                         const std::string& fstype) {
  mount_lines_.push_back(mountinfo_line(mount_lines_.size(), major_minor, mountpoint, source, fstype));
  write_file(paths_.mountinfo(), joined(mount_lines_));
}

void FakeHost::add_init_mount(const std::string& major_minor, const std::string& mountpoint, const std::string& source,
                              const std::string& fstype) {
  init_mount_lines_.push_back(mountinfo_line(init_mount_lines_.size(), major_minor, mountpoint, source, fstype));
  write_file(paths_.init_mountinfo(), joined(init_mount_lines_));
}

void FakeHost::add_btrfs(const std::string& uuid, const std::vector<std::string>& devices) {
  const auto dir = paths_.btrfs_filesystems() / uuid / "devices";
  fs::create_directories(dir);
  for (const auto& device : devices) link(paths_.block_class() / device, dir / device);
}

std::string FakeHost::make_root_device(const std::string& name) {
  struct stat info {};
  if (::stat(root_.c_str(), &info) != 0) throw std::runtime_error("cannot stat " + root_.string());
  const std::string major_minor = fmt::format("{}:{}", major(info.st_dev), minor(info.st_dev));
  link(paths_.block_class() / name, paths_.dev_block() / major_minor);
  paths_.root_directory = root_;
  return major_minor;
}

void FakeHost::add_swap(const std::string& name) {
  swap_lines_.push_back(fmt::format("{}\tpartition\t8388604\t0\t-2", name));
  std::string text = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
  for (const auto& line : swap_lines_) text += line + "\n";
  write_file(paths_.swaps(), text);
}

void FakeHost::set_exclusive_open_error(const std::string& name, int error) {
  open_errors_[name] = error;
  paths_.exclusive_open = [this](const fs::path& node) {
    probed_.push_back(node.filename().string());
    if (node.parent_path() != paths_.dev) return ENOENT;
    const auto found = open_errors_.find(node.filename().string());
    return found == open_errors_.end() ? ENOENT : found->second;
  };
}

void FakeHost::add_lock_holder(const fs::path& file, long pid) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) throw std::runtime_error("cannot stat " + file.string());
  lock_lines_.push_back(fmt::format("{}: FLOCK  ADVISORY  WRITE {} {:02x}:{:02x}:{} 0 EOF", lock_lines_.size() + 1, pid,
                                    major(info.st_dev), minor(info.st_dev), info.st_ino));
  write_file(paths_.locks(), joined(lock_lines_));
}

void FakeHost::add_process_fd(int pid, const std::string& comm, const fs::path& target) {
  const auto dir = paths_.proc / std::to_string(pid);
  fs::create_directories(dir / "fd");
  write_file(dir / "comm", comm + "\n");
  fs::remove(dir / "fd" / "5");
  fs::create_symlink(target, dir / "fd" / "5");
}

void FakeKernel::write(const fs::path& file, std::string_view value) {
  steps.push_back({SysfsStep::Kind::kWrite, file, std::string(value)});
  KernelSysfsWriter real;
  real.write(file, value);                     // the file must exist, as in sysfs
  host_.write_file(file, std::string(value));  // and reads back as the last value written
  const auto& paths = host_.paths();
  const std::string text(value);
  if (file.filename() == "unbind") {
    host_.unbind(text);
  } else if (file == paths.drivers_probe() && probe_binds && !host_.driver_of(text)) {
    std::ifstream in(paths.pci_device(text) / "driver_override");
    std::string override_value;
    std::getline(in, override_value);
    std::ifstream class_in(paths.pci_device(text) / "class");
    std::string class_code;
    std::getline(class_in, class_code);
    if (!override_value.empty() && override_value != "(null)") {
      if (fs::exists(paths.pci_driver(override_value))) host_.bind(text, override_value);
    } else if (class_code == "0x010802" && fs::exists(paths.pci_driver("nvme"))) {
      host_.bind(text, "nvme");
    }
  }
}

void FakeKernel::load_module(std::string_view module) {
  steps.push_back({SysfsStep::Kind::kLoadModule, host_.paths().pci_driver(module), std::string(module)});
  host_.add_driver(std::string(module));
}

}  // namespace nvqual::vfio::testing
