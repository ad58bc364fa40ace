// A simulated controller and a Controller on one virtual clock: bounded waits
// of many seconds run instantly and deterministically.
#pragma once

#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/controller.hpp"
#include "nvqual/sim/profile.hpp"
#include "nvqual/sim/simulated_controller.hpp"

namespace nvqual::testing_support {

struct SimRig {
  explicit SimRig(sim::Profile profile, ControllerOptions options = {}, sim::Mode mode = sim::Mode::kInline)
      : sim(std::move(profile), mode, clock), controller(sim, options, clock) {}

  VirtualClock clock;
  sim::SimulatedController sim;
  Controller controller;  // destroyed first: it stops the device before the simulator goes
};

inline sim::Profile profile_with(sim::Fault fault) {
  sim::Profile profile = sim::default_profile();
  profile.faults.push_back(std::move(fault));
  return profile;
}

inline std::string violations_text(const sim::SimulatedController& sim) {
  return fmt::format("{}", fmt::join(sim.violations(), "\n"));
}

// The DriverError `f` throws; a test failure (and a placeholder) when it throws none.
template <typename F>
DriverError capture_error(F&& f) {
  try {
    f();
  } catch (const DriverError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a DriverError";
  return DriverError(ErrorKind::kInvalidArgument, "none");
}

#define EXPECT_NO_VIOLATIONS(sim) EXPECT_TRUE((sim).violations().empty()) << violations_text(sim)

}  // namespace nvqual::testing_support
