#include "nvqual/driver/command_log.hpp"

#include <fmt/format.h>

namespace nvqual {

CommandLog::CommandLog(size_t capacity) : ring_(capacity == 0 ? 1 : capacity) {}

uint64_t CommandLog::record_submission(uint16_t qid, const spec::SubmissionEntry& sqe, Clock::time_point when) {
  CommandRecord& slot = ring_[next_];
  slot = CommandRecord{++sequence_, qid, sqe, std::nullopt, when, {}};
  next_ = (next_ + 1) % ring_.size();
  return sequence_;
}

void CommandLog::record_completion(uint16_t qid, const spec::CompletionEntry& cqe, Clock::time_point when) {
  // Newest first: a CID is only reused after its completion, so the newest
  // open record with this (qid, cid) is the one completing.
  for (size_t i = 0; i < ring_.size(); ++i) {
    CommandRecord& record = ring_[(next_ + ring_.size() - 1 - i) % ring_.size()];
    if (record.sequence == 0) break;
    if (record.qid == qid && record.command.cid() == cqe.cid() && !record.completion) {
      record.completion = cqe;
      record.completed = when;
      return;
    }
  }
}

std::vector<CommandRecord> CommandLog::records() const {
  std::vector<CommandRecord> out;
  for (size_t i = 0; i < ring_.size(); ++i) {
    const CommandRecord& record = ring_[(next_ + i) % ring_.size()];
    if (record.sequence != 0) out.push_back(record);
  }
  return out;
}

void CommandLog::clear() {
  for (auto& record : ring_) record = CommandRecord{};
  next_ = 0;
}

std::string CommandLog::format() const {
  std::string text;
  for (const CommandRecord& r : records()) {
    const auto& c = r.command;
    text += fmt::format("#{} q{} cid {} {} nsid {} cdw10 {:08x} cdw11 {:08x} cdw12 {:08x} prp1 {:#x} prp2 {:#x}",
                        r.sequence, r.qid, c.cid(), opcode_name(r.qid, c.opcode()), c.nsid, c.cdw10, c.cdw11,
                        c.cdw12, c.prp1, c.prp2);
    if (r.completion) {
      const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(r.completed - r.submitted);
      text += fmt::format(" -> {} dw0 {:08x} sqhd {} ({} us)\n", r.completion->status().describe(),
                          r.completion->dw0, r.completion->sqhd(), elapsed.count());
    } else {
      text += " -> no completion\n";
    }
  }
  return text;
}

std::string opcode_name(uint16_t qid, uint8_t opcode) {
  if (qid == 0) {
    switch (static_cast<spec::AdminOpcode>(opcode)) {
      case spec::AdminOpcode::kDeleteIoSq: return "Delete I/O SQ";
      case spec::AdminOpcode::kCreateIoSq: return "Create I/O SQ";
      case spec::AdminOpcode::kGetLogPage: return "Get Log Page";
      case spec::AdminOpcode::kDeleteIoCq: return "Delete I/O CQ";
      case spec::AdminOpcode::kCreateIoCq: return "Create I/O CQ";
      case spec::AdminOpcode::kIdentify: return "Identify";
      case spec::AdminOpcode::kAbort: return "Abort";
      case spec::AdminOpcode::kSetFeatures: return "Set Features";
      case spec::AdminOpcode::kGetFeatures: return "Get Features";
      case spec::AdminOpcode::kAsyncEventRequest: return "Asynchronous Event Request";
      case spec::AdminOpcode::kKeepAlive: return "Keep Alive";
      case spec::AdminOpcode::kFormatNvm: return "Format NVM";
      case spec::AdminOpcode::kSanitize: return "Sanitize";
      default: break;
    }
    return fmt::format("admin opcode {:02x}h", opcode);
  }
  switch (static_cast<spec::NvmOpcode>(opcode)) {
    case spec::NvmOpcode::kFlush: return "Flush";
    case spec::NvmOpcode::kWrite: return "Write";
    case spec::NvmOpcode::kRead: return "Read";
    case spec::NvmOpcode::kCompare: return "Compare";
    case spec::NvmOpcode::kWriteZeroes: return "Write Zeroes";
    case spec::NvmOpcode::kDatasetManagement: return "Dataset Management";
    case spec::NvmOpcode::kVerify: return "Verify";
    default: break;
  }
  return fmt::format("I/O opcode {:02x}h", opcode);
}

}  // namespace nvqual
