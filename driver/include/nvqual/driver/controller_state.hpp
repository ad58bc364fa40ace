// The controller's state as the driver sees it, named so that every wait,
// timeout and refusal can say where the controller was (as SPDK's
// nvme_ctrlr_state_string does): a reader of a failure sees where it stuck
// without reading the code path.
#pragma once

#include <string_view>

namespace nvqual {

enum class ControllerState {
  kDisabled,      // CC.EN=0 as far as the driver knows; no queues
  kEnabling,      // admin queue programmed, EN=1 written, waiting for CSTS.RDY=1
  kReady,         // CSTS.RDY=1: commands may be submitted
  kShuttingDown,  // CC.SHN written, waiting for CSTS.SHST=complete
  kUnusable,      // a failure left it possibly running and nothing could stop it
};

// "disabled", "enabling", "ready", "shutting down", "unusable".
std::string_view to_string(ControllerState state);

// True while the admin queue exists: enabling, ready or shutting down.
constexpr bool has_admin_queue(ControllerState state) {
  return state == ControllerState::kEnabling || state == ControllerState::kReady ||
         state == ControllerState::kShuttingDown;
}

}  // namespace nvqual
