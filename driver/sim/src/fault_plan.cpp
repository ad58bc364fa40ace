#include "fault_plan.hpp"

#include <algorithm>

namespace nvqual::sim {

namespace {

const CommandMatch* match_of(const Fault& fault) {
  return std::visit(
      [](const auto& f) -> const CommandMatch* {
        if constexpr (requires { f.match; }) {
          return &f.match;
        } else {
          return nullptr;
        }
      },
      fault);
}

uint32_t dword(const spec::SubmissionEntry& sqe, uint8_t index) {
  switch (index) {
    case 10: return sqe.cdw10;
    case 11: return sqe.cdw11;
    case 12: return sqe.cdw12;
    case 13: return sqe.cdw13;
    case 14: return sqe.cdw14;
    default: return sqe.cdw15;
  }
}

bool matches(const CommandMatch& m, bool admin, const spec::SubmissionEntry& sqe) {
  if (m.queue == QueueKind::kAdmin && !admin) return false;
  if (m.queue == QueueKind::kIo && admin) return false;
  if (m.opcode && *m.opcode != sqe.opcode()) return false;
  if (m.nsid && *m.nsid != sqe.nsid) return false;
  if (m.fuse && *m.fuse != sqe.fuse()) return false;
  for (const DwordMatch& d : m.dwords) {
    if ((dword(sqe, d.index) & d.mask) != d.value) return false;
  }
  return true;
}

}  // namespace

FaultPlan::FaultPlan(const std::vector<Fault>& faults) {
  for (const auto& fault : faults) {
    if (std::holds_alternative<NeverReadyFault>(fault)) never_ready_ = true;
    if (const auto* f = std::get_if<FatalStatusFault>(&fault)) {
      if (f->after_commands) {
        fatal_after_ = f->after_commands;
      } else {
        fatal_at_enable_ = true;
      }
    }
    if (const auto* f = std::get_if<AllOnesFault>(&fault)) all_ones_after_ = f->after_commands;
    if (std::holds_alternative<StaleSqhdAfterResetFault>(fault)) stale_sqhd_after_reset_ = true;
    if (const auto* f = std::get_if<OverstateQueuesFault>(&fault)) overstated_queues_ = f->extra;
    if (match_of(fault) != nullptr) completion_faults_.push_back({fault, 0});
  }
}

FaultPlan::Stop FaultPlan::before_command(uint64_t completed) {
  if (all_ones_after_ && completed >= *all_ones_after_) return Stop::kGone;
  if (fatal_after_ && completed >= *fatal_after_) {
    fatal_after_.reset();  // once: a reset recovers the controller
    return Stop::kFatal;
  }
  return Stop::kNone;
}

CompletionFaults FaultPlan::for_command(uint16_t sqid, const spec::SubmissionEntry& sqe) {
  CompletionFaults out;
  for (auto& entry : completion_faults_) {
    const CommandMatch& m = *match_of(entry.fault);
    if (!matches(m, sqid == 0, sqe)) continue;
    ++entry.matched;
    ++entry.matched_since_reset;
    if (m.nth != 0 && entry.matched != m.nth) continue;
    if (const auto* stale = std::get_if<StaleSqhdFault>(&entry.fault);
        stale != nullptr && stale->nth_after_reset != 0 && entry.matched_since_reset != stale->nth_after_reset) {
      continue;
    }
    std::visit(
        [&](const auto& f) {
          using T = std::decay_t<decltype(f)>;
          if constexpr (std::is_same_v<T, DropCompletionFault>) out.drop = true;
          if constexpr (std::is_same_v<T, DuplicateCompletionFault>) out.duplicate = true;
          if constexpr (std::is_same_v<T, WrongPhaseFault>) out.wrong_phase = true;
          if constexpr (std::is_same_v<T, WrongSqidFault>) out.sqid = f.sqid.value_or(static_cast<uint16_t>(sqid + 1));
          if constexpr (std::is_same_v<T, WrongSqhdFault>) {
            out.wrong_sqhd = true;
            out.sqhd = f.sqhd;
          }
          if constexpr (std::is_same_v<T, StatusFault>) out.status = spec::Status::make(f.sct, f.sc, f.dnr);
          if constexpr (std::is_same_v<T, NoDataTransferFault>) out.no_data = true;
          if constexpr (std::is_same_v<T, StaleSqhdFault>) out.stale_sqhd = true;
          if constexpr (std::is_same_v<T, SlowCompletionFault>) out.delay = std::max(out.delay, f.delay);
        },
        entry.fault);
  }
  return out;
}

void FaultPlan::on_reset() {
  for (auto& entry : completion_faults_) entry.matched_since_reset = 0;
}

}  // namespace nvqual::sim
