// The profile's faults, organised for the places that apply them: the
// register state machine (never-ready, CFS, all ones, stale SQHD after a
// reset), Number of Queues (overstate-queues) and command completion (drop,
// duplicate, wrong phase/SQID/SQHD, status, no data transfer). Data transfer faults live in
// TransferFaults. Identify and read-data
// corruptions are applied by IdentifyPages and NamespaceMedia.
// Not synchronised: Device guards it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "nvqual/driver/spec/queue_entries.hpp"
#include "nvqual/driver/spec/status.hpp"
#include "nvqual/sim/profile.hpp"

namespace nvqual::sim {

// What to do to one command's completion.
struct CompletionFaults {
  bool drop = false;
  bool duplicate = false;
  bool wrong_phase = false;
  std::optional<uint16_t> sqid;  // replaces the SQID
  bool wrong_sqhd = false;
  std::optional<uint16_t> sqhd;        // the SQHD to report, when given
  std::optional<spec::Status> status;  // complete with this, without running the command
  bool no_data = false;                // an admin command runs but moves no data to the host
  bool stale_sqhd = false;             // SQHD one behind the head after this command's fetch
  std::chrono::microseconds delay{0};  // slow-completion: completes this long after its fetch
  bool any() const {
    return drop || duplicate || wrong_phase || sqid || wrong_sqhd || status || no_data || stale_sqhd ||
           delay.count() > 0;
  }
};

class FaultPlan {
 public:
  explicit FaultPlan(const std::vector<Fault>& faults);

  bool never_ready() const { return never_ready_; }
  bool fatal_at_enable() const { return fatal_at_enable_; }
  bool gone_from_start() const { return all_ones_after_ && *all_ones_after_ == 0; }
  bool stale_sqhd_after_reset() const { return stale_sqhd_after_reset_; }
  // I/O queues Number of Queues reports beyond those it allocates (overstate-queues).
  uint16_t overstated_queues() const { return overstated_queues_; }

  enum class Stop { kNone, kFatal, kGone };
  // Called before the device runs the command that follows `completed`
  // commands: whether the device dies instead (each trigger fires once).
  Stop before_command(uint64_t completed);

  // Counts the command against every completion fault and returns what applies.
  CompletionFaults for_command(uint16_t sqid, const spec::SubmissionEntry& sqe);
  // A controller reset: counts "after reset" (stale-sqhd nth_after_reset) start again.
  void on_reset();

 private:
  struct Entry {
    Fault fault;
    uint64_t matched = 0;
    uint64_t matched_since_reset = 0;
  };
  bool never_ready_ = false;
  bool fatal_at_enable_ = false;
  bool stale_sqhd_after_reset_ = false;
  uint16_t overstated_queues_ = 0;
  std::optional<uint64_t> fatal_after_;
  std::optional<uint64_t> all_ones_after_;
  std::vector<Entry> completion_faults_;
};

}  // namespace nvqual::sim
