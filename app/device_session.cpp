#include "device_session.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "command.hpp"
#include "session_log.hpp"

namespace nvqual::app {

DeviceSession::DeviceSession(const TargetOptions& options) : target_(open_target(options)) {
  controller_ = std::make_unique<Controller>(*target_.transport);
  try {
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
  if (nsid == 0 || nsid > nn) {
    throw UsageError(fmt::format("namespace {} does not exist on {}: valid NSIDs are 1..{} (Identify NN)", nsid,
                                 target_.description, nn));
  }
  const auto active = controller_->active_namespaces();
  if (std::find(active.begin(), active.end(), nsid) == active.end()) {
    throw UsageError(fmt::format("namespace {} is not active on {}; active namespaces: {}", nsid, target_.description,
                                 active.empty() ? std::string("none") : fmt::format("{}", fmt::join(active, ", "))));
  }
  return controller_->identify_namespace(nsid);
}

}  // namespace nvqual::app
