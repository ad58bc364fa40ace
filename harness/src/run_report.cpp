#include "nvqual/harness/run_report.hpp"

#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace nvqual::harness {

namespace {

using nlohmann::json;

constexpr std::string_view kFormat = "nvqual-run/1";

// Field access that names the file and the JSON path of whatever is wrong.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& where, const std::string& problem) const {
    throw RunReportError(fmt::format("{}: {}{}{}: not a complete {} report (write one with nvqual run --json FILE)",
                                     source_, where, where.empty() ? "" : ": ", problem, kFormat));
  }

  const json& member(const json& object, const std::string& where, const char* key) const {
    if (!object.is_object()) fail(where, "is not an object");
    const auto it = object.find(key);
    if (it == object.end()) fail(where, fmt::format("has no \"{}\"", key));
    return *it;
  }

  std::string text(const json& object, const std::string& where, const char* key, bool required = false) const {
    const auto it = object.find(key);
    if (it == object.end()) {
      if (required) fail(where, fmt::format("has no \"{}\"", key));
      return {};
    }
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number() || it->is_boolean()) return it->dump();
    fail(where, fmt::format("\"{}\" is not text", key));
  }

  double number(const json& object, const char* key) const {
    const auto it = object.find(key);
    return it != object.end() && it->is_number() ? it->get<double>() : 0.0;
  }

  bool flag(const json& object, const char* key) const {
    const auto it = object.find(key);
    return it != object.end() && it->is_boolean() && it->get<bool>();
  }

  const json& array(const json& object, const std::string& where, const char* key) const {
    const json& value = member(object, where, key);
    if (!value.is_array()) fail(where, fmt::format("\"{}\" is not an array", key));
    return value;
  }

 private:
  std::string source_;
};

ReportTotals read_totals(const Reader& r, const json& object) {
  ReportTotals t;
  const auto it = object.find("totals");
  if (it == object.end() || !it->is_object()) return t;
  t.tests = static_cast<long>(r.number(*it, "tests"));
  t.passed = static_cast<long>(r.number(*it, "passed"));
  t.failures = static_cast<long>(r.number(*it, "failures"));
  t.errors = static_cast<long>(r.number(*it, "errors"));
  t.skipped = static_cast<long>(r.number(*it, "skipped"));
  t.seconds = r.number(*it, "seconds");
  return t;
}

ReportCase read_case(const Reader& r, const json& j, const std::string& where) {
  if (!j.is_object()) r.fail(where, "is not an object");
  ReportCase c;
  c.id = r.text(j, where, "id", true);
  c.outcome = r.text(j, where, "outcome", true);
  if (c.outcome != "passed" && c.outcome != "failed" && c.outcome != "error" && c.outcome != "skipped") {
    r.fail(where, fmt::format("outcome \"{}\" is none of passed, failed, error, skipped", c.outcome));
  }
  c.title = r.text(j, where, "title");
  c.spec = r.text(j, where, "spec");
  c.type = r.text(j, where, "type");
  c.message = r.text(j, where, "message");
  c.seconds = r.number(j, "seconds");
  c.command_log = r.text(j, where, "command_log");
  if (const auto it = j.find("checks"); it != j.end() && it->is_array()) {
    for (size_t i = 0; i < it->size(); ++i) {
      const json& k = (*it)[i];
      const std::string at = fmt::format("{}.checks[{}]", where, i);
      if (!k.is_object()) r.fail(at, "is not an object");
      c.checks.push_back({r.text(k, at, "check"), r.text(k, at, "state"), r.text(k, at, "expected"),
                          r.text(k, at, "actual"), r.text(k, at, "at")});
    }
  }
  if (const auto it = j.find("measurements"); it != j.end() && it->is_object()) {
    for (const auto& [name, value] : it->items()) {
      c.measurements[name] = value.is_string() ? value.get<std::string>() : value.dump();
    }
  }
  return c;
}

}  // namespace

RunReport parse_run_report(const std::string& text, const std::string& source) {
  const Reader r(source);
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) {
    throw RunReportError(
        fmt::format("{}: not JSON; expected a {} report written by nvqual run --json FILE", source, kFormat));
  }
  if (!doc.is_object()) r.fail("", "the document is not a JSON object");
  const std::string format = r.text(doc, "", "format");
  if (format != kFormat) {
    throw RunReportError(fmt::format(
        "{}: format is \"{}\", expected \"{}\" (a report written by nvqual run --json FILE)", source, format, kFormat));
  }
  RunReport report;
  report.nvqual_version = r.text(doc, "", "nvqual_version");
  report.git_revision = r.text(doc, "", "git_revision");
  report.hostname = r.text(doc, "", "hostname");
  report.started = r.text(doc, "", "started");
  report.model_profile = r.text(doc, "", "model_profile");
  const json& target = r.member(doc, "", "target");
  report.target_kind = r.text(target, "target", "kind", true);
  report.qualification = r.text(target, "target", "qualification");
  for (const char* key : {"description", "bdf", "vid", "ssvid", "serial", "model", "firmware", "nvme_version",
                          "reset_latency", "ready_latency", "probe_error"}) {
    report.identity[key] = r.text(target, "target", key);
  }
  if (const auto it = target.find("facts"); it != target.end() && it->is_object()) {
    for (const auto& [name, value] : it->items()) {
      report.facts[name] = value.is_string() ? value.get<std::string>() : value.dump();
    }
  }
  const json& suites = r.array(doc, "", "suites");
  for (size_t s = 0; s < suites.size(); ++s) {
    const std::string where = fmt::format("suites[{}]", s);
    const json& j = suites[s];
    if (!j.is_object()) r.fail(where, "is not an object");
    ReportSuite suite;
    suite.name = r.text(j, where, "name", true);
    suite.area = r.text(j, where, "area");
    suite.file = r.text(j, where, "file");
    suite.sha256 = r.text(j, where, "sha256", true);
    const json& cases = r.array(j, where, "cases");
    for (size_t i = 0; i < cases.size(); ++i) {
      suite.cases.push_back(read_case(r, cases[i], fmt::format("{}.cases[{}]", where, i)));
    }
    suite.totals = read_totals(r, j);
    report.suites.push_back(std::move(suite));
  }
  report.totals = read_totals(r, doc);
  report.interrupted = r.flag(doc, "interrupted");
  report.interrupt_reason = r.text(doc, "", "interrupt_reason");
  report.device_lost = r.flag(doc, "device_lost");
  report.device_problem = r.text(doc, "", "device_problem");
  return report;
}

RunReport load_run_report(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw RunReportError(
        fmt::format("{}: no such file; give a report written by nvqual run --json FILE", path.string()));
  }
  if (std::filesystem::is_directory(path, ec)) {
    throw RunReportError(
        fmt::format("{}: is a directory; give a report written by nvqual run --json FILE", path.string()));
  }
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) throw RunReportError(fmt::format("{}: cannot be read", path.string()));
  RunReport report = parse_run_report(text, path.string());
  report.path = path;
  return report;
}

}  // namespace nvqual::harness
