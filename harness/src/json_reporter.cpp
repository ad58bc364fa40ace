#include "nvqual/harness/json_reporter.hpp"

#include "nvqual/harness/junit_reporter.hpp"

namespace nvqual::harness {

namespace {

nlohmann::json totals_json(const SuiteTotals& t) {
  return {{"tests", t.tests},   {"passed", t.passed},   {"failures", t.failures},
          {"errors", t.errors}, {"skipped", t.skipped}, {"seconds", static_cast<double>(t.duration.count()) / 1e9}};
}

// Error completions in a form a script can match against another observer's
// log (QEMU's pci_nvme_err_req_status trace carries the same CID, NSID,
// opcode and 15-bit status field).
nlohmann::json failed_commands_json(const CaseResult& r) {
  nlohmann::json out = nlohmann::json::array();
  for (const CommandRecord& f : r.failed_commands) {
    const spec::Status status = f.completion ? f.completion->status() : spec::Status{};
    out.push_back({{"number", f.sequence},
                   {"queue", f.qid},
                   {"cid", f.command.cid()},
                   {"opcode", f.command.opcode()},
                   {"nsid", f.command.nsid},
                   {"status", status.code()},
                   {"status_field", status.raw}});
  }
  return out;
}

}  // namespace

JsonReporter::JsonReporter(std::filesystem::path path) : path_(std::move(path)) {}

void JsonReporter::on_run_start(const RunInfo& info) {
  const auto& t = info.target;
  nlohmann::json facts = nlohmann::json::object();
  for (const auto& [name, value] : t.facts) facts[name] = value;
  doc_ = {
      {"format", "nvqual-run/1"},
      {"nvqual_version", info.nvqual_version},
      {"git_revision", info.git_revision},
      {"hostname", info.hostname},
      {"started", junit_timestamp(info.started) + "Z"},
      {"expect_pattern", info.expect_pattern},
      {"model_profile", info.model_profile},
      {"target",
       {{"kind", t.simulator ? "simulator" : "device"},
        {"qualification", t.simulator ? "SIMULATOR RUN - NOT A DEVICE QUALIFICATION" : "device"},
        {"description", xml_safe(t.description)},
        {"bdf", t.bdf},
        {"vid", t.vid},
        {"ssvid", t.ssvid},
        {"serial", xml_safe(t.serial)},
        {"model", xml_safe(t.model)},
        {"firmware", xml_safe(t.firmware)},
        {"nvme_version", t.nvme_version},
        {"reset_latency", t.reset_latency},
        {"ready_latency", t.ready_latency},
        {"probe_error", xml_safe(t.probe_error)},
        {"facts", facts}}},
      {"suites", nlohmann::json::array()},
  };
  // What the run was allowed to change; commands_sent is added when it ends.
  doc_["media_changes"] = {{"allowed", info.media_changes.allowed},
                           {"confirmed_serial", xml_safe(info.media_changes.confirmed_serial)},
                           {"scratch", info.media_changes.scratch},
                           {"commands_sent", 0}};
}

void JsonReporter::on_suite_start(const Suite& suite, std::chrono::system_clock::time_point started) {
  doc_["suites"].push_back({{"name", suite.name},
                            {"area", suite.area},
                            {"file", suite.path},
                            {"sha256", suite.sha256},
                            {"started", junit_timestamp(started) + "Z"},
                            {"cases", nlohmann::json::array()}});
}

void JsonReporter::on_case_end(const Suite&, const Case& test_case, const CaseResult& r) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& k : r.checks) {
    checks.push_back({{"check", xml_safe(k.description)},
                      {"state", k.state == CheckState::kPassed   ? "passed"
                                : k.state == CheckState::kFailed ? "failed"
                                                                 : "not_applicable"},
                      {"expected", xml_safe(k.expected)},
                      {"actual", xml_safe(k.actual)},
                      {"at", k.mark.str()}});
  }
  nlohmann::json measured = nlohmann::json::object();
  for (const auto& m : r.measurements) measured[m.name] = m.value;
  doc_["suites"].back()["cases"].push_back({{"id", test_case.id},
                                            {"title", xml_safe(test_case.title)},
                                            {"spec", test_case.spec},
                                            {"outcome", std::string(to_string(r.outcome))},
                                            {"type", reported_type(r)},
                                            {"message", xml_safe(r.message)},
                                            {"seconds", static_cast<double>(r.duration.count()) / 1e9},
                                            {"checks", checks},
                                            {"measurements", measured},
                                            {"command_log", xml_safe(r.command_log)},
                                            {"failed_commands", failed_commands_json(r)},
                                            {"failed_commands_dropped", r.failed_commands_dropped}});
}

void JsonReporter::on_suite_health(const Suite&, const SuiteHealthReport& report) {
  nlohmann::json start = nlohmann::json::object();
  nlohmann::json end = nlohmann::json::object();
  nlohmann::json difference = nlohmann::json::object();
  for (const HealthField& f : report.fields) {
    start[f.key] = f.start;
    end[f.key] = f.end;
    difference[f.key] = f.difference();
  }
  doc_["suites"].back()["health"] = {{"read", report.read},
                                     {"problem", xml_safe(report.problem)},
                                     {"start", start},
                                     {"end", end},
                                     {"difference", difference}};
}

void JsonReporter::on_suite_end(const Suite&, const SuiteTotals& totals) {
  doc_["suites"].back()["totals"] = totals_json(totals);
}

void JsonReporter::on_run_end(const RunSummary& summary) {
  doc_["totals"] = totals_json(summary.totals);
  doc_["interrupted"] = summary.interrupted;
  doc_["interrupt_reason"] = summary.interrupt_reason;
  doc_["device_lost"] = summary.device_lost;
  doc_["device_problem"] = xml_safe(summary.device_problem);
  doc_["media_changes"]["commands_sent"] = summary.media_changing_commands;
  // Text is sanitised where it is added; `replace` is the backstop for any
  // string that was not: a bad byte becomes U+FFFD instead of an exception
  // that would lose the report.
  if (path_.empty()) return;  // kept in memory only (HtmlReporter)
  write_file_atomically(path_, doc_.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

}  // namespace nvqual::harness
