// Runs suites against an inline simulated controller on a VirtualClock: no
// real time passes in the driver's bounded waits, so faulty profiles are quick.
#pragma once

#include <memory>
#include <vector>

#include "nvqual/driver/clock.hpp"
#include "nvqual/harness/runner.hpp"
#include "nvqual/harness/suite.hpp"
#include "nvqual/sim/simulated_controller.hpp"
#include "recording_listener.hpp"

namespace nvqual::harness::testing {

struct SimRun {
  VirtualClock clock;
  std::unique_ptr<sim::SimulatedController> simulator;
  RecordingListener listener;
  RunSummary summary;
};

inline RunnerOptions quick_options() {
  RunnerOptions o;
  o.settings.expect_pattern = true;
  o.handle_signals = false;
  o.cancel_grace = std::chrono::seconds(30);
  return o;
}

// Runs `suites` on a fresh simulator built from `profile`.
inline std::unique_ptr<SimRun> run_on_simulator(const sim::Profile& profile, const std::vector<Suite>& suites,
                                                RunnerOptions options = quick_options(), RunListener* extra = nullptr) {
  auto run = std::make_unique<SimRun>();
  run->simulator = std::make_unique<sim::SimulatedController>(profile, sim::Mode::kInline, run->clock);
  ListenerRepeater repeater;
  repeater.add(run->listener);
  if (extra != nullptr) repeater.add(*extra);
  Runner runner(*run->simulator, run->clock, std::move(options), repeater);
  run->summary = runner.run(suites);
  return run;
}

std::vector<Suite> shipped_suites();

}  // namespace nvqual::harness::testing
