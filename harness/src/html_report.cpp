#include "nvqual/harness/html_report.hpp"

#include <fmt/format.h>

#include "html_charts.hpp"

namespace nvqual::harness {

namespace {

// Light and readable in print; no external fonts.
constexpr std::string_view kStyle = R"(
body{font-family:sans-serif;margin:1.5em auto;max-width:80em;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.8em}
h3{font-size:1em;margin-bottom:.3em}
table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right}
.warning{background:#fff3cd;border:1px solid #e0c060;padding:.5em}
.problem{background:#fde2e2;border:1px solid #d08080;padding:.5em}
.failure{border-left:4px solid #c33;padding-left:.8em;margin:1em 0}
.failure.error{border-left-color:#e80}
tr.failed td{background:#fde2e2}
pre{background:#f7f7f7;border:1px solid #ddd;padding:.5em;overflow-x:auto;font-size:.85em}
svg text{font-family:sans-serif;font-size:11px}
)";

std::string cell(std::string_view text) { return "<td>" + html_escape(text) + "</td>"; }
std::string number_cell(const std::string& id, long value) {
  return fmt::format("<td class=\"n\"{}>{}</td>", id.empty() ? "" : " id=\"" + id + "\"", value);
}

std::string identity_section(const RunReport& run) {
  auto id = [&](const char* key) {
    const auto it = run.identity.find(key);
    return it == run.identity.end() ? std::string() : it->second;
  };
  const std::pair<const char*, std::string> rows[] = {
      {"Model", id("model")},
      {"Serial", id("serial")},
      {"Firmware", id("firmware")},
      {"PCI vendor / subsystem vendor", id("vid") + " / " + id("ssvid")},
      {"NVMe version", id("nvme_version")},
      {"Target", run.target_kind + (id("bdf").empty() ? "" : " " + id("bdf")) + " (" + id("description") + ")"},
      {"Controller reset (CC.EN 1->0)", id("reset_latency")},
      {"Controller ready (CC.EN 0->1)", id("ready_latency")},
      {"Model profile", run.model_profile.empty() ? "(none)" : run.model_profile},
      {"Host", run.hostname},
      {"Started", run.started},
      {"nvqual", run.nvqual_version + " (" + run.git_revision + ")"},
  };
  std::string out = "<h2>Device</h2>\n<table id=\"identity\">\n";
  for (const auto& [name, value] : rows) out += "<tr><th>" + html_escape(name) + "</th>" + cell(value) + "</tr>\n";
  out += "</table>\n";
  if (!run.facts.empty()) {
    out += "<details><summary>Identify facts</summary><table>\n";
    for (const auto& [name, value] : run.facts) out += "<tr>" + cell(name) + cell(value) + "</tr>\n";
    out += "</table></details>\n";
  }
  return out;
}

std::string totals_cells(const ReportTotals& t, const std::string& prefix) {
  auto id = [&](const char* what) { return prefix.empty() ? std::string() : prefix + what; };
  return number_cell(id("tests"), t.tests) + number_cell(id("passed"), t.passed) +
         number_cell(id("failures"), t.failures) + number_cell(id("errors"), t.errors) +
         number_cell(id("skipped"), t.skipped) + fmt::format("<td class=\"n\">{:.3f}</td>", t.seconds);
}

std::string summary_section(const RunReport& run) {
  std::string out =
      "<h2>Summary</h2>\n<table id=\"summary\">\n<tr><th>suite</th><th>area</th><th>tests</th><th>passed</th>"
      "<th>failures</th><th>errors</th><th>skipped</th><th>seconds</th></tr>\n";
  for (const auto& s : run.suites) {
    out += "<tr class=\"suite\">" + cell(s.name) + cell(s.area) + totals_cells(s.totals, "") + "</tr>\n";
  }
  out += "<tr><th>all</th><th></th>" + totals_cells(run.totals, "total-") + "</tr>\n</table>\n";
  return out;
}

std::string run_problems(const RunReport& run) {
  std::string out;
  if (run.target_kind == "simulator") {
    out += "<p class=\"warning\" id=\"qualification\">" + html_escape(run.qualification) + "</p>\n";
  }
  if (run.interrupted) {
    out += "<p class=\"problem\">The run was interrupted (" + html_escape(run.interrupt_reason) +
           "): cases that did not run are skipped.</p>\n";
  }
  if (run.device_lost) out += "<p class=\"problem\">The device was lost: " + html_escape(run.device_problem) + "</p>\n";
  const auto probe = run.identity.find("probe_error");
  if (probe != run.identity.end() && !probe->second.empty()) {
    out += "<p class=\"problem\">The device could not be probed: " + html_escape(probe->second) + "</p>\n";
  }
  return out;
}

std::string failure_block(const ReportSuite& s, const ReportCase& c) {
  std::string out = fmt::format("<section class=\"failure{}\" data-case=\"{}\">\n",
                                c.outcome == "error" ? " error" : "", html_escape(s.name + "/" + c.id));
  out += "<h3>" + html_escape(s.name + " / " + c.id + ": " + c.title) + "</h3>\n";
  out += "<table>\n<tr><th>outcome</th>" + cell(c.outcome + (c.type.empty() ? "" : " (" + c.type + ")")) + "</tr>\n";
  out += "<tr><th>message</th><td class=\"message\">" + html_escape(c.message) + "</td></tr>\n";
  out += "<tr><th>spec section</th><td class=\"spec\">" + html_escape(c.spec) + "</td></tr>\n</table>\n";
  if (!c.checks.empty()) {
    out +=
        "<table class=\"checks\">\n<tr><th>check</th><th>state</th><th>expected</th><th>actual</th><th>at</th></tr>\n";
    for (const auto& k : c.checks) {
      out += std::string(k.state == "failed" ? "<tr class=\"failed\">" : "<tr>") + cell(k.check) + cell(k.state) +
             "<td class=\"expected\">" + html_escape(k.expected) + "</td><td class=\"actual\">" +
             html_escape(k.actual) + "</td>" + cell(k.at) + "</tr>\n";
    }
    out += "</table>\n";
  }
  if (!c.measurements.empty()) {
    out += "<table class=\"measurements\">\n";
    for (const auto& [name, value] : c.measurements) out += "<tr>" + cell(name) + cell(value) + "</tr>\n";
    out += "</table>\n";
  }
  out += "<h4>Command log</h4>\n<pre class=\"command-log\">" +
         html_escape(c.command_log.empty() ? "(no commands)" : c.command_log) + "</pre>\n</section>\n";
  return out;
}

std::string failures_section(const RunReport& run) {
  std::string out = "<h2>Failures and errors</h2>\n<div id=\"failures\">\n";
  size_t count = 0;
  for (const auto& s : run.suites) {
    for (const auto& c : s.cases) {
      if (c.outcome != "failed" && c.outcome != "error") continue;
      out += failure_block(s, c);
      ++count;
    }
  }
  if (count == 0) out += "<p>None: every case that ran passed.</p>\n";
  return out + "</div>\n";
}

std::string skipped_section(const RunReport& run) {
  std::string rows;
  for (const auto& s : run.suites) {
    for (const auto& c : s.cases) {
      if (c.outcome != "skipped") continue;
      rows += "<tr class=\"skipped\">" + cell(s.name + " / " + c.id) + cell(c.title) + "<td class=\"reason\">" +
              html_escape(c.message) + "</td></tr>\n";
    }
  }
  if (rows.empty()) return "<h2>Skipped</h2>\n<p id=\"skipped\">None.</p>\n";
  return "<h2>Skipped</h2>\n<table id=\"skipped\">\n<tr><th>case</th><th>title</th><th>reason</th></tr>\n" + rows +
         "</table>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string html_report(const RunReport& run) {
  const auto model = run.identity.find("model");
  const std::string title = fmt::format("nvqual: {} {}", model == run.identity.end() ? "" : model->second, run.started);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  // Nothing may be fetched, even by a later edit: the policy forbids every load.
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n";
  out += "<title>" + html_escape(title) + "</title>\n<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  out += "<h1>" + html_escape(title) + "</h1>\n";
  out += run_problems(run) + identity_section(run) + summary_section(run) + failures_section(run) +
         skipped_section(run) + latency_charts(run);
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace nvqual::harness
