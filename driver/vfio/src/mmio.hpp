// Volatile 32-bit accesses to a mapped BAR with the ordering Linux's
// readl()/writel() give: a write is ordered after earlier stores to DMA memory
// (the queue entry before its doorbell), a read before later loads from DMA
// memory (CSTS before the data it announces).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace nvqual::vfio::detail {

inline void barrier_before_mmio_write() {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("" ::: "memory");  // x86 keeps stores in order; stop the compiler reordering
#elif defined(__aarch64__)
  asm volatile("dmb oshst" ::: "memory");
#else
  std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

inline void barrier_after_mmio_read() {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("" ::: "memory");
#elif defined(__aarch64__)
  asm volatile("dmb oshld" ::: "memory");
#else
  std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

inline uint32_t mmio_read32(std::byte* base, uint32_t offset) {
  const uint32_t value = *reinterpret_cast<volatile uint32_t*>(base + offset);
  barrier_after_mmio_read();
  return value;
}

inline void mmio_write32(std::byte* base, uint32_t offset, uint32_t value) {
  barrier_before_mmio_write();
  *reinterpret_cast<volatile uint32_t*>(base + offset) = value;
}

}  // namespace nvqual::vfio::detail
