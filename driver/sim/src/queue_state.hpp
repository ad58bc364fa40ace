// Submission and completion queues as the controller keeps them (NVMe Base
// 2.0, 3.3): where the ring lives in host memory, head/tail and phase.
#pragma once

#include <atomic>
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

// What the doorbells share with the controller without its mutex: one per
// QID, alive as long as the simulator. In threaded mode the host's doorbell
// writes store here and return (the fast path); the device thread reads the
// tails it finds. Entries of 0 mean the queue does not exist.
struct DoorbellState {
  // Grouped by writer on separate cache lines, so the host's doorbell stores
  // and the device's progress stores do not keep stealing each other's line.
  alignas(64) std::atomic<uint32_t> sq_entries{0};
  std::atomic<uint32_t> cq_entries{0};
  alignas(64) std::atomic<uint32_t> sq_tail{0};        // the host's last SQ tail doorbell value
  std::atomic<uint32_t> cq_head{0};                    // the host's last CQ head doorbell value
  alignas(64) std::atomic<uint32_t> sq_head{0};        // the controller's fetch position, published
  std::atomic<uint32_t> cq_tail{0};                    // the next slot the controller writes, published
  alignas(64) std::atomic<bool> drain_pending{false};  // threaded: a tail the device thread has not seen
  std::atomic<bool> cq_pending{false};                 // completions wait for the host to free slots
};

// The controller's view of a submission queue. Creating one publishes it to
// its DoorbellState; destroying it withdraws it.
struct SubmissionQueue {
  SubmissionQueue(uint16_t qid, uint16_t cqid, uint32_t entries, uint64_t base, QueueMemory memory,
                  DoorbellState& doorbell);
  ~SubmissionQueue();
  SubmissionQueue(const SubmissionQueue&) = delete;
  SubmissionQueue& operator=(const SubmissionQueue&) = delete;

  const uint16_t qid;
  const uint16_t cqid;
  const uint32_t entries;
  const uint64_t base;
  const QueueMemory memory;
  DoorbellState& doorbell;

  uint32_t head() const { return head_; }
  uint32_t tail() const { return doorbell.sq_tail.load(std::memory_order_acquire); }
  uint32_t next(uint32_t index) const { return index + 1 == entries ? 0 : index + 1; }
  // Copies the entry at the head and advances (and publishes) the head.
  spec::SubmissionEntry fetch();
  spec::SubmissionEntry entry(uint32_t index) const;

 private:
  uint32_t head_ = 0;
};

struct PendingCompletion {
  spec::CompletionEntry cqe;
  bool invert_phase = false;  // wrong-phase fault
};

struct CompletionQueue {
  CompletionQueue(uint16_t qid, uint32_t entries, uint64_t base, QueueMemory memory, DoorbellState& doorbell);
  ~CompletionQueue();
  CompletionQueue(const CompletionQueue&) = delete;
  CompletionQueue& operator=(const CompletionQueue&) = delete;

  const uint16_t qid;
  const uint32_t entries;
  const uint64_t base;
  const QueueMemory memory;
  DoorbellState& doorbell;
  bool interrupts = false;
  uint16_t vector = 0;
  uint32_t attached_sqs = 0;
  std::deque<PendingCompletion> pending;  // waiting for the host to free slots

  uint32_t head() const { return doorbell.cq_head.load(std::memory_order_seq_cst); }
  uint32_t tail() const { return tail_; }
  bool phase() const { return phase_; }
  bool full() const { return (tail_ + 1) % entries == head(); }
  // Entries posted and not yet released by the host.
  uint32_t posted() const { return (tail_ + entries - head()) % entries; }
  // Posts now, or queues it when the ring is full (see flush()); returns
  // how many entries were written.
  size_t deliver(const PendingCompletion& completion);
  // Writes queued completions while there is room; returns how many.
  size_t flush();

 private:
  // Writes one entry: dwords 0-2, then dword 3 (phase) with release ordering,
  // since the host polls dword 3 with acquire.
  void write(const PendingCompletion& completion);

  uint32_t tail_ = 0;  // next slot the controller writes
  bool phase_ = true;  // phase tag of the current pass; 1 on the first
};

}  // namespace nvqual::sim
