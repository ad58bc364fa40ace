// A device that carries out an admin command and then reports it refused:
// after the simulator posts the completion for the chosen opcode, the status
// in host memory is replaced (phase kept). The hostile simulator found that
// the driver freed the rings of a "refused" Create I/O CQ the device had in
// fact created; this reproduces that one lie on purpose.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "common/forwarding_transport.hpp"
#include "nvqual/driver/spec/queue_entries.hpp"
#include "nvqual/driver/spec/registers.hpp"
#include "nvqual/driver/spec/status.hpp"

namespace nvqual::testing_support {

class RefusingTransport final : public ForwardingTransport {
 public:
  RefusingTransport(Transport& inner, uint8_t opcode, spec::Status status)
      : ForwardingTransport(inner), opcode_(opcode), status_(status) {}

  int refused = 0;  // completions rewritten

  DmaRegion dma_alloc(size_t size, size_t alignment) override {
    const DmaRegion region = inner().dma_alloc(size, alignment);
    regions_.push_back(region);
    return region;
  }
  void write64(uint32_t offset, uint64_t value) override {
    if (offset == spec::reg::kAsq) asq_ = value;
    if (offset == spec::reg::kAcq) acq_ = value;
    inner().write64(offset, value);
  }
  void write32(uint32_t offset, uint32_t value) override {
    if (offset != spec::reg::kDoorbellBase || host(acq_) == nullptr || host(asq_) == nullptr) {
      inner().write32(offset, value);
      return;
    }
    // The admin SQ tail doorbell: the entry just before the new tail is the command.
    const DmaRegion* cq = region(acq_);
    const size_t cq_entries = cq->size / sizeof(spec::CompletionEntry);
    std::vector<spec::CompletionEntry> before(cq_entries);
    std::memcpy(before.data(), cq->host, cq_entries * sizeof(spec::CompletionEntry));
    const auto* sq = reinterpret_cast<const spec::SubmissionEntry*>(host(asq_));
    const size_t sq_entries = region(asq_)->size / sizeof(spec::SubmissionEntry);
    const spec::SubmissionEntry sqe = sq[(value + sq_entries - 1) % sq_entries];
    inner().write32(offset, value);  // inline simulator: the completion is posted now
    if (sqe.opcode() != opcode_) return;
    auto* ring = reinterpret_cast<spec::CompletionEntry*>(cq->host);
    for (size_t i = 0; i < cq_entries; ++i) {
      if (std::memcmp(&ring[i], &before[i], sizeof ring[i]) != 0 && ring[i].cid() == sqe.cid()) {
        ring[i].set_status(status_);
        ++refused;
      }
    }
  }

 private:
  const DmaRegion* region(uint64_t iova) const {
    for (const auto& r : regions_) {
      if (iova >= r.iova && iova < r.iova + r.size) return &r;
    }
    return nullptr;
  }
  std::byte* host(uint64_t iova) const {
    const DmaRegion* r = region(iova);
    return r == nullptr || iova == 0 ? nullptr : r->host + (iova - r->iova);
  }

  uint8_t opcode_;
  spec::Status status_;
  std::vector<DmaRegion> regions_;
  uint64_t asq_ = 0;
  uint64_t acq_ = 0;
};

}  // namespace nvqual::testing_support
