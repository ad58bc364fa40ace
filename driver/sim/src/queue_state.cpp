#include "queue_state.hpp"

#include <atomic>
#include <cstring>

#include <fmt/format.h>

namespace nvqual::sim {

bool QueueMemory::overlaps(uint64_t iova, size_t size) const {
  const auto hits = [&](uint64_t start, size_t length) { return start < iova + size && iova < start + length; };
  for (uint64_t page : page_iovas) {
    if (hits(page, page_size)) return true;
  }
  return list_bytes != 0 && hits(list_iova, list_bytes);
}

QueueMemoryResult map_queue_memory(const IovaSpace& space, uint64_t base, size_t bytes, bool contiguous,
                                   uint64_t page_size) {
  QueueMemoryResult result;
  QueueMemory& m = result.memory;
  m.page_size = page_size;
  const size_t page_count = (bytes + page_size - 1) / page_size;
  const auto fail = [&](uint64_t iova, const char* what) {
    result.status = spec::status::kDataTransferError;
    result.violation = fmt::format(
        "queue {} at 0x{:x} is not mapped DMA memory; allocate the ring before "
        "creating the queue and keep it until the queue is deleted",
        what, iova);
    return result;
  };
  if (!contiguous) {
    m.list_iova = base;
    m.list_bytes = page_count * sizeof(uint64_t);
    const auto* list = reinterpret_cast<const uint64_t*>(space.translate(base, m.list_bytes));
    if (list == nullptr) return fail(base, "PRP list");
    for (size_t i = 0; i < page_count; ++i) {
      if (list[i] % page_size != 0) {
        result.status = spec::status::kPrpOffsetInvalid;
        result.violation = fmt::format("queue PRP list entry {} is 0x{:x}, not page aligned", i, list[i]);
        return result;
      }
      m.page_iovas.push_back(list[i]);
    }
  } else {
    for (size_t i = 0; i < page_count; ++i) m.page_iovas.push_back(base + i * page_size);
  }
  for (size_t i = 0; i < page_count; ++i) {
    const size_t length = std::min<size_t>(page_size, bytes - i * page_size);
    std::byte* host = space.translate(m.page_iovas[i], length);
    if (host == nullptr) return fail(m.page_iovas[i], "page");
    m.pages.push_back(host);
  }
  return result;
}

SubmissionQueue::SubmissionQueue(uint16_t qid_, uint16_t cqid_, uint32_t entries_, uint64_t base_, QueueMemory memory_,
                                 DoorbellState& doorbell_)
    : qid(qid_), cqid(cqid_), entries(entries_), base(base_), memory(std::move(memory_)), doorbell(doorbell_) {
  doorbell.sq_tail.store(0);
  doorbell.sq_head.store(0);
  doorbell.drain_pending.store(false);
  doorbell.sq_entries.store(entries, std::memory_order_release);  // last: the queue is now visible
}

SubmissionQueue::~SubmissionQueue() { doorbell.sq_entries.store(0, std::memory_order_release); }

spec::SubmissionEntry SubmissionQueue::entry(uint32_t index) const {
  spec::SubmissionEntry sqe;
  std::memcpy(&sqe, memory.at(uint64_t{index} * sizeof(sqe)), sizeof(sqe));
  return sqe;
}

spec::SubmissionEntry SubmissionQueue::fetch() {
  const spec::SubmissionEntry sqe = entry(head_);
  head_ = next(head_);
  doorbell.sq_head.store(head_, std::memory_order_release);
  return sqe;
}

CompletionQueue::CompletionQueue(uint16_t qid_, uint32_t entries_, uint64_t base_, QueueMemory memory_,
                                 DoorbellState& doorbell_)
    : qid(qid_), entries(entries_), base(base_), memory(std::move(memory_)), doorbell(doorbell_) {
  doorbell.cq_head.store(0);
  doorbell.cq_tail.store(0);
  doorbell.cq_pending.store(false);
  doorbell.cq_entries.store(entries, std::memory_order_release);
}

CompletionQueue::~CompletionQueue() { doorbell.cq_entries.store(0, std::memory_order_release); }

size_t CompletionQueue::deliver(const PendingCompletion& completion) {
  if (pending.empty() && !full()) {
    write(completion);
    return 1;
  }
  pending.push_back(completion);
  // Announce the backlog, then look at the head once more: a host that
  // freed slots before it could see the flag is caught here, one that frees
  // them later sees the flag (both sides use sequentially consistent order).
  doorbell.cq_pending.store(true, std::memory_order_seq_cst);
  return flush();
}

size_t CompletionQueue::flush() {
  size_t written = 0;
  while (!pending.empty() && !full()) {
    write(pending.front());
    pending.pop_front();
    ++written;
  }
  if (pending.empty()) doorbell.cq_pending.store(false, std::memory_order_seq_cst);
  return written;
}

void CompletionQueue::write(const PendingCompletion& completion) {
  auto* slot = reinterpret_cast<spec::CompletionEntry*>(memory.at(uint64_t{tail_} * sizeof(spec::CompletionEntry)));
  spec::CompletionEntry cqe = completion.cqe;
  cqe.set_phase(completion.invert_phase ? !phase_ : phase_);
  slot->dw0 = cqe.dw0;
  slot->dw1 = cqe.dw1;
  slot->dw2 = cqe.dw2;
  std::atomic_ref<uint32_t>(slot->dw3).store(cqe.dw3, std::memory_order_release);
  if (++tail_ == entries) {
    tail_ = 0;
    phase_ = !phase_;
  }
  doorbell.cq_tail.store(tail_, std::memory_order_release);
}

}  // namespace nvqual::sim
