// The controller's lifetime and state: construction, the destructor's stop,
// the refusals every operation starts with, and the bridge to the stop ladder.
// The jobs live in files named after them: controller_registers.cpp,
// controller_bringup.cpp, controller_submit.cpp, controller_admin.cpp,
// controller_io_queues.cpp, controller_read.cpp; the ladder in stop_ladder.cpp.
#include "nvqual/driver/controller.hpp"

#include <fmt/format.h>

#include "queue_memory.hpp"
#include "stop_ladder.hpp"

namespace nvqual {

Controller::Controller(Transport& transport, ControllerOptions options, Clock& clock)
    : transport_(transport),
      options_(options),
      clock_(clock),
      log_(options.command_log_entries),
      queues_(std::make_unique<detail::QueueMemory>()),
      ladder_(std::make_unique<detail::StopLadder>(transport, clock, *queues_, options.ready_slack)) {
  set_allow_media_changes(options.allow_media_changes);
}

Controller::~Controller() {
  stop_for_destruction();
  // The arena goes with the members; a controller that could not be stopped
  // may still write it, so it is given up instead (mapped until the transport closes).
  if (unusable() && arena_) arena_->abandon();
}

DmaArena& Controller::dma_memory() {
  if (!arena_) arena_ = std::make_unique<DmaArena>(transport_, options_.dma_arena_bytes);
  return *arena_;
}

void Controller::stop_for_destruction() noexcept {
  // Whatever ends the run, the controller stops before its DMA memory goes:
  // a clean shutdown if possible, else a plain disable, else a function reset.
  // An unusable controller's memory was given up already: touch nothing.
  if (unusable()) return;
  if (!enabled() && queues_->empty()) {
    // No queues of ours, but CC.EN=1 all the same (a failed disable() or a
    // previous owner left it so, possibly with RDY=0): the cached state is
    // not enough, the register decides. disable() waits out a controller
    // still coming up and escalates if EN=0 is not honoured.
    if (!ladder_->cc_enabled()) return;
    try {
      disable();
    } catch (const std::exception&) {
    }
    return;
  }
  try {
    shutdown();
    return;
  } catch (const std::exception&) {
  }
  disable_after_failure();
}

size_t Controller::quarantined_bytes() const { return ladder_->quarantined_bytes(); }

void Controller::require_usable() const {
  if (!unusable()) return;
  const std::string_view why = ladder_->unusable_reason();
  throw DriverError(ErrorKind::kReadyTimeout,
                    why.empty() ? "the controller could not be stopped after a failure (controller state unusable): "
                                  "rebind or power-cycle it"
                                : fmt::format("{} (controller state unusable)", why));
}

void Controller::require_enabled(const char* what) const {
  require_usable();
  if (!enabled()) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("{} needs an enabled controller (controller state {}): call enable() first", what,
                                  to_string(state_)));
  }
}

// ---- the stop ladder's outcome is the controller's state ----------------------

bool Controller::disable_after_failure(detail::InFlight in_flight) noexcept {
  const bool stopped = ladder_->disable_after_failure(in_flight, state_);
  formats_.clear();
  state_ = stopped ? ControllerState::kDisabled : ControllerState::kUnusable;
  return stopped;
}

bool Controller::disable_after_failure() noexcept { return disable_after_failure(detail::InFlight{}); }

bool Controller::escalate_reset() noexcept {
  const bool stopped = ladder_->escalate_reset(detail::InFlight{});
  formats_.clear();
  state_ = stopped ? ControllerState::kDisabled : ControllerState::kUnusable;
  return stopped;
}

void Controller::drop_queues() noexcept {
  ladder_->drop_queues();
  // A reset may come with a new format (Format NVM, or another host): resolve it again.
  formats_.clear();
  state_ = ControllerState::kDisabled;
}

std::string describe_failure(const DriverError& error, const CommandLog& log, size_t last_commands) {
  std::string text = fmt::format("{}: {}\n", to_string(error.kind()), error.what());
  const std::string commands = log.format(last_commands);
  if (!commands.empty()) text += "Last commands:\n" + commands;
  return text;
}

}  // namespace nvqual
