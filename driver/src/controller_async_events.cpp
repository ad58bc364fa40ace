// Asynchronous Event Requests (NVMe Base 2.0, 5.2): the one admin command that
// stays outstanding until the controller has something to report, so it is
// posted and rung without a wait, and waited for separately with a bound the
// caller chooses. It carries no data pointer: a disable that drops it while
// outstanding frees nothing the device could still write.
#include <fmt/format.h>

#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/controller.hpp"

namespace nvqual {

uint16_t Controller::post_async_event_request() {
  require_enabled("an Asynchronous Event Request");
  QueuePair& queue = admin_queue();
  const uint16_t cid = queue.post(cmd::async_event_request());
  queue.ring();
  return cid;
}

std::optional<spec::CompletionEntry> Controller::wait_async_event(uint16_t cid,
                                                                  std::chrono::nanoseconds since_submission) {
  require_enabled("waiting for an Asynchronous Event Request");
  try {
    return admin_queue().wait(cid, since_submission);
  } catch (const DriverError& e) {
    // No event within the bound is an answer, not a failure: the AER stays outstanding.
    if (e.kind() == ErrorKind::kCommandTimeout) return std::nullopt;
    if (e.kind() != ErrorKind::kInvalidArgument) disable_after_failure();
    throw;
  }
}

}  // namespace nvqual
