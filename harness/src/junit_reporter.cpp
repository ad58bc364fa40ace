#include "nvqual/harness/junit_reporter.hpp"

#include <ctime>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <pugixml.hpp>

namespace nvqual::harness {

namespace {

constexpr const char* kSimulatorBanner = "SIMULATOR RUN - NOT A DEVICE QUALIFICATION";

std::string seconds(std::chrono::nanoseconds d) {
  return fmt::format("{:.3f}", static_cast<double>(std::max<int64_t>(d.count(), 0)) / 1e9);
}

void property(pugi::xml_node properties, const std::string& name, const std::string& value) {
  auto p = properties.append_child("property");
  p.append_attribute("name") = xml_safe(name).c_str();
  p.append_attribute("value") = xml_safe(value).c_str();
}

}  // namespace

std::string junit_timestamp(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%S", &utc);
  return buffer;
}

JunitReporter::JunitReporter(std::filesystem::path path) : path_(std::move(path)) {}

void JunitReporter::on_run_start(const RunInfo& info) { info_ = info; }

void JunitReporter::on_suite_start(const Suite& suite, std::chrono::system_clock::time_point started) {
  SuiteRecord record;
  record.suite = &suite;
  record.started = started;
  suites_.push_back(std::move(record));
}

void JunitReporter::on_case_end(const Suite&, const Case& test_case, const CaseResult& result) {
  if (suites_.empty()) return;
  suites_.back().cases.push_back({test_case.display_name(), &test_case, result});
  suites_.back().totals.add(result.outcome);
  suites_.back().totals.duration += result.duration;
}

void JunitReporter::on_suite_end(const Suite&, const SuiteTotals&) {
  if (!suites_.empty()) suites_.back().finished = true;
}

void JunitReporter::on_run_end(const RunSummary& summary) { write_file_atomically(path_, xml(summary)); }

std::string JunitReporter::xml(const RunSummary& summary) const {
  const TargetInfo& target = info_.target;
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  // The strict schema allows no attributes on <testsuites>.
  auto root = doc.append_child("testsuites");
  int id = 0;
  for (const SuiteRecord& record : suites_) {
    const Suite& suite = *record.suite;
    const std::string name = target.simulator ? suite.name + " [SIMULATOR]" : suite.name;
    auto ts = root.append_child("testsuite");
    ts.append_attribute("name") = name.c_str();
    ts.append_attribute("package") = target.simulator ? "nvqual.simulator" : "nvqual.device";
    ts.append_attribute("id") = id++;
    ts.append_attribute("timestamp") = junit_timestamp(record.started).c_str();
    ts.append_attribute("hostname") = xml_safe(info_.hostname.empty() ? "localhost" : info_.hostname).c_str();
    ts.append_attribute("tests") = record.totals.tests;
    ts.append_attribute("failures") = record.totals.failures;
    ts.append_attribute("errors") = record.totals.errors;
    ts.append_attribute("skipped") = record.totals.skipped;
    ts.append_attribute("time") = seconds(record.totals.duration).c_str();

    auto props = ts.append_child("properties");
    property(props, "target", target.simulator ? "simulator" : "device");
    if (target.simulator) property(props, "qualification", kSimulatorBanner);
    property(props, "target_description", target.description);
    property(props, "bdf", target.bdf);
    property(props, "vid", target.vid);
    property(props, "ssvid", target.ssvid);
    property(props, "serial", target.serial);
    property(props, "model", target.model);
    property(props, "firmware", target.firmware);
    property(props, "nvme_version", target.nvme_version);
    property(props, "nvqual_version", info_.nvqual_version);
    property(props, "nvqual_git_revision", info_.git_revision);
    property(props, "suite_file", suite.path);
    property(props, "suite_sha256", suite.sha256);
    property(props, "suite_area", suite.area);
    property(props, "reset_latency", target.reset_latency);
    property(props, "ready_latency", target.ready_latency);
    property(props, "expect_pattern", info_.expect_pattern ? "true" : "false");
    property(props, "model_profile", info_.model_profile);
    // Media changes (docs/data-integrity.md): run-wide, like the target.
    property(props, "media_changes_allowed", info_.media_changes.allowed ? "true" : "false");
    property(props, "media_changing_commands", std::to_string(summary.media_changing_commands));
    if (!info_.media_changes.confirmed_serial.empty()) {
      property(props, "confirmed_serial", info_.media_changes.confirmed_serial);
    }
    if (!info_.media_changes.scratch.empty()) {
      property(props, "scratch_ranges", fmt::format("{}", fmt::join(info_.media_changes.scratch, "; ")));
    }
    if (!target.probe_error.empty()) property(props, "probe_error", target.probe_error);
    if (summary.interrupted) property(props, "interrupted", summary.interrupt_reason);

    std::string out;
    if (target.simulator) out += std::string(kSimulatorBanner) + "\n";
    out += fmt::format("nvqual {} ({}) on {}: suite {} ({})\n", info_.nvqual_version, info_.git_revision,
                       target.description, suite.name, suite.path);
    std::string err;
    for (const CaseRecord& cr : record.cases) {
      auto tc = ts.append_child("testcase");
      tc.append_attribute("name") = xml_safe(cr.name).c_str();
      tc.append_attribute("classname") = name.c_str();
      tc.append_attribute("time") = seconds(cr.result.duration).c_str();
      const CaseResult& r = cr.result;
      switch (r.outcome) {
        case Outcome::kPassed: break;
        case Outcome::kSkipped: {
          auto skipped = tc.append_child("skipped");
          skipped.append_attribute("message") = xml_safe(r.message).c_str();
          break;
        }
        case Outcome::kFailed:
        case Outcome::kError: {
          auto element = tc.append_child(r.outcome == Outcome::kFailed ? "failure" : "error");
          const std::string type = reported_type(r);
          element.append_attribute("type") = xml_safe(type.empty() ? "unknown" : type).c_str();
          element.append_attribute("message") = xml_safe(r.message).c_str();
          // GitLab shows the body, not the message: the body repeats it with the checks and command log.
          element.text().set(xml_safe(r.details).c_str());
          if (r.outcome == Outcome::kError) err += fmt::format("{}: {}\n", cr.name, r.message);
          break;
        }
      }
      for (const auto& m : r.measurements) out += fmt::format("{}: {}: {}\n", cr.c->id, m.name, m.value);
    }
    if (!record.finished) err += "the suite did not finish\n";
    if (summary.interrupted) err += fmt::format("the run was interrupted ({})\n", summary.interrupt_reason);
    if (summary.device_lost) err += summary.device_problem + "\n";
    ts.append_child("system-out").text().set(xml_safe(out).c_str());
    ts.append_child("system-err").text().set(xml_safe(err).c_str());
  }
  std::ostringstream stream;
  doc.save(stream, "  ", pugi::format_default, pugi::encoding_utf8);
  return stream.str();
}

}  // namespace nvqual::harness
