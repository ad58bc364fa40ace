#include "nvqual/driver/command_log.hpp"

#include <span>

#include <fmt/format.h>

namespace nvqual {

CommandLog::CommandLog(size_t capacity) : ring_(2 * (capacity == 0 ? 1 : capacity)) {}

void CommandLog::append(Event event) {
  event.sequence = ++events_;
  ring_[next_] = event;
  next_ = next_ + 1 == ring_.size() ? 0 : next_ + 1;
}

void CommandLog::record_submission(uint16_t qid, const spec::SubmissionEntry& sqe, Clock::time_point when) {
  Event event;
  event.qid = qid;
  event.command = sqe;
  event.when = when;
  event.command_number = ++commands_;
  append(event);
}

void CommandLog::record_completion(uint16_t qid, const spec::CompletionEntry& cqe, Clock::time_point when) {
  Event event;
  event.is_completion = true;
  event.qid = qid;
  event.completion = cqe;
  event.when = when;
  if (!cqe.status().ok()) record_failure(qid, cqe, when);
  append(event);
}

// Off the hot path: only error completions come here. The submission is
// usually a few events back; one that already fell out of the ring is kept
// with an empty command, so the failure still counts.
void CommandLog::record_failure(uint16_t qid, const spec::CompletionEntry& cqe, Clock::time_point when) {
  if (failures_.size() >= kMaxFailures) {
    ++failures_dropped_;
    return;
  }
  CommandRecord record;
  record.qid = qid;
  record.command.set_cid(cqe.cid());
  record.completion = cqe;
  record.completed = when;
  for (size_t back = 1; back <= ring_.size(); ++back) {
    const Event& event = ring_[(next_ + ring_.size() - back) % ring_.size()];
    if (event.sequence == 0) break;
    if (event.is_completion || event.qid != qid || event.command.cid() != cqe.cid()) continue;
    record.sequence = event.command_number;
    record.command = event.command;
    record.submitted = event.when;
    break;
  }
  failures_.push_back(record);
}

std::vector<CommandRecord> CommandLog::records() const {
  std::vector<CommandRecord> out;
  for (size_t i = 0; i < ring_.size(); ++i) {
    const Event& event = ring_[(next_ + i) % ring_.size()];
    if (event.sequence == 0) continue;
    if (!event.is_completion) {
      CommandRecord record;
      record.qid = event.qid;
      record.command = event.command;
      record.submitted = event.when;
      out.push_back(record);
      continue;
    }
    // Newest open submission of this (qid, CID): a CID is reused only after its completion.
    for (auto it = out.rbegin(); it != out.rend(); ++it) {
      if (it->qid == event.qid && it->command.cid() == event.completion.cid() && !it->completion) {
        it->completion = event.completion;
        it->completed = event.when;
        break;
      }
    }
  }
  // Sequence numbers count commands since the log was created or cleared.
  uint64_t sequence = commands_ >= out.size() ? commands_ - out.size() : 0;
  for (auto& record : out) record.sequence = ++sequence;
  return out;
}

void CommandLog::clear() {
  for (auto& event : ring_) event = Event{};
  next_ = 0;
  commands_ = 0;
  failures_.clear();
  failures_dropped_ = 0;
}

std::string CommandLog::format(size_t last) const {
  std::string text;
  const std::vector<CommandRecord> all = records();
  const size_t skip = all.size() > last ? all.size() - last : 0;
  for (const CommandRecord& r : std::span(all).subspan(skip)) {
    const auto& c = r.command;
    // FUSE and CDW13-15 are zero in almost every command: shown only when set,
    // so the cases that set them (fused, invalid-field) show what was sent.
    text += fmt::format("#{} q{} cid {} {}", r.sequence, r.qid, c.cid(), opcode_name(r.qid, c.opcode()));
    if (c.fuse() != 0) text += fmt::format(" fuse {}", c.fuse());
    text += fmt::format(" nsid {} cdw10 {:08x} cdw11 {:08x} cdw12 {:08x}", c.nsid, c.cdw10, c.cdw11, c.cdw12);
    const uint32_t high[] = {c.cdw13, c.cdw14, c.cdw15};
    for (int i = 0; i < 3; ++i) {
      if (high[i] != 0) text += fmt::format(" cdw{} {:08x}", 13 + i, high[i]);
    }
    text += fmt::format(" prp1 {:#x} prp2 {:#x}", c.prp1, c.prp2);
    if (r.completion) {
      text += fmt::format(" -> {} dw0 {:08x} sqhd {}", r.completion->status().describe(), r.completion->dw0,
                          r.completion->sqhd());
      if (r.submitted != Clock::time_point{}) {
        const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(r.completed - r.submitted);
        text += fmt::format(" ({} us)", elapsed.count());
      }
      text += "\n";
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
