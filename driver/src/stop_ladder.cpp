#include "stop_ladder.hpp"

#include <fmt/format.h>

#include "csts_wait.hpp"

namespace nvqual::detail {

std::chrono::nanoseconds StopLadder::ready_bound(spec::Cap cap) const {
  return ready_bound_for(transport_, cap, ready_slack_);
}

bool StopLadder::disable_after_failure(InFlight in_flight, ControllerState state) noexcept {
  // Best effort, bounded, never throws: EN=0 and wait; if the controller does
  // not stop, the later rungs. Memory is released only when a stop is
  // confirmed: freed DMA memory goes back to the IOVA allocator, and a
  // controller still running could write into whatever is mapped there next.
  bool stopped = false;
  try {
    const spec::Cc config{transport_.read32(spec::reg::kCc)};
    if (config.raw != spec::kAllOnes32) {
      if (config.en() == 1) transport_.write32(spec::reg::kCc, config.set_en(0).raw);
      wait_for_csts(
          transport_, clock_, [](spec::Csts s) { return s.rdy() == 0; }, ready_bound(read_cap_checked(transport_)),
          ErrorKind::kReadyTimeout, "disabling after a failure", state);
      stopped = true;
    }
  } catch (const std::exception&) {
  }
  if (stopped) {
    drop_queues();
    return true;
  }
  return escalate_reset(in_flight);
}

bool StopLadder::escalate_reset(InFlight in_flight) noexcept {
  // The rest of the ladder after CC.EN=0 failed: a function-level reset, then
  // an NVM subsystem reset where CAP.NSSRS says there is one (NVMe Base 2.0,
  // 3.7). NSSR resets every controller of the subsystem, hence last.
  bool stopped = false;
  try {
    stopped = transport_.function_level_reset();
  } catch (const std::exception&) {
  }
  if (!stopped) stopped = subsystem_reset();
  if (stopped) {
    drop_queues();
    return true;
  }
  abandon_memory(in_flight);
  return false;
}

bool StopLadder::subsystem_reset() noexcept {
  try {
    const spec::Cap cap{transport_.read64(spec::reg::kCap)};
    if (cap.raw == spec::kAllOnes64 || cap.nssrs() == 0) return false;
    transport_.write32(spec::reg::kNssr, spec::Nssr::reset().raw);
    // The reset brings CC back to its default (EN=0): both must be seen, so a
    // device that ignored the write is not taken for stopped.
    wait_for_csts(
        transport_, clock_, [](spec::Csts s) { return s.rdy() == 0; }, ready_bound(cap), ErrorKind::kReadyTimeout,
        "NVM subsystem reset (waiting for CSTS.RDY=0)", ControllerState::kUnusable);
    return spec::Cc{transport_.read32(spec::reg::kCc)}.en() == 0;
  } catch (const std::exception&) {
    return false;
  }
}

void StopLadder::abandon_memory(InFlight in_flight) noexcept {
  const auto give_up_queue = [this](std::unique_ptr<QueuePair>& queue) {
    if (!queue) return;
    quarantined_bytes_ += queue->memory_bytes();
    queue->abandon_memory();
  };
  const auto give_up = [this](DmaBuffer& buffer) {
    quarantined_bytes_ += buffer.size();
    buffer.abandon();
  };
  give_up_queue(queues_.admin);
  for (auto& [qid, queue] : queues_.io) give_up_queue(queue);
  for (auto& queue : queues_.retired) give_up_queue(queue);
  for (auto& memory : queues_.raw) give_up(memory);
  if (in_flight.data != nullptr) give_up(*in_flight.data);
  for (auto& lists : in_flight.lists) give_up(lists.pages);
  // The queue objects go; their memory, abandoned above, does not.
  drop_queues();
  try {
    unusable_ = fmt::format(
        "the controller on {} could not be stopped after a failure (CSTS.RDY never read 0 after CC.EN=0, or the "
        "registers were unreachable, and neither a function-level reset nor an NVM subsystem reset was available "
        "or worked); {} bytes of DMA memory it may still reach stay reserved until the device is closed: rebind or "
        "power-cycle it before using it again",
        transport_.name(), quarantined_bytes_);
  } catch (...) {
    unusable_.emplace();  // out of memory: the controller has a fixed text for this
  }
}

bool StopLadder::cc_enabled() noexcept {
  try {
    const spec::Cc config{transport_.read32(spec::reg::kCc)};
    return config.raw != spec::kAllOnes32 && config.en() == 1;  // all ones: gone, not enabled
  } catch (const std::exception&) {
    return false;
  }
}

const char* StopLadder::escalation_note() const noexcept {
  return unusable_ ? " (a function-level reset and an NVM subsystem reset did not stop it either: see unusable())"
                   : " (a function-level or NVM subsystem reset stopped it)";
}

}  // namespace nvqual::detail
