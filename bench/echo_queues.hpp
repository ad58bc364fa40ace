// The "echo" device's I/O side, shared by the benchmarks that measure the
// driver's own cost: every command is completed inside its SQ tail doorbell
// write, moving no data and taking no locks. Each I/O queue pair has its own
// ring state (a cache line of its own), so threads on different queue pairs
// never share anything here.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

#include "nvqual/driver/spec/queue_entries.hpp"
#include "nvqual/driver/spec/registers.hpp"

namespace nvqual::bench {

class EchoQueues {
 public:
  static constexpr uint16_t kMaxQid = 8;

  // `sq` and `cq` are the host addresses of the queue pair's rings.
  void attach(uint16_t qid, std::byte* sq, std::byte* cq, uint32_t entries, uint32_t doorbell_stride) {
    Queue& q = queues_.at(qid);
    q = Queue{};
    q.sq = reinterpret_cast<const spec::SubmissionEntry*>(sq);
    q.cq = reinterpret_cast<spec::CompletionEntry*>(cq);
    q.entries = entries;
    q.qid = qid;
    stride_shift_ = static_cast<uint32_t>(std::countr_zero(doorbell_stride));  // 4 << CAP.DSTRD bytes
  }

  // True when `offset` is a doorbell of an attached I/O queue (then handled).
  bool doorbell(uint32_t offset, uint32_t value) {
    if (offset < spec::reg::kDoorbellBase) return false;
    // A shift, not a division: this runs in every doorbell write the figures count.
    const uint32_t index = (offset - spec::reg::kDoorbellBase) >> stride_shift_;
    const uint32_t qid = index / 2;
    if (qid == 0 || qid > kMaxQid || queues_[qid].sq == nullptr) return false;
    if (index % 2 == 0) echo(queues_[qid], value);  // a CQ head doorbell needs nothing
    return true;
  }

 private:
  struct alignas(64) Queue {
    const spec::SubmissionEntry* sq = nullptr;
    spec::CompletionEntry* cq = nullptr;
    uint32_t entries = 0;
    uint32_t sq_head = 0;
    uint32_t cq_tail = 0;
    uint16_t qid = 0;
    bool phase = true;
  };

  static void echo(Queue& q, uint32_t tail) {
    while (q.sq_head != tail) {
      const uint16_t cid = q.sq[q.sq_head].cid();
      q.sq_head = q.sq_head + 1 == q.entries ? 0 : q.sq_head + 1;
      spec::CompletionEntry cqe{};
      cqe.set_sqid(q.qid);
      cqe.set_sqhd(static_cast<uint16_t>(q.sq_head));
      cqe.set_cid(cid);
      cqe.set_phase(q.phase);
      q.cq[q.cq_tail] = cqe;
      if (++q.cq_tail == q.entries) {
        q.cq_tail = 0;
        q.phase = !q.phase;
      }
    }
  }

  uint32_t stride_shift_ = 2;
  std::array<Queue, kMaxQid + 1> queues_{};
};

}  // namespace nvqual::bench
