// The simulator behind a HookedTransport, with a Controller on the hooked
// side, all on one virtual clock. The Controller is optional so a test can
// destroy it while the device and the transport stay, as in the tool.
#pragma once

#include <optional>

#include "nvqual/driver/controller.hpp"
#include "nvqual/sim/simulated_controller.hpp"
#include "hooked_transport.hpp"

namespace nvqual::testing_support {

struct HookedRig {
  explicit HookedRig(sim::Profile profile, ControllerOptions options = {})
      : sim(std::move(profile), sim::Mode::kInline, clock), device(sim) {
    controller.emplace(device, options, clock);
  }
  VirtualClock clock;
  sim::SimulatedController sim;
  HookedTransport device;
  std::optional<Controller> controller;  // destroyed first
};

}  // namespace nvqual::testing_support
