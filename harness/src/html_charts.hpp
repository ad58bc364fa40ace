// The SVG charts of the HTML report (html_report.cpp): inline SVG, no script.
#pragma once

#include <string>

#include "nvqual/harness/run_report.hpp"

namespace nvqual::harness {

// "Transition latencies": one bar per latency measurement of the run (the
// controller's reset and ready at the start, then every case's), in ms, or a
// line saying there were none.
std::string latency_charts(const RunReport& run);

}  // namespace nvqual::harness
