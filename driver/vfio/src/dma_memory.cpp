#include "dma_memory.hpp"

#include <sys/mman.h>

#include <cerrno>

#include <fmt/format.h>

#include "nvqual/driver/errors.hpp"
#include "sysfs_file.hpp"

namespace nvqual::vfio::detail {

// Map more than asked, then trim the unaligned head and the tail. Ordinary
// pages: VFIO pins them, hugepages are never needed.
std::byte* map_host_memory(const std::string& bdf, uint64_t bytes, uint64_t alignment) {
  const uint64_t span = bytes + alignment - kHostPage;
  void* raw = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) {
    const int error = errno;
    throw DriverError(ErrorKind::kEnvironment,
                      fmt::format("{}: cannot allocate {} bytes of DMA memory: {}; free memory or lower the transfer "
                                  "size",
                                  bdf, bytes, errno_text(error)));
  }
  const auto start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = round_up(start, alignment);
  if (aligned > start) ::munmap(raw, aligned - start);
  const uintptr_t end = aligned + bytes;
  if (start + span > end) ::munmap(reinterpret_cast<void*>(end), start + span - end);
  auto* host = reinterpret_cast<std::byte*>(aligned);
  // A fork (e.g. a helper process) must not turn pinned pages copy-on-write.
  ::madvise(host, bytes, MADV_DONTFORK);
  return host;
}

std::string map_failure_message(const std::string& bdf, const HostIdentity& identity, int error, uint64_t bytes,
                                PinState pinned) {
  if (error == ENOMEM && !identity.cap_ipc_lock && identity.memlock_limit != HostIdentity::kUnlimited) {
    // dma_alloc checked nvqual's own total already: the kernel also counts
    // memory this process locked otherwise (mlock, another container).
    return fmt::format(
        "{}: VFIO_IOMMU_MAP_DMA of {} KiB failed with ENOMEM although nvqual has pinned only {} KiB "
        "of its RLIMIT_MEMLOCK of {} KiB: the process holds other locked memory (VmLck in "
        "/proc/self/status) or the host is short of memory; raise the limit (`ulimit -l`, "
        "/etc/security/limits.conf memlock) or run as root",
        bdf, (bytes + 1023) / 1024, (pinned.pinned_bytes + 1023) / 1024, (identity.memlock_limit + 1023) / 1024);
  }
  if (error == ENOSPC) {
    return fmt::format(
        "{}: VFIO_IOMMU_MAP_DMA refused a new mapping (ENOSPC): the vfio_iommu_type1 "
        "dma_entry_limit is reached with {} mappings; raise it (modprobe vfio_iommu_type1 "
        "dma_entry_limit=...) or use fewer, larger buffers",
        bdf, pinned.mappings);
  }
  return fmt::format("{}: VFIO_IOMMU_MAP_DMA of {} bytes failed: {}; check dmesg", bdf, bytes, errno_text(error));
}

}  // namespace nvqual::vfio::detail
