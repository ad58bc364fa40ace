// The stop ladder: what the driver does when a controller must stop after a
// failure (NVMe Base 2.0, 3.7): CC.EN=0 and a bounded wait for CSTS.RDY=0,
// then a function-level reset, then an NVM subsystem reset where CAP.NSSRS
// offers one. Memory the device could reach is freed only once one of them is
// confirmed; when none works it is given up unfreed (it stays mapped until the
// transport closes, so the IOVA allocator cannot hand it out again) and the
// controller is marked unusable. Every member is noexcept: the ladder runs
// while an error unwinds and in destructors. Private to the driver.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "nvqual/driver/clock.hpp"
#include "nvqual/driver/controller_state.hpp"
#include "nvqual/driver/transport.hpp"
#include "queue_memory.hpp"

namespace nvqual::detail {

class StopLadder {
 public:
  // `queues` is what a stop frees (or abandons); `ready_slack` is added to
  // every ready bound, as for the controller's own waits.
  StopLadder(Transport& transport, Clock& clock, QueueMemory& queues, std::chrono::nanoseconds ready_slack) noexcept
      : transport_(transport), clock_(clock), queues_(queues), ready_slack_(ready_slack) {}

  // EN=0 and wait for RDY=0, else the later rungs (escalate_reset). True when
  // the controller is known stopped (queues dropped); false when it is not
  // (queues and `in_flight` given up unfreed, unusable() from then on).
  // `state` is the controller's state when the failure happened.
  bool disable_after_failure(InFlight in_flight, ControllerState state) noexcept;
  // The later rungs, for when CC.EN=0 was not honoured: function-level reset,
  // then NSSR (when CAP.NSSRS). Same result and effects as above.
  bool escalate_reset(InFlight in_flight) noexcept;
  // NSSR when CAP.NSSRS; true once CSTS.RDY=0 and CC.EN=0 read back (bounded).
  bool subsystem_reset() noexcept;
  // Gives up the queues and `in_flight` unfreed and marks the controller unusable.
  void abandon_memory(InFlight in_flight) noexcept;
  // Frees the queues: the controller is known stopped.
  void drop_queues() noexcept { queues_.drop(); }
  // CC.EN reads 1 (false when CC cannot be read or reads all ones).
  bool cc_enabled() noexcept;

  // Appended to a disable() failure: whether the escalation stopped the controller.
  const char* escalation_note() const noexcept;
  bool unusable() const noexcept { return unusable_.has_value(); }
  // Why, once unusable(); empty when even the text could not be allocated.
  std::string_view unusable_reason() const noexcept { return unusable_ ? std::string_view(*unusable_) : ""; }
  // DMA bytes given up unfreed because the controller could not be stopped.
  size_t quarantined_bytes() const noexcept { return quarantined_bytes_; }

 private:
  std::chrono::nanoseconds ready_bound(spec::Cap cap) const;

  Transport& transport_;
  Clock& clock_;
  QueueMemory& queues_;
  std::chrono::nanoseconds ready_slack_;
  std::optional<std::string> unusable_;
  size_t quarantined_bytes_ = 0;
};

}  // namespace nvqual::detail
