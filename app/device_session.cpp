#include "device_session.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "command.hpp"
#include "session_log.hpp"

namespace nvqual::app {

namespace {
// An Identify Active Namespace ID list holds at most this many NSIDs (4096 bytes / 4).
constexpr size_t kActiveListEntries = 1024;
}  // namespace

DeviceSession::DeviceSession(const TargetOptions& options) : target_(open_target(options)) {
  ControllerOptions controller_options;
  controller_options.dma_arena_bytes = options.dma_arena_bytes;
  controller_ = std::make_unique<Controller>(*target_.transport, controller_options, clock_);
  try {
    controller_->dma_memory();  // the arena is mapped once, now: no command maps its own memory
    controller_->reset();
    controller_->identify_controller();
  } catch (...) {
    // The destructor does not run for a constructor that throws.
    keep_session_log(controller_->command_log());
    throw;
  }
}

// The log is kept for main (a device error's summary is followed by it); the
// controller is shut down and disabled before the transport (and its DMA) goes.
DeviceSession::~DeviceSession() {
  keep_session_log(controller_->command_log());
  controller_.reset();
}

IdentifyNamespace DeviceSession::require_namespace(uint32_t nsid) {
  const uint32_t nn = identity().nn;
  if (nn == 0) {
    // Every namespace lies in 1..NN: with NN 0 the device, not the user, is wrong.
    throw DriverError(ErrorKind::kProtocolViolation,
                      fmt::format("{} reports no namespaces (Identify Controller NN is 0), so namespace {} cannot be "
                                  "used; check the controller's namespace configuration",
                                  target_.description, nsid));
  }
  if (nsid == 0 || nsid > nn) {
    throw UsageError(fmt::format("namespace {} does not exist on {}: valid NSIDs are 1..{} (Identify NN)", nsid,
                                 target_.description, nn));
  }
  // CNS 02h lists up to 1024 active NSIDs greater than the one given: asking
  // from nsid - 1 puts nsid first when it is active, however many precede it.
  const auto from = controller_->active_namespaces(nsid - 1);
  if (from.empty() || from.front() != nsid) {
    const auto active = controller_->active_namespaces(0);
    const std::string listed = active.empty()                       ? std::string("none")
                               : active.size() < kActiveListEntries ? fmt::format("{}", fmt::join(active, ", "))
                                                                    : fmt::format("{}, ...", fmt::join(active, ", "));
    throw UsageError(
        fmt::format("namespace {} is not active on {}; active namespaces: {}", nsid, target_.description, listed));
  }
  return controller_->identify_namespace(nsid);
}

}  // namespace nvqual::app
