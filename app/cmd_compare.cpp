// nvqual compare OLD.json NEW.json: what changed between two runs (a firmware
// update, another SSD model), case by case, from their --json reports.
#include <cstdio>
#include <memory>

#include <fmt/core.h>

#include "command.hpp"
#include "nvqual/harness/report_output.hpp"
#include "nvqual/harness/run_comparison.hpp"
#include "report_path.hpp"

namespace nvqual::app {

namespace {

struct CompareOptions {
  std::string old_path;
  std::string new_path;
  std::string json;
  harness::ComparisonOptions comparison;
};

int compare(const CompareOptions& options) {
  check_output_path(options.json, "--json");
  harness::RunReport old_run, new_run;
  harness::Comparison comparison;
  try {
    old_run = harness::load_run_report(options.old_path);
    new_run = harness::load_run_report(options.new_path);
    comparison = harness::compare_runs(old_run, new_run, options.comparison);
  } catch (const harness::RunReportError& e) {
    throw UsageError(e.what());
  } catch (const harness::SuiteDigestMismatch& e) {
    throw UsageError(e.what());
  }
  fmt::print("{}", harness::comparison_table(comparison, old_run, new_run));
  std::fflush(stdout);
  if (!options.json.empty()) {
    harness::write_file_atomically(options.json,
                                   harness::comparison_json(comparison, old_run, new_run, options.comparison));
  }
  return comparison.regressed() ? kExitFailed : kExitPassed;
}

}  // namespace

Command add_compare_command(CLI::App& root) {
  auto options = std::make_shared<CompareOptions>();
  CLI::App* cli = root.add_subcommand("compare", "Compare two runs case by case (their nvqual run --json reports)");
  cli->footer(
      "Cases are matched by suite and id. Reported: pass->fail (or error, or skipped) and fail->pass, a status\n"
      "that changed inside an accept-set (both pass), Identify fields that changed, measurements that moved by\n"
      "more than --tolerance (slower is a regression, faster is reported), cases added or removed.\n"
      "Suites must be the same files in both runs (same sha256) unless --allow-suite-changes is given.\n"
      "Exit codes: 0 nothing regressed, 1 something regressed (marked ! in the table), 2 bad input (a missing\n"
      "or malformed report, different suites), 3 the --json file could not be written.");
  cli->add_option("OLD", options->old_path, "The earlier run's report (nvqual run --json FILE)")
      ->required()
      ->type_name("FILE");
  cli->add_option("NEW", options->new_path, "The later run's report")->required()->type_name("FILE");
  cli->add_option("--tolerance", options->comparison.tolerance_percent,
                  "Percent a measurement may move before it is reported (default 25)")
      ->check(CLI::Range(0.0, 1e6))
      ->type_name("PCT");
  cli->add_flag("--allow-suite-changes", options->comparison.allow_suite_changes,
                "Compare runs whose suite files differ (their sha256)");
  cli->add_option("--json", options->json,
                  "Also write the comparison as JSON (nvqual-compare/1) to FILE (its directory must exist)")
      ->type_name("FILE");
  return {cli, [options]() { return compare(*options); }};
}

}  // namespace nvqual::app
