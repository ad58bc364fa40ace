// How `nvqual compare` shows a comparison: a table for people, JSON for scripts.
#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nvqual/harness/report_output.hpp"
#include "nvqual/harness/run_comparison.hpp"

namespace nvqual::harness {

namespace {

std::string run_label(const RunReport& r) {
  auto id = [&](const char* key) {
    const auto it = r.identity.find(key);
    return it == r.identity.end() ? std::string() : terminal_safe(it->second);
  };
  return fmt::format("{} ({} {}, {}, {})", r.path.string(), id("model"), id("firmware"), terminal_safe(r.hostname),
                     r.started);
}

std::string where(const Change& c) { return c.suite.empty() ? "device" : c.suite + "/" + c.case_id; }

}  // namespace

std::string comparison_table(const Comparison& comparison, const RunReport& old_run, const RunReport& new_run) {
  std::string out = fmt::format("old: {}\nnew: {}\n", run_label(old_run), run_label(new_run));
  for (const auto& s : comparison.suite_changes) {
    out += fmt::format("suite {} changed: sha256 {:.12} -> {:.12} (compared anyway: --allow-suite-changes)\n", s.suite,
                       s.old_sha256, s.new_sha256);
  }
  size_t width = 6;
  for (const auto& c : comparison.changes) width = std::max(width, where(c).size());
  if (!comparison.changes.empty()) {
    out += fmt::format("{:<10} {:<{}} {}\n", "change", "case", width, "what: old -> new");
  }
  std::map<ChangeKind, size_t> counts;
  size_t regressions = 0;
  for (const auto& c : comparison.changes) {
    ++counts[c.kind];
    regressions += c.regression ? 1 : 0;
    const std::string mark = c.regression ? "!" : " ";
    out += fmt::format("{}{:<9} {:<{}} {}: {} -> {}\n", mark, to_string(c.kind), where(c), width, terminal_safe(c.what),
                       c.old_value.empty() ? "-" : terminal_safe(c.old_value),
                       c.new_value.empty() ? "-" : terminal_safe(c.new_value));
  }
  out += fmt::format(
      "{} cases matched: {} regressed, {} fixed, {} other outcome changes, {} statuses changed inside an accept-set, "
      "{} Identify fields changed, {} measurements drifted, {} cases added, {} removed\n",
      comparison.matched_cases, counts[ChangeKind::kRegressed], counts[ChangeKind::kFixed],
      counts[ChangeKind::kOutcome], counts[ChangeKind::kStatusInSet], counts[ChangeKind::kIdentify],
      counts[ChangeKind::kDrift], counts[ChangeKind::kAdded], counts[ChangeKind::kRemoved]);
  out += regressions == 0 ? "no regressions\n"
                          : fmt::format("REGRESSED: {} changes marked ! are regressions\n", regressions);
  return out;
}

std::string comparison_json(const Comparison& comparison, const RunReport& old_run, const RunReport& new_run,
                            const ComparisonOptions& options) {
  auto run = [](const RunReport& r) {
    nlohmann::json identity = r.identity;
    return nlohmann::json{{"path", r.path.string()},
                          {"hostname", r.hostname},
                          {"started", r.started},
                          {"target", r.target_kind},
                          {"identity", identity}};
  };
  nlohmann::json changes = nlohmann::json::array();
  for (const auto& c : comparison.changes) {
    changes.push_back({{"kind", std::string(to_string(c.kind))},
                       {"regression", c.regression},
                       {"suite", c.suite},
                       {"case", c.case_id},
                       {"what", c.what},
                       {"old", c.old_value},
                       {"new", c.new_value}});
  }
  nlohmann::json suite_changes = nlohmann::json::array();
  for (const auto& s : comparison.suite_changes) {
    suite_changes.push_back({{"suite", s.suite}, {"old_sha256", s.old_sha256}, {"new_sha256", s.new_sha256}});
  }
  const nlohmann::json doc = {{"format", "nvqual-compare/1"},
                              {"old", run(old_run)},
                              {"new", run(new_run)},
                              {"tolerance_percent", options.tolerance_percent},
                              {"matched_cases", comparison.matched_cases},
                              {"regressed", comparison.regressed()},
                              {"suite_changes", suite_changes},
                              {"changes", changes}};
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace nvqual::harness
