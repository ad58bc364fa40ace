// The counts behind CommandCounts (command_counts.hpp): read-class commands
// sent and completed, with their bytes, so the harness can hold SMART's
// Host Read Commands and Data Units Read against what nvqual really read.
// Called for every command in post_ring_collect: admin commands and every
// other opcode leave after one comparison.
#include "nvqual/driver/controller.hpp"

namespace nvqual {

namespace {

enum class ReadClass { kNone, kMovesData, kVerify };

ReadClass read_class(uint16_t qid, uint8_t opcode) {
  if (qid == 0) return ReadClass::kNone;
  switch (static_cast<spec::NvmOpcode>(opcode)) {
    case spec::NvmOpcode::kRead:
    case spec::NvmOpcode::kCompare: return ReadClass::kMovesData;
    case spec::NvmOpcode::kVerify: return ReadClass::kVerify;
    default: return ReadClass::kNone;
  }
}

// NLB, CDW12 bits 15:0, is 0-based (NVM Command Set 1.0, 3.2.4).
uint64_t blocks_of(const spec::SubmissionEntry& sqe) { return uint64_t{sqe.cdw12 & 0xFFFF} + 1; }

}  // namespace

void Controller::count_sent(uint16_t qid, const spec::SubmissionEntry& sqe) {
  if (read_class(qid, sqe.opcode()) == ReadClass::kNone) return;
  ++counts_.reads_sent;
  const auto format = formats_.find(sqe.nsid);
  if (format == formats_.end() || format->second.data_size() == 0) {
    ++counts_.reads_of_unknown_size;
    return;
  }
  counts_.bytes_read_sent += blocks_of(sqe) * format->second.data_size();
}

void Controller::count_completed(uint16_t qid, const spec::SubmissionEntry& sqe, const spec::CompletionEntry& cqe) {
  if (read_class(qid, sqe.opcode()) != ReadClass::kMovesData || !cqe.status().ok()) return;
  ++counts_.reads_completed;
  // A read of a namespace whose size is unknown moved an unknown number of bytes: none are claimed.
  const auto format = formats_.find(sqe.nsid);
  if (format != formats_.end()) counts_.bytes_read_completed += blocks_of(sqe) * format->second.data_size();
}

}  // namespace nvqual
