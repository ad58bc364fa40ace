#include "nvqual/driver/controller_state.hpp"

namespace nvqual {

std::string_view to_string(ControllerState state) {
  switch (state) {
    case ControllerState::kDisabled: return "disabled";
    case ControllerState::kEnabling: return "enabling";
    case ControllerState::kReady: return "ready";
    case ControllerState::kShuttingDown: return "shutting down";
    case ControllerState::kUnusable: return "unusable";
  }
  return "unknown";
}

}  // namespace nvqual
