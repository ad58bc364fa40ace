// nvqual run: runs conformance suites against the simulator or a device and
// writes the terminal summary, JUnit XML and JSON.
//
//   nvqual run [SUITE|FILE]... (--sim [--sim-profile FILE] | --bdf BDF)
//              [--junit FILE] [--json FILE] [--model FILE] [--quiet|--verbose]
//              [--media-journal FILE]
//
// Everything the user can get wrong (suite names, suite files, the model
// profile, report paths, the BDF's form) is checked before the device is
// touched. Without a target on the command line the BDF comes from NVQUAL_BDF,
// then from ctest's resource allocation (CTEST_RESOURCE_GROUP_0_NVME); with
// neither, exit 77 (ctest: not run).

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include <fmt/core.h>

#include "command.hpp"
#include "media_change_options.hpp"
#include "nvqual/harness/console_reporter.hpp"
#include "nvqual/harness/html_reporter.hpp"
#include "nvqual/harness/json_reporter.hpp"
#include "nvqual/harness/junit_reporter.hpp"
#include "nvqual/harness/media_journal.hpp"
#include "nvqual/harness/model_profile.hpp"
#include "nvqual/harness/runner.hpp"
#include "nvqual/harness/suite_loader.hpp"
#include "nvqual/vfio/bdf.hpp"
#include "nvqual/vfio/ctest_resources.hpp"
#include "nvqual/vfio/dma_estimate.hpp"
#include "report_path.hpp"
#include "stop_signal.hpp"
#include "target.hpp"

namespace nvqual::app {

namespace {

struct RunOptions {
  TargetOptions target;
  std::vector<std::string> suites;
  std::string suite_dir;
  std::string junit;
  std::string json;
  std::string html;
  std::string media_journal;
  std::string model;
  bool quiet = false;
  bool verbose = false;
  std::optional<bool> expect_pattern;  // default: on for the simulator, off for devices
  MediaChangeOptions media_changes;
  uint32_t io_queues = 64;
};

std::vector<harness::Suite> load_suites(const RunOptions& options) {
  const std::filesystem::path dir = options.suite_dir.empty() ? harness::default_suite_dir()
                                                              : std::filesystem::path(options.suite_dir);
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

// Where the controller came from when no target was named.
struct EnvironmentDevice {
  std::string bdf;
  std::string source;  // "NVQUAL_BDF" or "the ctest resource allocation (CTEST_RESOURCE_GROUP_0_NVME)"
};

// The BDF when no target was named: NVQUAL_BDF, then ctest's resource
// allocation. A build configured with -DNVQUAL_CTEST_RESOURCE_SPEC runs its
// hardware tests in parallel, one controller each, and tells them so through
// NVQUAL_CTEST_RESOURCE_SPEC: there NVQUAL_BDF would send every test to one
// controller, and a missing allocation means ctest was run without the spec.
std::optional<EnvironmentDevice> device_from_environment() {
  const char* bdf = std::getenv("NVQUAL_BDF");
  const bool have_bdf = bdf != nullptr && *bdf != '\0';
  const char* spec = std::getenv("NVQUAL_CTEST_RESOURCE_SPEC");
  const bool parallel_ctest = spec != nullptr && *spec != '\0';
  if (have_bdf && parallel_ctest) {
    throw UsageError(fmt::format(
        "NVQUAL_BDF={} would send every hardware test to one controller, but this build gives each test its own from "
        "the ctest resource spec {}: unset NVQUAL_BDF, or reconfigure without -DNVQUAL_CTEST_RESOURCE_SPEC",
        bdf, spec));
  }
  if (have_bdf) return EnvironmentDevice{bdf, "NVQUAL_BDF"};
  std::optional<std::string> allocated;
  try {
    allocated = vfio::ctest_allocated_bdf([](const char* name) { return std::getenv(name); });
  } catch (const DriverError& e) {
    throw UsageError(fmt::format("bad CTEST_RESOURCE_GROUP_0_NVME: {}", e.what()));
  }
  if (allocated) return EnvironmentDevice{*allocated, "the ctest resource allocation (CTEST_RESOURCE_GROUP_0_NVME)"};
  if (parallel_ctest) {
    throw UsageError(
        fmt::format("ctest allocated no controller to this test: this build's hardware tests need "
                    "`ctest --resource-spec-file {}` (configured with -DNVQUAL_CTEST_RESOURCE_SPEC)",
                    spec));
  }
  return std::nullopt;
}

// SIGINT/SIGTERM while the inputs load end the process at once, exit 128 +
// signal, with nothing written (no report or device exists yet). From then on
// they are held until the runner installs its handler and unblocks them
// (nvqual/harness/runner.hpp): a signal sent while the device opens is then
// reported as an interruption instead of killing the process without reports.
// Threads started meanwhile (a simulator's) inherit the mask and never take
// the signal. On an early exit (bad input, no device) a held signal dies with
// the process.
int run(RunOptions& options) {
  // 1. Inputs first: a bad suite, profile or report path never reaches a device.
  std::vector<harness::Suite> suites;
  std::optional<harness::ModelProfile> model;
  {
    const ExitOnSignal exit_on_signal("loading the suites and the model profile");
    try {
      suites = load_suites(options);
      if (!options.model.empty()) model = harness::load_model_profile(harness::resolve_model_profile(options.model));
    } catch (const harness::SuiteError& e) {
      throw UsageError(e.what());
    }
  }
  const MediaChangePolicy media_change_policy = media_change_policy_from(options.media_changes);
  check_output_path(options.junit, "--junit");
  check_output_path(options.json, "--json");
  check_output_path(options.html, "--html");
  check_output_path(options.media_journal, "--media-journal");

  // 2. The target.
  std::string bdf_source = "--bdf";
  if (!target_named(options.target)) {
    const std::optional<EnvironmentDevice> device = device_from_environment();
    if (!device) {
      fmt::print(stderr,
                 "nvqual: no device configured: pass --sim, --bdf BDF, set NVQUAL_BDF, or run under ctest with "
                 "--resource-spec-file (exit 77: ctest reports the test as not run)\n");
      return kExitNoDevice;
    }
    options.target.bdf = device->bdf;
    bdf_source = device->source;
  }
  if (!options.target.bdf.empty()) {
    const auto bdf = vfio::try_normalize_bdf(options.target.bdf);
    if (!bdf) {
      throw UsageError(
          fmt::format("'{}' from {} is not a PCI address: expected DDDD:BB:DD.F or BB:DD.F in hex, e.g. "
                      "0000:01:00.0 (see `nvqual devices`)",
                      options.target.bdf, bdf_source));
    }
    options.target.bdf = *bdf;
  }
  if (options.media_changes.allow && !options.target.bdf.empty() && options.media_changes.confirm_serial.empty()) {
    throw UsageError(
        "--allow-media-changes on a real device needs --confirm-serial SN (its Identify Controller serial, see "
        "nvqual identify), so a mistyped BDF cannot destroy the wrong disk");
  }
  // Suites decide at run time what they allocate: check RLIMIT_MEMLOCK against the harness's worst case.
  options.target.dma_estimate_bytes = vfio::dma_estimate::run();

  // 3. Listeners: reports are written whatever happens next.
  harness::RunnerOptions runner_options;
  runner_options.settings.model = model ? &*model : nullptr;
  runner_options.settings.allow_media_changes = options.media_changes.allow;
  runner_options.settings.media_change_policy = media_change_policy;
  runner_options.io_queues_wanted = static_cast<uint16_t>(options.io_queues);
  runner_options.health_checks = true;  // SMART and the Error log around every suite (docs/self-reports.md)
  runner_options.controller.dma_arena_bytes = options.target.dma_arena_bytes;
  harness::MediaJournal media_journal;
  if (!options.media_journal.empty()) runner_options.settings.media_journal = &media_journal;
  const auto verbosity = options.quiet     ? harness::Verbosity::kQuiet
                         : options.verbose ? harness::Verbosity::kVerbose
                                           : harness::Verbosity::kNormal;
  harness::ConsoleReporter console(stdout, verbosity);
  std::unique_ptr<harness::JunitReporter> junit;
  std::unique_ptr<harness::JsonReporter> json;
  std::unique_ptr<harness::HtmlReporter> html;
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
  if (!options.html.empty()) {
    html = std::make_unique<harness::HtmlReporter>(options.html);
    listeners.add(*html);
  }

  // 4. Open it. A device that cannot be opened still gets a report in which
  // every case is an error, so CI sees what happened (exit 3).
  Target target;
  try {
    target = open_target(options.target);
  } catch (const DriverError& e) {
    harness::TargetInfo unusable;
    unusable.simulator = false;
    unusable.bdf = options.target.bdf;
    unusable.description = options.target.bdf;
    unusable.probe_error = fmt::format("could not be opened: {}", e.what());
    runner_options.settings.expect_pattern = options.expect_pattern.value_or(false);
    harness::report_unusable_target(suites, unusable, runner_options.settings, listeners);
    fmt::print(stderr, "nvqual: cannot open {} ({}): {}{}\n", options.target.bdf, bdf_source, e.what(),
               options.junit.empty() && options.json.empty() && options.html.empty()
                   ? ""
                   : "; every case is reported as an error");
    return kExitEnvironment;
  }
  const bool simulator = target.simulator != nullptr;
  runner_options.settings.expect_pattern = options.expect_pattern.value_or(simulator);

  // 5. The run.
  harness::Runner runner(*target.transport, SteadyClock::instance(), runner_options, listeners);
  harness::RunSummary summary;
  try {
    summary = runner.run(suites);
  } catch (const harness::RunInputError& e) {
    // --scratch or --confirm-serial do not fit the device: nothing ran, no report.
    throw UsageError(e.what());
  }
  const int code = harness::exit_code_for(summary);
  if (runner.abandoned_case_thread()) {
    // A case thread may still be using the controller: leave without tearing
    // the transport down under it. The reports are already written.
    std::fflush(stdout);
    std::fflush(stderr);
    emergency_disable(*target.transport);  // stop it (EN=0, no DMA) without freeing what the thread may use
    std::_Exit(kExitEnvironment);          // and no media journal: the thread may still change media
  }
  // Every media-changing step that ran is in it, also after an interruption.
  if (!options.media_journal.empty()) media_journal.write(options.media_journal);
  return code;
}

}  // namespace

Command add_run_command(CLI::App& root) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* cli = root.add_subcommand("run", "Run conformance suites (all of them when none is named)");
  cli->footer(
      "Target: --sim/--sim-profile or --bdf. With neither, the BDF comes from NVQUAL_BDF, then from the controller\n"
      "ctest allocated to the test (CTEST_RESOURCE_GROUP_0_NVME, under ctest --resource-spec-file); with none of\n"
      "these nvqual exits 77, which ctest reports as not run.\n"
      "Reports: --junit, --json and --html are written once, when the run ends - also when it was interrupted or the "
      "device\n"
      "could not be opened (every case then an error); their directory must exist.\n"
      "Exit codes: 0 every case passed or was skipped, 1 a case failed or errored, 2 bad input (nothing ran),\n"
      "3 interrupted (SIGINT/SIGTERM), or the device could not be opened, probed or recovered, 77 no device "
      "configured,\n"
      "130/143 interrupted by SIGINT/SIGTERM while the suites were loading (nothing ran, no report written).");
  cli->add_option("suites", options->suites, "Suite names (see nvqual suites) or suite files");
  add_target_options(*cli, options->target);
  cli->add_option("--junit", options->junit, "Write a JUnit XML report to FILE (its directory must exist)");
  cli->add_option("--json", options->json, "Write the run as JSON to FILE (its directory must exist)");
  cli->add_option("--html", options->html,
                  "Write the run as one self-contained HTML page to FILE (as nvqual report; its directory must exist)");
  cli->add_option("--media-journal", options->media_journal,
                  "Write, as JSON to FILE, what every media-changing step left on which blocks, in order "
                  "(docs/data-integrity.md; its directory must exist)");
  cli->add_option(
      "--model", options->model,
      "Model profile for model checks: a shipped model by NAME (nvqual finds its models/NAME.yaml) or a FILE");
  auto* quiet = cli->add_flag("--quiet,-q", options->quiet, "Print only failures, errors and the summary");
  auto* verbose = cli->add_flag("--verbose,-v", options->verbose, "Print every check, measurement and command log");
  quiet->excludes(verbose);
  cli->add_flag(
      "--expect-pattern,!--no-expect-pattern", [options](int64_t count) { options->expect_pattern = count > 0; },
      "The media carries the LBA stamp pattern (default: yes for --sim, no for devices)");
  add_media_change_options(*cli, options->media_changes);
  cli->add_option("--suite-dir", options->suite_dir, "Directory of named suites (default: the shipped suites)");
  cli->add_option("--io-queues", options->io_queues, "I/O queue pairs to ask for with Set Features")
      ->check(CLI::Range(1u, 65535u))
      ->capture_default_str();
  return {cli, [options]() { return run(*options); }};
}

}  // namespace nvqual::app
