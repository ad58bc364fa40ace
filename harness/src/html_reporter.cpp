#include "nvqual/harness/html_reporter.hpp"

#include "nvqual/harness/html_report.hpp"
#include "nvqual/harness/report_output.hpp"
#include "nvqual/harness/run_report.hpp"

namespace nvqual::harness {

HtmlReporter::HtmlReporter(std::filesystem::path path) : path_(std::move(path)), run_({}) {}

void HtmlReporter::on_run_end(const RunSummary& summary) {
  run_.on_run_end(summary);
  // Through the JSON text, as `nvqual report` reads it: one reader of the
  // format, so the two routes cannot draw different pages.
  const std::string json = run_.document().dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  write_file_atomically(path_, html_report(parse_run_report(json, path_.string())));
}

}  // namespace nvqual::harness
