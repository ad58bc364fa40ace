#include "start_up_probe.hpp"

#include <fmt/format.h>

#include "nvqual/driver/media_change_target.hpp"
#include "nvqual/harness/device_probe.hpp"
#include "waits_end_on_stop.hpp"

namespace nvqual::harness {

bool probe_at_start(Transport& transport, const RunnerOptions& options, InterruptibleClock& clock, const RunStop& stop,
                    RunInfo& info, RunSummary& summary) {
  Controller probe(transport, options.controller, clock);  // its shutdown waits after the scope: not interruptible
  const WaitsEndOnStop scope(clock, stop.token());
  std::string settings_problem;
  try {
    info.target = probe_device(probe, options.io_queues_wanted);
    if (options.settings.allow_media_changes) {
      // The probe ends disabled; the settings need Identify (serial, NSZE per scratch namespace).
      probe.enable();
      settings_problem = media_change_target_problem(probe, options.settings.media_change_policy);
      const auto& serial = options.settings.media_change_policy.confirm_serial();
      if (settings_problem.empty() && serial) info.media_changes.confirmed_serial = *serial;
    }
  } catch (const std::exception& e) {
    const bool interrupted = scope.cut_short();
    if (options.fallback_target && !interrupted) {
      info.target = *options.fallback_target;
      info.target.description += fmt::format(" (facts from a fallback: probing failed: {})", e.what());
      return false;
    }
    info.target.simulator = transport.is_simulator();
    info.target.description = transport.name();
    if (!info.target.simulator) info.target.bdf = transport.name();
    if (interrupted) {
      info.target.probe_error = fmt::format("probing was {} before it finished", stop.token().reason());
    } else {
      info.target.probe_error = e.what();
      summary.device_lost = true;
      summary.device_problem = fmt::format("the device could not be probed: {}", e.what());
    }
    return interrupted;
  }
  if (!settings_problem.empty()) throw RunInputError(settings_problem);
  return false;
}

}  // namespace nvqual::harness
