#include "transfer_faults.hpp"

namespace nvqual::sim {

TransferFaults::TransferFaults(const std::vector<Fault>& faults) {
  for (const auto& fault : faults) {
    if (const auto* f = std::get_if<BadReadTransferFault>(&fault)) reads_.push_back({*f, 0});
    if (const auto* f = std::get_if<Prp1OnlyFault>(&fault)) {
      prp1_only_admin_ = prp1_only_admin_ || f->queue != QueueKind::kIo;
      prp1_only_io_ = prp1_only_io_ || f->queue != QueueKind::kAdmin;
    }
  }
}

ReadTransferPlan TransferFaults::for_read(uint16_t qid) {
  ReadTransferPlan plan;
  for (auto& entry : reads_) {
    const BadReadTransferFault& f = entry.fault;
    if (f.qid != 0 && f.qid != qid) continue;
    if (++entry.matched % f.every != 0) continue;
    switch (f.effect) {
      case ReadTransferEffect::kSkip: plan.skip = true; break;
      case ReadTransferEffect::kDropPrp1Offset: plan.drop_prp1_offset = true; break;
      case ReadTransferEffect::kXor: plan.xors.emplace_back(f.byte, f.xor_mask); break;
    }
  }
  return plan;
}

void TransferFaults::corrupt(const ReadTransferPlan& plan, std::span<std::byte> data) {
  for (const auto& [byte, mask] : plan.xors) {
    if (byte < data.size()) data[byte] ^= std::byte{mask};
  }
}

}  // namespace nvqual::sim
