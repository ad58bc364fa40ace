// The only way the driver core reaches a controller: 32/64-bit register access
// in BAR0 and memory the controller can reach by DMA. Two implementations: the
// VFIO transport (a real device) and the simulated controller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace nvqual {

// Memory visible to both the host (host pointer) and the controller (IOVA).
struct DmaRegion {
  std::byte* host = nullptr;
  uint64_t iova = 0;
  size_t size = 0;
};

// Where DMA memory comes from: a transport (mapped per call) or a DmaArena
// (carved out of one region mapped once, dma_arena.hpp). DmaBuffer frees
// through whichever allocated it.
class DmaMemory {
 public:
  virtual ~DmaMemory() = default;
  // Zeroed memory of `size` bytes (rounded up to 4 KiB), aligned to `alignment`
  // (a power of two, at least 4 KiB) in both host and IOVA space. Throws on failure.
  virtual DmaRegion dma_alloc(size_t size, size_t alignment) = 0;
  virtual void dma_free(const DmaRegion& region) noexcept = 0;
};

class Transport : public DmaMemory {
 public:
  virtual uint32_t read32(uint32_t offset) = 0;
  virtual uint64_t read64(uint32_t offset) = 0;
  virtual void write32(uint32_t offset, uint32_t value) = 0;
  // 64-bit registers (ASQ, ACQ) may also be written as two 32-bit halves, low first.
  virtual void write64(uint32_t offset, uint64_t value) = 0;

  // dma_alloc / dma_free (DmaMemory): each call maps or unmaps (VFIO: an
  // mmap and VFIO_IOMMU_MAP_DMA); the per-command path uses an arena instead.

  // A piece of a DmaArena's region goes back to the arena (still mapped): the
  // simulator checks, as for dma_free, that nothing the controller can reach
  // points into it. A no-op for a real device.
  virtual void dma_returned(const DmaRegion& piece) noexcept { (void)piece; }

  // Bytes of BAR0 (registers and doorbells), 0 where unknown. The driver
  // refuses a CAP.DSTRD whose doorbells would not fit in it.
  virtual uint64_t bar0_size() const { return 0; }
  // Function-level reset (VFIO_DEVICE_RESET); false where the transport has none.
  virtual bool function_level_reset() { return false; }

  // Stops the function's DMA where the transport can (VFIO: PCI bus mastering
  // off), for emergency_disable() before the process exits. Frees nothing;
  // a no-op where there is no such switch (the simulator).
  virtual void stop_dma() noexcept {}

  // "simulator" or the PCI address; goes into every message and report.
  virtual std::string name() const = 0;
  virtual bool is_simulator() const = 0;
};

}  // namespace nvqual
