// nvqual report RUN.json --html FILE: a finished run (its --json report) as one
// self-contained HTML page for people and CI artifacts.
#include <memory>

#include <fmt/core.h>

#include "command.hpp"
#include "nvqual/harness/html_report.hpp"
#include "nvqual/harness/report_output.hpp"
#include "nvqual/harness/run_report.hpp"
#include "report_path.hpp"

namespace nvqual::app {

namespace {

struct ReportOptions {
  std::string run;
  std::string html;
};

int report(const ReportOptions& options) {
  check_output_path(options.html, "--html");
  harness::RunReport run;
  try {
    run = harness::load_run_report(options.run);
  } catch (const harness::RunReportError& e) {
    throw UsageError(e.what());
  }
  // Like nvqual run's reports: FILE.tmp, fsync, rename; never half a page.
  harness::write_file_atomically(options.html, harness::html_report(run));
  return kExitPassed;
}

}  // namespace

Command add_report_command(CLI::App& root) {
  auto options = std::make_shared<ReportOptions>();
  CLI::App* cli = root.add_subcommand("report", "Write a run's --json report as a self-contained HTML page");
  cli->footer(
      "The page holds device identity, a summary per suite, every failure with its checks (expected and actual),\n"
      "spec section and command log, skipped cases with their reasons and a chart of the transition latencies.\n"
      "It loads nothing from anywhere (no script, style sheet or image).\n"
      "Exit codes: 0 written, 2 bad input (a missing or malformed report, a --html path whose directory does not\n"
      "exist), 3 the file could not be written.");
  cli->add_option("RUN", options->run, "The run's report (nvqual run --json FILE)")->required()->type_name("FILE");
  cli->add_option("--html", options->html, "Write the HTML page to FILE (its directory must exist)")
      ->required()
      ->type_name("FILE");
  return {cli, [options]() { return report(*options); }};
}

}  // namespace nvqual::app
