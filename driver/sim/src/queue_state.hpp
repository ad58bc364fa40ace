// Submission and completion queues as the controller keeps them (NVMe Base
// 2.0, 3.3): where the ring lives in host memory, head/tail and phase.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "iova_space.hpp"
#include "nvqual/driver/spec/queue_entries.hpp"
#include "nvqual/driver/spec/status.hpp"

namespace nvqual::sim {

// A ring's memory, one host pointer per controller memory page: a
// physically contiguous queue and a PRP-list (PC=0) queue look alike here.
struct QueueMemory {
  std::vector<std::byte*> pages;
  std::vector<uint64_t> page_iovas;
  uint64_t list_iova = 0;  // the PRP list of a PC=0 queue, else 0
  size_t list_bytes = 0;
  uint64_t page_size = 4096;

  std::byte* at(uint64_t byte_offset) const { return pages[byte_offset / page_size] + byte_offset % page_size; }
  // True when any page of the ring (or its PRP list) lies in [iova, iova + size).
  bool overlaps(uint64_t iova, size_t size) const;
};

struct QueueMemoryResult {
  QueueMemory memory;
  spec::Status status = spec::status::kSuccess;
  std::string violation;
};
// Translates a ring of `bytes` at `base`: contiguous, or (contiguous=false)
// described by the PRP list at `base`.
QueueMemoryResult map_queue_memory(const IovaSpace& space, uint64_t base, size_t bytes, bool contiguous,
                                   uint64_t page_size);

struct SubmissionQueue {
  uint16_t qid = 0;
  uint16_t cqid = 0;
  uint32_t entries = 0;
  uint64_t base = 0;
  QueueMemory memory;
  uint32_t head = 0;  // next entry the controller fetches
  uint32_t tail = 0;  // last value the host wrote to the tail doorbell
  bool fetch_scheduled = false;  // threaded mode: a drain is already posted

  uint32_t next(uint32_t index) const { return index + 1 == entries ? 0 : index + 1; }
  spec::SubmissionEntry entry(uint32_t index) const;
};

struct PendingCompletion {
  spec::CompletionEntry cqe;
  bool invert_phase = false;  // wrong-phase fault
};

struct CompletionQueue {
  uint16_t qid = 0;
  uint32_t entries = 0;
  uint64_t base = 0;
  QueueMemory memory;
  uint32_t head = 0;  // last value the host wrote to the head doorbell
  uint32_t tail = 0;  // next slot the controller writes
  bool phase = true;  // phase tag of the current pass; 1 on the first
  bool interrupts = false;
  uint16_t vector = 0;
  uint32_t attached_sqs = 0;
  std::deque<PendingCompletion> pending;  // waiting for the host to free slots

  bool full() const { return (tail + 1) % entries == head; }
  // Entries posted and not yet released by the host.
  uint32_t posted() const { return (tail + entries - head) % entries; }
  // Writes one entry: dwords 0-2, then dword 3 (phase) with release ordering,
  // since the host polls dword 3 with acquire.
  void write(const PendingCompletion& completion);
};

}  // namespace nvqual::sim
