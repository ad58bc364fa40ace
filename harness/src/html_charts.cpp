#include "html_charts.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "nvqual/harness/html_report.hpp"
#include "nvqual/harness/run_comparison.hpp"

namespace nvqual::harness {

namespace {

struct Bar {
  std::string label;
  std::string value_text;  // as reported, shown in the tooltip
  double ms = 0;
};

std::vector<Bar> latency_bars(const RunReport& run) {
  std::vector<Bar> bars;
  double ms = 0;
  const std::pair<const char*, const char*> at_start[] = {{"reset_latency", "start: CC.EN 1->0"},
                                                          {"ready_latency", "start: CC.EN 0->1"}};
  for (const auto& [key, label] : at_start) {
    const auto it = run.identity.find(key);
    if (it != run.identity.end() && measurement_ms(it->second, ms)) bars.push_back({label, it->second, ms});
  }
  for (const auto& s : run.suites) {
    for (const auto& c : s.cases) {
      for (const auto& [name, value] : c.measurements) {
        if (name.find("latency") == std::string::npos || !measurement_ms(value, ms)) continue;
        bars.push_back({s.name + "/" + c.id + ": " + name, value, ms});
      }
    }
  }
  return bars;
}

}  // namespace

std::string latency_charts(const RunReport& run) {
  const std::vector<Bar> bars = latency_bars(run);
  std::string out = "<h2>Transition latencies</h2>\n";
  if (bars.empty()) return out + "<p id=\"latency-chart\">No latency was measured in this run.</p>\n";
  double longest = 0;
  for (const auto& b : bars) longest = std::max(longest, b.ms);
  if (longest <= 0) longest = 1;
  constexpr int kLabelWidth = 330, kBarWidth = 420, kRow = 18, kTop = 20;
  const int height = kTop + kRow * static_cast<int>(bars.size()) + 10;
  out += fmt::format(
      "<svg id=\"latency-chart\" role=\"img\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\">\n"
      "<title>Transition latencies in ms</title>\n"
      "<text x=\"{2}\" y=\"12\">0 ms</text><text x=\"{3}\" y=\"12\" text-anchor=\"end\">{4:.3f} ms</text>\n",
      kLabelWidth + kBarWidth + 80, height, kLabelWidth, kLabelWidth + kBarWidth, longest);
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const int y = kTop + kRow * static_cast<int>(i);
    const double width = std::max(1.0, b.ms / longest * kBarWidth);
    out += fmt::format(
        "<g class=\"bar\"><title>{0}: {1}</title>"
        "<text x=\"{2}\" y=\"{3}\" text-anchor=\"end\">{0}</text>"
        "<rect x=\"{4}\" y=\"{5}\" width=\"{6:.1f}\" height=\"{7}\" fill=\"#4a7ebb\"/>"
        "<text x=\"{8:.1f}\" y=\"{3}\">{9:.3f} ms</text></g>\n",
        html_escape(b.label), html_escape(b.value_text), kLabelWidth - 6, y + 12, kLabelWidth, y + 2, width, kRow - 4,
        kLabelWidth + width + 4, b.ms);
  }
  return out + "</svg>\n";
}

}  // namespace nvqual::harness
