#include "nvqual/vfio/vfio_transport.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <map>

#include <fmt/format.h>

#include "dma_memory.hpp"
#include "mmio.hpp"
#include "nvqual/driver/errors.hpp"
#include "nvqual/vfio/device_lock.hpp"
#include "nvqual/vfio/iova_allocator.hpp"
#include "nvqual/vfio/pci_config.hpp"
#include "nvqual/vfio/preflight.hpp"
#include "sysfs_file.hpp"
#include "unique_fd.hpp"
#include "vfio_queries.hpp"
#include "vfio_uapi.hpp"

namespace nvqual::vfio {
namespace {

using detail::errno_text;
using detail::kHostPage;
using detail::round_up;
using detail::UniqueFd;

[[noreturn]] void fail(const std::string& message) { throw DriverError(ErrorKind::kEnvironment, message); }

// Opens a /dev/vfio node, turning errno into the pre-flight wording.
UniqueFd open_vfio_node(const HostPaths& paths, const HostIdentity& identity, const std::filesystem::path& node,
                        const std::string& bdf, int group) {
  UniqueFd fd(::open(node.c_str(), O_RDWR | O_CLOEXEC));
  if (fd.valid()) return fd;
  const int error = errno;
  if (error == EBUSY) fail(group_busy_message(paths, bdf, group));
  if (error == EACCES || error == EPERM) {
    if (auto problem = access_problem(identity, node, node.string())) fail(*problem);
    fail(
        fmt::format("{}: opening {} was refused ({}) although its mode allows it: check SELinux/AppArmor or the "
                    "container's device cgroup",
                    bdf, node.string(), errno_text(error)));
  }
  fail(fmt::format("{}: cannot open {}: {}; run `nvqual devices` and see driver/vfio/README.md", bdf, node.string(),
                   errno_text(error)));
}

class VfioTransport final : public Transport {
 public:
  VfioTransport(const VfioOptions& options, const HostIdentity& identity, PreflightResult checked, DeviceLock lock)
      : identity_(identity), bdf_(std::move(checked.bdf)), group_number_(checked.iommu_group), lock_(std::move(lock)) {
    const HostPaths& paths = options.paths;
    container_ = open_vfio_node(paths, identity, paths.vfio_container(), bdf_, group_number_);
    check_container(paths);
    group_ = open_vfio_node(paths, identity, paths.vfio_group(group_number_), bdf_, group_number_);
    attach_group(paths);
    const auto iommu = detail::query_iommu_info(container_.get(), bdf_);
    min_page_ = std::max<uint64_t>(iommu.min_page_size, kHostPage);
    iova_base_ = options.iova_base;
    iova_.emplace(iommu.ranges, options.iova_base);
    if (!iommu.ranges_from_kernel) warn_assumed_iova_ranges(iommu);
    open_device(paths);
    if (options.function_reset && !function_level_reset()) {
      throw DriverError(ErrorKind::kUnsupported,
                        fmt::format("{}: --function-reset was asked for but vfio-pci offers no reset for this device "
                                    "(no FLR, PM or bus reset); run without --function-reset",
                                    bdf_));
    }
    enable_pci_command();
    map_bar0();
  }

  ~VfioTransport() override {
    // Stop the function's DMA before its memory goes away: the Controller has
    // normally disabled it already, this guards the paths where it could not.
    stop_dma();
    while (!mappings_.empty()) dma_free(mappings_.begin()->second);
    if (bar0_ != nullptr) ::munmap(bar0_, bar0_size_);
    // Closing releases in order: device, then the group (leaving the
    // container), then the container.
    device_.reset();
    group_.reset();
    container_.reset();
  }

  uint32_t read32(uint32_t offset) override {
    check_bar_access(offset, 4);
    if (bar0_ != nullptr) return detail::mmio_read32(bar0_, offset);
    uint32_t value = 0;
    bar_pread(&value, 4, offset);
    return value;
  }

  // Low dword first, then high, as Linux's lo_hi_readq: not every device
  // accepts 8-byte MMIO reads, and CAP, the one 64-bit register read, is static.
  uint64_t read64(uint32_t offset) override {
    const uint64_t low = read32(offset);
    const uint64_t high = read32(offset + 4);
    return low | (high << 32);
  }

  uint64_t bar0_size() const override { return bar0_region_.size; }

  void write32(uint32_t offset, uint32_t value) override {
    check_bar_access(offset, 4);
    if (bar0_ != nullptr) {
      detail::mmio_write32(bar0_, offset, value);
      return;
    }
    bar_pwrite(&value, 4, offset);
  }

  // ASQ and ACQ: low dword then high dword (Linux lo_hi_writeq); the
  // controller only latches them when CC.EN is set.
  void write64(uint32_t offset, uint64_t value) override {
    write32(offset, static_cast<uint32_t>(value));
    write32(offset + 4, static_cast<uint32_t>(value >> 32));
  }

  DmaRegion dma_alloc(size_t size, size_t alignment) override {
    if (size == 0) throw DriverError(ErrorKind::kInvalidArgument, "dma_alloc of 0 bytes");
    if (alignment < kHostPage || (alignment & (alignment - 1)) != 0) {
      throw DriverError(ErrorKind::kInvalidArgument,
                        fmt::format("dma_alloc alignment {} is not a power of two of at least 4096", alignment));
    }
    const uint64_t bytes = round_up(size, min_page_);
    const uint64_t align = std::max<uint64_t>(alignment, min_page_);
    // VFIO counts every pinned page against RLIMIT_MEMLOCK and answers a
    // mapping past it with a bare ENOMEM: say so with the numbers first.
    check_memlock(identity_, bdf_, bytes, pinned_bytes_);
    std::byte* host = detail::map_host_memory(bdf_, bytes, align);
    const auto iova = iova_->allocate(bytes, align);
    if (!iova) {
      ::munmap(host, bytes);
      fail(
          fmt::format("{}: no IOVA space for {} bytes at or above 0x{:x}; the IOMMU accepts {}{}: pick another "
                      "--iova-base",
                      bdf_, bytes, iova_base_, iova_->describe_ranges(),
                      iova_ranges_assumed_ ? " (assumed: the kernel reported no IOVA ranges)" : ""));
    }
    vfio_iommu_type1_dma_map map{};
    map.argsz = sizeof map;
    map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
    map.vaddr = reinterpret_cast<uintptr_t>(host);
    map.iova = *iova;
    map.size = bytes;
    if (::ioctl(container_.get(), VFIO_IOMMU_MAP_DMA, &map) != 0) {
      const int error = errno;
      ::munmap(host, bytes);
      iova_->release(*iova);
      fail(detail::map_failure_message(bdf_, identity_, error, bytes, {pinned_bytes_, mappings_.size()}));
    }
    pinned_bytes_ += bytes;
    const DmaRegion region{host, *iova, static_cast<size_t>(bytes)};
    mappings_.emplace(*iova, region);
    return region;
  }

  void dma_free(const DmaRegion& region) noexcept override {
    const auto found = mappings_.find(region.iova);
    if (found == mappings_.end()) return;
    const DmaRegion mapped = found->second;
    mappings_.erase(found);
    vfio_iommu_type1_dma_unmap unmap{};
    unmap.argsz = sizeof unmap;
    unmap.iova = mapped.iova;
    unmap.size = mapped.size;
    if (::ioctl(container_.get(), VFIO_IOMMU_UNMAP_DMA, &unmap) != 0 || unmap.size != mapped.size) {
      // The IOMMU may still point at these pages: keep the IOVA reserved and the
      // memory mapped so neither is reused while the device can reach it.
      return;
    }
    pinned_bytes_ -= mapped.size;
    iova_->release(mapped.iova);
    ::munmap(mapped.host, mapped.size);
  }

  bool function_level_reset() override {
    if (!reset_supported_) return false;
    if (::ioctl(device_.get(), VFIO_DEVICE_RESET) != 0) {
      const int error = errno;
      fail(fmt::format("{}: VFIO_DEVICE_RESET failed: {}; check dmesg, the device may need a power cycle", bdf_,
                       errno_text(error)));
    }
    // The reset clears the command register on some paths: enable MMIO and
    // bus mastering again (a no-op where vfio-pci restored them).
    enable_pci_command();
    return true;
  }

  void stop_dma() noexcept override {
    if (!device_.valid()) return;
    try {
      write_command(read_command().set_bus_master(0));
    } catch (...) {
      // Config space unreadable: the device is gone, and with it its DMA.
    }
  }

  std::string name() const override { return bdf_; }
  bool is_simulator() const override { return false; }

 private:
  void check_container(const HostPaths& paths) {
    const int version = ::ioctl(container_.get(), VFIO_GET_API_VERSION);
    if (version < 0) {
      // The node opened but is no VFIO container: a plain file or another
      // driver's device node where /dev/vfio/vfio should be.
      const int error = errno;
      fail(fmt::format(
          "{}: VFIO_GET_API_VERSION on {} failed: {}; it is not the VFIO container (char 10:196): check "
          "`ls -l {}` and `modprobe vfio`",
          bdf_, paths.vfio_container().string(), errno_text(error), paths.vfio_container().parent_path().string()));
    }
    if (version != VFIO_API_VERSION) {
      fail(
          fmt::format("{}: the kernel's VFIO API version is {} but nvqual speaks {}; use a kernel with the standard "
                      "VFIO interface",
                      bdf_, version, VFIO_API_VERSION));
    }
    if (::ioctl(container_.get(), VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
      fail(
          fmt::format("{}: the kernel's VFIO has no type1v2 IOMMU backend: run `modprobe vfio_iommu_type1` and check "
                      "that the IOMMU is on (intel_iommu=on / amd_iommu=on)",
                      bdf_));
    }
  }

  void attach_group(const HostPaths& paths) {
    vfio_group_status status{};
    status.argsz = sizeof status;
    if (::ioctl(group_.get(), VFIO_GROUP_GET_STATUS, &status) != 0) {
      const int error = errno;
      fail(
          fmt::format("{}: VFIO_GROUP_GET_STATUS on {} failed: {}; it does not behave like a VFIO group node: "
                      "check `ls -l /dev/vfio` (a character device of the vfio driver), that vfio-pci is loaded, and "
                      "dmesg",
                      bdf_, paths.vfio_group(group_number_).string(), errno_text(error)));
    }
    if ((status.flags & VFIO_GROUP_FLAGS_VIABLE) == 0) fail(not_viable_message(paths, bdf_, group_number_));
    int container = container_.get();
    if (::ioctl(group_.get(), VFIO_GROUP_SET_CONTAINER, &container) != 0) {
      const int error = errno;
      if (error == EBUSY) fail(group_busy_message(paths, bdf_, group_number_));
      fail(
          fmt::format("{}: VFIO_GROUP_SET_CONTAINER for group {} failed: {}; check dmesg and that the IOMMU is on "
                      "(intel_iommu=on / amd_iommu=on)",
                      bdf_, group_number_, errno_text(error)));
    }
    if (::ioctl(container_.get(), VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) != 0) {
      const int error = errno;
      fail(
          fmt::format("{}: VFIO_SET_IOMMU (type1v2) failed: {}; the IOMMU driver did not take the group: check "
                      "dmesg and intel_iommu=on / amd_iommu=on on the kernel command line",
                      bdf_, errno_text(error)));
    }
  }

  void open_device(const HostPaths& paths) {
    device_ = UniqueFd(::ioctl(group_.get(), VFIO_GROUP_GET_DEVICE_FD, bdf_.c_str()));
    if (!device_.valid()) {
      const int error = errno;
      if (error == EBUSY) fail(group_busy_message(paths, bdf_, group_number_));
      fail(
          fmt::format("{}: VFIO_GROUP_GET_DEVICE_FD failed: {}; check that {} is in IOMMU group {} and bound to "
                      "vfio-pci (`nvqual devices`)",
                      bdf_, errno_text(error), bdf_, group_number_));
    }
    vfio_device_info info{};
    info.argsz = sizeof info;
    if (::ioctl(device_.get(), VFIO_DEVICE_GET_INFO, &info) != 0) {
      const int error = errno;
      fail(
          fmt::format("{}: VFIO_DEVICE_GET_INFO failed: {}; vfio-pci did not set the device up: check dmesg, then "
                      "rebind it (`nvqual unbind {}` and `nvqual bind {}` as root)",
                      bdf_, errno_text(error), bdf_, bdf_));
    }
    if ((info.flags & VFIO_DEVICE_FLAGS_PCI) == 0 || info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX) {
      fail(
          fmt::format("{}: VFIO reports a non-PCI device or no config region (flags 0x{:x}, {} regions); check that "
                      "{} is bound to vfio-pci itself, not a vendor variant driver (`nvqual devices`)",
                      bdf_, info.flags, info.num_regions, bdf_));
    }
    reset_supported_ = (info.flags & VFIO_DEVICE_FLAGS_RESET) != 0;
    config_ = detail::query_region(device_.get(), VFIO_PCI_CONFIG_REGION_INDEX, bdf_);
    bar0_region_ = detail::query_region(device_.get(), VFIO_PCI_BAR0_REGION_INDEX, bdf_);
    if (bar0_region_.size < 0x1000 + 8) {
      fail(fmt::format("{}: BAR0 is {} bytes, too small for NVMe registers and doorbells: is this an NVMe controller?",
                       bdf_, bar0_region_.size));
    }
  }

  pci::Command read_command() {
    pci::Command command;
    if (::pread(device_.get(), &command.raw, sizeof command.raw,
                static_cast<off_t>(config_.offset + pci::kCommandOffset)) != sizeof command.raw) {
      const int error = errno;
      fail(
          fmt::format("{}: reading the PCI command register failed: {}; the device may have dropped off the bus: "
                      "check `lspci -s {}` and dmesg",
                      bdf_, errno_text(error), bdf_));
    }
    return command;
  }

  void write_command(pci::Command command) noexcept {
    [[maybe_unused]] const auto written = ::pwrite(device_.get(), &command.raw, sizeof command.raw,
                                                   static_cast<off_t>(config_.offset + pci::kCommandOffset));
  }

  void enable_pci_command() {
    const pci::Command wanted = read_command().for_polled_driver();
    write_command(wanted);
    const pci::Command now = read_command();
    if (now.memory_space() == 0 || now.bus_master() == 0) {
      fail(
          fmt::format("{}: memory space and bus mastering did not stay enabled (command register 0x{:04x}); the "
                      "device may be in a low-power state or gone from the bus",
                      bdf_, now.raw));
    }
  }

  void map_bar0() {
    bar0_size_ = bar0_region_.size;
    if (!bar0_region_.mappable()) return;  // accesses go through pread/pwrite on the device fd
    void* mapped = ::mmap(nullptr, bar0_size_, PROT_READ | PROT_WRITE, MAP_SHARED, device_.get(),
                          static_cast<off_t>(bar0_region_.offset));
    // A failed mmap is not fatal: pread/pwrite reach the same registers, slower.
    if (mapped != MAP_FAILED) bar0_ = static_cast<std::byte*>(mapped);
  }

  void check_bar_access(uint32_t offset, uint32_t width) const {
    if (offset % width != 0 || uint64_t{offset} + width > bar0_size_) {
      throw DriverError(ErrorKind::kInvalidArgument,
                        fmt::format("{}: register access at 0x{:x} (width {}) is outside BAR0 ({} bytes) or unaligned",
                                    bdf_, offset, width, bar0_size_));
    }
  }

  void bar_pread(void* value, size_t width, uint32_t offset) {
    if (::pread(device_.get(), value, width, static_cast<off_t>(bar0_region_.offset + offset)) !=
        static_cast<ssize_t>(width)) {
      const int error = errno;
      fail(
          fmt::format("{}: BAR0 read at 0x{:x} failed: {}; the device may have dropped off the bus: check `lspci -s "
                      "{}` and dmesg",
                      bdf_, offset, errno_text(error), bdf_));
    }
  }

  void bar_pwrite(const void* value, size_t width, uint32_t offset) {
    if (::pwrite(device_.get(), value, width, static_cast<off_t>(bar0_region_.offset + offset)) !=
        static_cast<ssize_t>(width)) {
      const int error = errno;
      fail(
          fmt::format("{}: BAR0 write at 0x{:x} failed: {}; the device may have dropped off the bus: check `lspci -s "
                      "{}` and dmesg",
                      bdf_, offset, errno_text(error), bdf_));
    }
  }

  // Before Linux 5.4 VFIO does not report valid IOVA ranges: say which range
  // is assumed, because a mapping outside the real one fails much later.
  void warn_assumed_iova_ranges(const IommuInfo& iommu) {
    iova_ranges_assumed_ = true;
    fmt::print(stderr,
               "nvqual: warning: {}: the kernel reported no IOVA ranges ({}); assuming {} (39 bits, the narrowest VT-d "
               "width); if DMA mapping fails, pick an --iova-base the IOMMU accepts\n",
               bdf_, iommu.malformed ? "malformed VFIO_IOMMU_GET_INFO capability chain" : "Linux before 5.4",
               iova_->describe_ranges());
  }

  HostIdentity identity_;
  std::string bdf_;
  int group_number_;
  DeviceLock lock_;
  UniqueFd container_;
  UniqueFd group_;
  UniqueFd device_;
  detail::RegionInfo config_{};
  detail::RegionInfo bar0_region_{};
  bool reset_supported_ = false;
  std::byte* bar0_ = nullptr;
  uint64_t bar0_size_ = 0;
  uint64_t min_page_ = kHostPage;
  uint64_t iova_base_ = 0;
  bool iova_ranges_assumed_ = false;
  std::optional<IovaAllocator> iova_;
  std::map<uint64_t, DmaRegion> mappings_;  // by IOVA
  uint64_t pinned_bytes_ = 0;
};

}  // namespace

std::unique_ptr<Transport> open(const VfioOptions& options) {
  const HostIdentity identity = HostIdentity::current(options.paths);
  PreflightResult checked = preflight(options.paths, identity, options.bdf, options.dma_estimate_bytes);
  DeviceLock lock = DeviceLock::acquire(options.paths, checked.bdf);
  return std::make_unique<VfioTransport>(options, identity, std::move(checked), std::move(lock));
}

}  // namespace nvqual::vfio
