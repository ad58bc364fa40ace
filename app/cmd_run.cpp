// nvqual run: runs conformance suites against the simulator or a device and
// writes the terminal summary, JUnit XML and JSON.
//
//   nvqual run [SUITE|FILE]... (--sim [--sim-profile FILE] | --bdf BDF)
//              [--junit FILE] [--json FILE] [--model FILE] [--quiet|--verbose]
//
// Everything the user can get wrong (suite names, suite files, the model
// profile) is checked before the device is touched. Without a target on the
// command line the BDF comes from NVQUAL_BDF, then from ctest's resource
// allocation (CTEST_RESOURCE_GROUP_0_NVME); with neither, exit 77 (ctest: skipped).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <vector>

#include <fmt/core.h>

#include "command.hpp"
#include "nvqual/harness/console_reporter.hpp"
#include "nvqual/harness/json_reporter.hpp"
#include "nvqual/harness/junit_reporter.hpp"
#include "nvqual/harness/model_profile.hpp"
#include "nvqual/harness/runner.hpp"
#include "nvqual/harness/suite_loader.hpp"
#include "nvqual/vfio/ctest_resources.hpp"
#include "nvqual/vfio/dma_estimate.hpp"
#include "target.hpp"

namespace nvqual::app {

namespace {

struct RunOptions {
  TargetOptions target;
  std::vector<std::string> suites;
  std::string suite_dir;
  std::string junit;
  std::string json;
  std::string model;
  bool quiet = false;
  bool verbose = false;
  std::optional<bool> expect_pattern;  // default: on for the simulator, off for devices
  bool allow_media_changes = false;
  uint32_t io_queues = 64;
};

std::vector<harness::Suite> load_suites(const RunOptions& options) {
  const std::filesystem::path dir = options.suite_dir.empty() ? harness::default_suite_dir() : std::filesystem::path(options.suite_dir);
  std::vector<std::filesystem::path> files;
  if (options.suites.empty()) {
    files = harness::list_suite_files(dir);
    if (files.empty()) throw UsageError(fmt::format("no suites in {}: name a suite file", dir.string()));
  } else {
    for (const auto& name : options.suites) files.push_back(harness::resolve_suite(name, dir));
  }
  std::vector<harness::Suite> suites;
  for (const auto& file : files) suites.push_back(harness::load_suite_file(file));
  return suites;
}

// The BDF when no target was named: NVQUAL_BDF, then ctest's resource allocation.
std::optional<std::string> device_from_environment() {
  if (const char* bdf = std::getenv("NVQUAL_BDF"); bdf != nullptr && *bdf != '\0') return std::string(bdf);
  return vfio::ctest_allocated_bdf([](const char* name) { return std::getenv(name); });
}

int run(RunOptions& options) {
  // 1. Inputs first: a bad suite or profile never reaches a device.
  std::vector<harness::Suite> suites;
  std::optional<harness::ModelProfile> model;
  try {
    suites = load_suites(options);
    if (!options.model.empty()) model = harness::load_model_profile(harness::resolve_model_profile(options.model));
  } catch (const harness::SuiteError& e) {
    throw UsageError(e.what());
  }

  // 2. The target.
  if (!target_named(options.target)) {
    std::optional<std::string> bdf;
    try {
      bdf = device_from_environment();
    } catch (const DriverError& e) {
      throw UsageError(fmt::format("bad CTEST_RESOURCE_GROUP_0_NVME: {}", e.what()));
    }
    if (!bdf) {
      fmt::print(stderr,
                 "nvqual: no device configured: pass --sim, --bdf BDF, or set NVQUAL_BDF "
                 "(hardware ctest tests are skipped)\n");
      return kExitNoDevice;
    }
    options.target.bdf = *bdf;
  }
  // Suites decide at run time what they allocate: check RLIMIT_MEMLOCK against the harness's worst case.
  options.target.dma_estimate_bytes = vfio::dma_estimate::run();
  Target target = open_target(options.target);
  const bool simulator = target.simulator != nullptr;

  // 3. Listeners and the run.
  harness::RunnerOptions runner_options;
  runner_options.settings.expect_pattern = options.expect_pattern.value_or(simulator);
  runner_options.settings.model = model ? &*model : nullptr;
  runner_options.settings.allow_media_changes = options.allow_media_changes;
  runner_options.io_queues_wanted = static_cast<uint16_t>(options.io_queues);
  const auto verbosity = options.quiet     ? harness::Verbosity::kQuiet
                         : options.verbose ? harness::Verbosity::kVerbose
                                           : harness::Verbosity::kNormal;
  harness::ConsoleReporter console(stdout, verbosity);
  std::unique_ptr<harness::JunitReporter> junit;
  std::unique_ptr<harness::JsonReporter> json;
  harness::ListenerRepeater listeners;
  listeners.add(console);
  if (!options.junit.empty()) {
    junit = std::make_unique<harness::JunitReporter>(options.junit);
    listeners.add(*junit);
  }
  if (!options.json.empty()) {
    json = std::make_unique<harness::JsonReporter>(options.json);
    listeners.add(*json);
  }
  harness::Runner runner(*target.transport, SteadyClock::instance(), runner_options, listeners);
  const harness::RunSummary summary = runner.run(suites);
  const int code = harness::exit_code_for(summary);
  if (runner.abandoned_case_thread()) {
    // A case thread may still be using the controller: leave without tearing
    // the transport down under it. The reports are already written.
    std::fflush(stdout);
    std::fflush(stderr);
    std::_Exit(kExitEnvironment);
  }
  return code;
}

}  // namespace

Command add_run_command(CLI::App& root) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* cli = root.add_subcommand("run", "Run conformance suites (all of them when none is named)");
  cli->add_option("suites", options->suites, "Suite names (see nvqual suites) or suite files");
  add_target_options(*cli, options->target);
  cli->add_option("--junit", options->junit, "Write a JUnit XML report to FILE");
  cli->add_option("--json", options->json, "Write the run as JSON to FILE");
  cli->add_option("--model", options->model, "Model profile (fixtures/models/NAME.yaml or a file) for model checks");
  auto* quiet = cli->add_flag("--quiet,-q", options->quiet, "Print only failures, errors and the summary");
  auto* verbose = cli->add_flag("--verbose,-v", options->verbose, "Print every check, measurement and command log");
  quiet->excludes(verbose);
  cli->add_flag(
         "--expect-pattern,!--no-expect-pattern",
         [options](int64_t count) { options->expect_pattern = count > 0; },
         "The media carries the LBA stamp pattern (default: yes for --sim, no for devices)");
  cli->add_flag("--allow-media-changes", options->allow_media_changes,
                "Allow commands that change media, in suites that declare media_changes: true");
  cli->add_option("--suite-dir", options->suite_dir, "Directory of named suites (default: the shipped suites)");
  cli->add_option("--io-queues", options->io_queues, "I/O queue pairs to ask for with Set Features")
      ->check(CLI::Range(1u, 65535u))
      ->capture_default_str();
  return {cli, [options]() { return run(*options); }};
}

}  // namespace nvqual::app
