// A bounded ring of the most recent commands and their completions, per
// controller. Printed when something fails, so a report shows what led there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nvqual/driver/clock.hpp"
#include "nvqual/driver/spec/queue_entries.hpp"

namespace nvqual {

struct CommandRecord {
  uint64_t sequence = 0;  // increases by one per submitted command, never wraps in practice
  uint16_t qid = 0;
  spec::SubmissionEntry command{};
  std::optional<spec::CompletionEntry> completion;
  Clock::time_point submitted{};
  Clock::time_point completed{};
};

class CommandLog {
 public:
  explicit CommandLog(size_t capacity);

  // Both are O(1) appends (they sit on the I/O hot path); submissions and
  // completions are paired only when the log is read. `when` may be a
  // default time point where reading the clock would cost too much.
  void record_submission(uint16_t qid, const spec::SubmissionEntry& sqe, Clock::time_point when);
  void record_completion(uint16_t qid, const spec::CompletionEntry& cqe, Clock::time_point when);

  // Oldest first. A completion is paired with the newest earlier submission of
  // the same (qid, CID); one whose submission fell out of the ring is dropped.
  std::vector<CommandRecord> records() const;
  // Every command that completed with an error status since the last clear(),
  // oldest first, kept even after the ring has dropped it: a run that provokes
  // errors on purpose can then be matched, error for error, against what an
  // independent observer (QEMU's trace) saw. At most kMaxFailures are kept.
  const std::vector<CommandRecord>& failures() const { return failures_; }
  uint64_t failures_dropped() const { return failures_dropped_; }
  static constexpr size_t kMaxFailures = 4096;
  size_t capacity() const { return ring_.size(); }
  void clear();
  // One line per record: "#12 q0 cid 5 Identify nsid 0 cdw10 00000001 -> 00/00 Successful Completion (12 us)";
  // only the newest `last` records when given (the tail is what led to a failure).
  std::string format(size_t last = SIZE_MAX) const;

 private:
  struct Event {
    uint64_t sequence = 0;        // 0: empty slot
    uint64_t command_number = 0;  // submissions: 1 for the first command since clear()
    bool is_completion = false;
    uint16_t qid = 0;
    spec::SubmissionEntry command{};
    spec::CompletionEntry completion{};
    Clock::time_point when{};
  };
  void append(Event event);
  void record_failure(uint16_t qid, const spec::CompletionEntry& cqe, Clock::time_point when);

  std::vector<Event> ring_;  // two events per command: submission and completion
  size_t next_ = 0;
  uint64_t events_ = 0;
  uint64_t commands_ = 0;
  std::vector<CommandRecord> failures_;
  uint64_t failures_dropped_ = 0;
};

// Short human name for an opcode on the admin queue (qid 0) or an I/O queue.
std::string opcode_name(uint16_t qid, uint8_t opcode);

}  // namespace nvqual
