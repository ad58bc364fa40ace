#include "target.hpp"

#include <fmt/format.h>

#include "command.hpp"
#include "nvqual/sim/profile.hpp"
#include "nvqual/sim/simulated_controller.hpp"
#include "nvqual/vfio/vfio_transport.hpp"

namespace nvqual::app {

void add_target_options(CLI::App& command, TargetOptions& options) {
  auto* sim = command.add_flag("--sim", options.sim, "Use the built-in simulated controller");
  command
      .add_option("--sim-profile", options.sim_profile, "Simulator profile (YAML, see fixtures/sim/); implies --sim")
      ->check(CLI::ExistingFile);
  command.add_option("--sim-hostile", options.sim_hostile,
                     "Hostile simulator: from SEED the controller lies in completions, registers, Identify, logs and "
                     "read data (docs/robustness.md); implies --sim");
  auto* bdf = command.add_option("--bdf,--pci", options.bdf,
                                 "PCI address of a vfio-pci bound controller, e.g. 0000:01:00.0");
  // An empty value (an unset shell variable) would otherwise read as "no target".
  bdf->check(CLI::Validator(
      [](std::string& value) {
        return value.empty()
                   ? std::string("the BDF is empty; give a PCI address such as 0000:01:00.0 (see nvqual devices)")
                   : std::string();
      },
      "BDF"));
  command.add_option("--iova-base", options.iova_base, "First IOVA for DMA mappings (default 0x100000000)")
      ->capture_default_str();
  command.add_flag("--function-reset", options.function_reset,
                   "Issue a PCI function-level reset (VFIO_DEVICE_RESET) before taking the controller over");
  command
      .add_option_function<uint64_t>(
          "--dma-arena", [&options](uint64_t mib) { options.dma_arena_bytes = mib << 20; },
          "DMA memory mapped once at open for PRP lists and data buffers, in MiB (default 4; 0: map each buffer on "
          "its own); counted in the RLIMIT_MEMLOCK pre-flight")
      ->check(CLI::Range(uint64_t{0}, uint64_t{1024}));
  sim->excludes(bdf);
}

bool target_named(const TargetOptions& options) {
  return options.sim || !options.sim_profile.empty() || options.sim_hostile || !options.bdf.empty();
}

Target open_target(const TargetOptions& options) {
  const bool wants_sim = options.sim || !options.sim_profile.empty() || options.sim_hostile;
  if (wants_sim && !options.bdf.empty()) {
    throw UsageError("name one target: --sim/--sim-profile or --bdf, not both");
  }
  if (!wants_sim && options.bdf.empty()) {
    throw UsageError("no target: add --sim for the simulated controller or --bdf BDF for a vfio-pci bound device");
  }
  Target target;
  if (wants_sim) {
    sim::Profile profile;
    try {
      profile = options.sim_profile.empty() ? sim::default_profile() : sim::load_profile(options.sim_profile);
    } catch (const sim::ProfileError& e) {
      throw UsageError(e.what());
    }
    profile.hostile_seed = options.sim_hostile;
    auto controller = std::make_unique<sim::SimulatedController>(std::move(profile));
    target.simulator = controller.get();
    target.description = options.sim_profile.empty() ? "simulator (default profile)"
                                                     : fmt::format("simulator ({})", options.sim_profile);
    if (options.sim_hostile) target.description += fmt::format(", hostile seed {}", *options.sim_hostile);
    target.transport = std::move(controller);
    return target;
  }
  vfio::VfioOptions vfio_options;
  vfio_options.bdf = options.bdf;
  vfio_options.iova_base = options.iova_base;
  vfio_options.function_reset = options.function_reset;
  vfio_options.dma_estimate_bytes = options.dma_estimate_bytes + vfio::dma_estimate::arena(options.dma_arena_bytes);
  target.transport = vfio::open(vfio_options);
  target.description = target.transport->name();
  return target;
}

}  // namespace nvqual::app
