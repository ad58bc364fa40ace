// Faults that spoil a data transfer which still completes with success: the
// kind a host only notices by looking at the data (bad-read-transfer,
// prp1-only). Not synchronised: the Device calls it holding dma_mutex_, the
// lock every data transfer takes anyway.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "nvqual/sim/profile.hpp"

namespace nvqual::sim {

// What to do to one Read's transfer.
struct ReadTransferPlan {
  bool skip = false;                               // move nothing
  bool drop_prp1_offset = false;                   // place the data at PRP1's page start
  std::vector<std::pair<uint32_t, uint8_t>> xors;  // (byte of the transfer, mask)
};

class TransferFaults {
 public:
  explicit TransferFaults(const std::vector<Fault>& faults);

  // Counts one Read through I/O queue `qid` against every bad-read-transfer
  // fault and returns what applies to it.
  ReadTransferPlan for_read(uint16_t qid);
  // Applies the plan's XORs to the data about to be moved.
  static void corrupt(const ReadTransferPlan& plan, std::span<std::byte> data);
  // True when transfers on this kind of queue stop after PRP1's part.
  bool prp1_only(bool admin) const { return admin ? prp1_only_admin_ : prp1_only_io_; }

 private:
  struct Counted {
    BadReadTransferFault fault;
    uint64_t matched = 0;
  };
  std::vector<Counted> reads_;
  bool prp1_only_admin_ = false;
  bool prp1_only_io_ = false;
};

}  // namespace nvqual::sim
