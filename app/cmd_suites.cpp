// nvqual suites: what the harness can run - the suites with their case counts,
// and with --steps / --variables the vocabulary suites are written in.
#include <cstdio>
#include <memory>

#include <fmt/core.h>

#include "command.hpp"
#include "nvqual/harness/step.hpp"
#include "nvqual/harness/suite_loader.hpp"
#include "nvqual/harness/variables.hpp"

namespace nvqual::app {

namespace {

struct SuitesOptions {
  std::string suite_dir;
  bool steps = false;
  bool variables = false;
};

void print_steps() {
  for (const auto* step : harness::StepRegistry::instance().all()) {
    if (step->name.rfind("test_", 0) == 0) continue;
    fmt::print("{}\n    {}\n", step->name, step->description);
    for (const auto& p : step->params) {
      fmt::print("    {:<16} {}{}\n", p.name, p.description,
                 p.required() ? " (required)" : fmt::format(" (default {})", p.default_value));
    }
    std::string observed;
    for (const auto& o : step->observations) observed += (observed.empty() ? "" : ", ") + o.name;
    if (!observed.empty()) fmt::print("    observes: {}\n", observed);
  }
}

int list(const SuitesOptions& options) {
  if (options.steps) {
    print_steps();
    return kExitPassed;
  }
  if (options.variables) {
    for (const auto& v : harness::known_variables()) fmt::print("{:<20} {}\n", v.name, v.description);
    return kExitPassed;
  }
  const std::filesystem::path dir = options.suite_dir.empty() ? harness::default_suite_dir()
                                                              : std::filesystem::path(options.suite_dir);
  std::vector<harness::Suite> suites;
  try {
    for (const auto& file : harness::list_suite_files(dir)) suites.push_back(harness::load_suite_file(file));
  } catch (const harness::SuiteError& e) {
    throw UsageError(e.what());
  }
  size_t width = 5;
  for (const auto& s : suites) width = std::max(width, s.name.size());
  fmt::print("{:<{}}  {:>5}  {:<10}  {}\n", "suite", width, "cases", "area", "description");
  size_t total = 0;
  for (const auto& s : suites) {
    fmt::print("{:<{}}  {:>5}  {:<10}  {}\n", s.name, width, s.cases.size(), s.area, s.description);
    total += s.cases.size();
  }
  fmt::print("{} suites, {} cases in {}\n", suites.size(), total, dir.string());
  std::fflush(stdout);
  return kExitPassed;
}

}  // namespace

Command add_suites_command(CLI::App& root) {
  auto options = std::make_shared<SuitesOptions>();
  CLI::App* cli = root.add_subcommand("suites", "List the conformance suites and their case counts");
  cli->footer("Exit codes: 0 listed, 2 a suite file cannot be loaded (FILE:LINE:COLUMN and what was expected there).");
  cli->add_option("--suite-dir", options->suite_dir, "Directory of suites (default: the shipped suites)");
  auto* steps = cli->add_flag("--steps", options->steps,
                              "List the steps suites can use, their parameters and observations");
  auto* variables = cli->add_flag("--variables", options->variables, "List the device variables expressions can use");
  steps->excludes(variables);
  return {cli, [options]() { return list(*options); }};
}

}  // namespace nvqual::app
