#include "nvqual/harness/run_comparison.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

namespace nvqual::harness {

namespace {

bool is_pass(const std::string& outcome) { return outcome == "passed"; }
bool is_problem(const std::string& outcome) { return outcome == "failed" || outcome == "error"; }

void compare_outcomes(const std::string& suite, const ReportCase& o, const ReportCase& n, Comparison& out) {
  if (o.outcome == n.outcome) return;
  // A case that passed and no longer does is a regression, also when it is now
  // skipped (an interrupted run, a feature the firmware stopped reporting):
  // coverage was lost.
  Change change{ChangeKind::kOutcome, is_pass(o.outcome), suite, n.id, "outcome", o.outcome, n.outcome};
  if (is_pass(o.outcome) && is_problem(n.outcome)) {
    change.kind = ChangeKind::kRegressed;
    change.regression = true;
    change.new_value = fmt::format("{}: {}", n.outcome, n.message);
  } else if (is_problem(o.outcome) && is_pass(n.outcome)) {
    change.kind = ChangeKind::kFixed;
    change.old_value = fmt::format("{}: {}", o.outcome, o.message);
  }
  out.changes.push_back(std::move(change));
}

// Accept-set checks ("status in {00/80, 00/81}") that passed in both runs with
// different statuses: both pass, but the device now answers otherwise. Checks
// pair up by position and text (the suite files are the same).
void compare_accept_sets(const std::string& suite, const ReportCase& o, const ReportCase& n, Comparison& out) {
  for (size_t i = 0; i < o.checks.size() && i < n.checks.size(); ++i) {
    const ReportCheck& a = o.checks[i];
    const ReportCheck& b = n.checks[i];
    if (a.check != b.check || a.check.rfind("status in ", 0) != 0) continue;
    if (a.state != "passed" || b.state != "passed" || a.actual == b.actual) continue;
    out.changes.push_back({ChangeKind::kStatusInSet, false, suite, n.id, a.check, a.actual, b.actual});
  }
}

void compare_measurements(const std::string& suite, const ReportCase& o, const ReportCase& n, double tolerance,
                          Comparison& out) {
  for (const auto& [name, old_text] : o.measurements) {
    const auto it = n.measurements.find(name);
    if (it == n.measurements.end()) continue;
    double a = 0, b = 0;
    if (!measurement_ms(old_text, a) || !measurement_ms(it->second, b)) continue;
    const double limit = std::fabs(a) * tolerance / 100.0;
    if (std::fabs(b - a) <= limit) continue;
    // Measurements are latencies: slower beyond the tolerance is a regression,
    // faster is reported only.
    const double percent = a != 0 ? (b - a) / std::fabs(a) * 100.0 : INFINITY;
    out.changes.push_back(
        {ChangeKind::kDrift, b > a, suite, n.id, fmt::format("{} ({:+.0f}%)", name, percent), old_text, it->second});
  }
}

void compare_identity(const RunReport& o, const RunReport& n, Comparison& out) {
  // Where the device sits, how it was named and how long it took are not
  // Identify data.
  static const std::set<std::string> kNotIdentify = {"description", "bdf", "reset_latency", "ready_latency",
                                                     "probe_error"};
  for (const auto& [key, old_value] : o.identity) {
    if (kNotIdentify.count(key) != 0) continue;
    const auto it = n.identity.find(key);
    const std::string new_value = it == n.identity.end() ? "" : it->second;
    if (new_value != old_value)
      out.changes.push_back({ChangeKind::kIdentify, false, "", "", key, old_value, new_value});
  }
  std::set<std::string> keys;
  for (const auto& f : o.facts) keys.insert(f.first);
  for (const auto& f : n.facts) keys.insert(f.first);
  for (const auto& key : keys) {
    const auto a = o.facts.find(key);
    const auto b = n.facts.find(key);
    const std::string old_value = a == o.facts.end() ? "(absent)" : a->second;
    const std::string new_value = b == n.facts.end() ? "(absent)" : b->second;
    if (old_value != new_value)
      out.changes.push_back({ChangeKind::kIdentify, false, "", "", key, old_value, new_value});
  }
}

}  // namespace

std::string_view to_string(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kRegressed: return "regressed";
    case ChangeKind::kFixed: return "fixed";
    case ChangeKind::kOutcome: return "outcome";
    case ChangeKind::kStatusInSet: return "status";
    case ChangeKind::kIdentify: return "identify";
    case ChangeKind::kDrift: return "drift";
    case ChangeKind::kAdded: return "added";
    case ChangeKind::kRemoved: return "removed";
  }
  return "?";
}

bool Comparison::regressed() const {
  for (const auto& c : changes) {
    if (c.regression) return true;
  }
  return false;
}

bool measurement_ms(const std::string& text, double& ms) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  double value = 0;
  const auto [next, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || next == begin) return false;
  std::string_view unit(next, static_cast<size_t>(end - next));
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  unit = unit.substr(0, unit.find_first_of(" (,;"));
  static const std::map<std::string_view, double> kToMs = {{"ns", 1e-6}, {"us", 1e-3}, {"ms", 1.0}, {"s", 1e3}};
  const auto it = kToMs.find(unit);
  if (it == kToMs.end()) return false;
  ms = value * it->second;
  return true;
}

Comparison compare_runs(const RunReport& old_run, const RunReport& new_run, const ComparisonOptions& options) {
  Comparison out;
  std::map<std::string, const ReportSuite*> old_suites;
  for (const auto& s : old_run.suites) old_suites.emplace(s.name, &s);
  for (const auto& n : new_run.suites) {
    const auto it = old_suites.find(n.name);
    if (it != old_suites.end() && it->second->sha256 != n.sha256) {
      out.suite_changes.push_back({n.name, it->second->sha256, n.sha256});
    }
  }
  if (!out.suite_changes.empty() && !options.allow_suite_changes) {
    const SuiteChange& first = out.suite_changes.front();
    throw SuiteDigestMismatch(fmt::format(
        "suite {} differs between the runs (sha256 {:.12} vs {:.12}{}): the runs did not make the same checks; "
        "pass --allow-suite-changes to compare them anyway",
        first.suite, first.old_sha256, first.new_sha256,
        out.suite_changes.size() > 1 ? fmt::format(", and {} more suites", out.suite_changes.size() - 1) : ""));
  }

  compare_identity(old_run, new_run, out);
  std::set<std::string> new_names;
  for (const auto& n : new_run.suites) {
    new_names.insert(n.name);
    const auto it = old_suites.find(n.name);
    std::map<std::string, const ReportCase*> old_cases;
    if (it != old_suites.end()) {
      for (const auto& c : it->second->cases) old_cases.emplace(c.id, &c);
    }
    for (const auto& c : n.cases) {
      const auto match = old_cases.find(c.id);
      if (match == old_cases.end()) {
        out.changes.push_back({ChangeKind::kAdded, false, n.name, c.id, c.title, "", c.outcome});
        continue;
      }
      ++out.matched_cases;
      compare_outcomes(n.name, *match->second, c, out);
      compare_accept_sets(n.name, *match->second, c, out);
      compare_measurements(n.name, *match->second, c, options.tolerance_percent, out);
      old_cases.erase(match);
    }
    if (it == old_suites.end()) continue;
    for (const auto& c : it->second->cases) {  // in the old report's order
      if (old_cases.count(c.id) != 0) {
        out.changes.push_back({ChangeKind::kRemoved, false, n.name, c.id, c.title, c.outcome, ""});
      }
    }
  }
  for (const auto& o : old_run.suites) {
    if (new_names.count(o.name) != 0) continue;
    for (const auto& c : o.cases) {
      out.changes.push_back({ChangeKind::kRemoved, false, o.name, c.id, c.title, c.outcome, ""});
    }
  }
  return out;
}

}  // namespace nvqual::harness
