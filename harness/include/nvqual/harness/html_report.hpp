// A run as one self-contained HTML page (`nvqual report RUN.json --html FILE`):
// device identity, a summary per suite, every failure with its checks, spec
// section and command log, skipped cases with their reasons, and SVG charts of
// the transition latencies. It loads nothing - no script, style sheet, font or
// image from anywhere - so it can be mailed or archived as a CI artifact.
#pragma once

#include <string>
#include <string_view>

#include "nvqual/harness/run_report.hpp"

namespace nvqual::harness {

// The page. Every text from the report (device strings, suite text, messages)
// is escaped.
std::string html_report(const RunReport& run);

// & < > " ' as character references, for text and attribute values.
std::string html_escape(std::string_view text);

}  // namespace nvqual::harness
