// Each case fails on a faulty device: every case in the shipped suites is
// shown to fail against at least one faulty device, and the test says how it
// was caught, through one of its own checks (a check the suite wrote under
// `expect:`, or the loader's implicit success-status / whole-structure check)
// or only through an error (a driver protocol violation, a timeout). Every
// check written in a suite must also be shown failing by some fault, or be
// listed in kUnreachable with the reason no simulator fault can reach it: a
// check no device can fail tells a lab something was verified when it was not.
//
// The faulty devices are the simulator's fault profiles (fixtures/sim/faults/
// *.yaml, the harness-* ones written for this test) and register-level faults
// for the register cases. A case counts as caught when it fails, or errors in
// its own steps (a timeout or protocol violation while it runs); errors
// reaching its start state or in the health probe afterwards do not count,
// because they say nothing about the case. Being caught is not enough: every
// case also has a designed (fault, case, message part) entry in kCaughtByCheck
// (or, for what only the driver can see, kCaughtByError), so it is shown to
// fail through what was written for it. The clean devices (the default profile
// and multi-ns.yaml) pass every case, and every case passes on one of them.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <map>
#include <memory>
#include <set>
#include <string_view>
#include <utility>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/harness/model_profile.hpp"
#include "nvqual/sim/profile.hpp"
#include "nvqual/harness/results.hpp"
#include "support/fault_matrix_markdown.hpp"
#include "support/register_fault_transport.hpp"
#include "support/sim_run.hpp"

namespace nvqual::harness {
namespace {

using testing::RegisterFault;

// A register fault that only changes what the host reads.
RegisterFault on_read(std::string name, uint32_t offset, std::function<uint64_t(uint64_t, bool)> change) {
  return {std::move(name), offset, std::move(change), nullptr};
}

// A write to CSTS clears RDY as if it were writable: the next CSTS read shows
// RDY=0 (once, so the runner's own disable afterwards is not stalled).
RegisterFault csts_write_clears_rdy() {
  auto written = std::make_shared<bool>(false);
  return {"csts-write-clears-rdy", spec::reg::kCsts,
          [written](uint64_t v, bool) {
            const bool clear = std::exchange(*written, false);
            return clear ? v & ~uint64_t{1} : v;
          },
          [written](Transport&, uint32_t offset, uint32_t) {
            if (offset == spec::reg::kCsts) *written = true;
            return false;
          }};
}

std::vector<RegisterFault> register_faults() {
  using spec::reg::kAqa;
  using spec::reg::kAsq;
  using spec::reg::kCap;
  using spec::reg::kCc;
  using spec::reg::kCsts;
  using spec::reg::kIntms;
  return {
      on_read("cap-reserved-bit-61", kCap, [](uint64_t v, bool) { return v | (uint64_t{1} << 61); }),
      on_read("cap-mqes-zero-while-enabled", kCap,
              [](uint64_t v, bool enabled) { return enabled ? spec::Cap{v}.set_mqes(0).raw : v; }),
      on_read("csts-shst-stuck-at-occurring", kCsts,
              [](uint64_t v, bool) {
                const spec::Csts c{static_cast<uint32_t>(v)};
                return c.shst() == 0 ? uint64_t{c.set_shst(spec::Csts::kShstOccurring).raw} : v;
              }),
      on_read("csts-cfs-while-disabled", kCsts,
              [](uint64_t v, bool enabled) {
                return enabled ? v : uint64_t{spec::Csts{static_cast<uint32_t>(v)}.set_cfs(1).raw};
              }),
      on_read("cc-fields-not-kept-while-enabled", kCc,
              [](uint64_t v, bool enabled) {
                return enabled ? uint64_t{spec::Cc{static_cast<uint32_t>(v)}
                                              .set_css(7)
                                              .set_mps(15)
                                              .set_iosqes(0)
                                              .set_iocqes(0)
                                              .raw}
                               : v;
              }),
      on_read("aqa-reads-zero", kAqa, [](uint64_t, bool) { return uint64_t{0}; }),
      on_read("asq-reserved-bits-set", kAsq, [](uint64_t v, bool) { return v | 0x10; }),
      // CAP.AMS offers round robin only, yet CC reads weighted round robin.
      on_read("cc-ams-reads-wrr", kCc,
              [](uint64_t v, bool enabled) {
                return enabled ? uint64_t{spec::Cc{static_cast<uint32_t>(v)}.set_ams(1).raw} : v;
              }),
      on_read("reserved-100h-reads-nonzero", 0x100, [](uint64_t, bool) { return uint64_t{0xA5A5A5A5}; }),
      on_read("intms-survives-disable", kIntms, [](uint64_t v, bool enabled) { return enabled ? v : v | 1; }),
      // INTMS taken as a plain read/write register: writing 0 clears the mask.
      {"intms-is-plain-rw", kIntms, [](uint64_t v, bool) { return v; },
       [](Transport& inner, uint32_t offset, uint32_t value) {
         if (offset != kIntms) return false;
         inner.write32(spec::reg::kIntmc, 0xFFFFFFFF);
         inner.write32(kIntms, value);
         return true;
       }},
      csts_write_clears_rdy(),
      on_read("acq-reserved-bits-set", spec::reg::kAcq, [](uint64_t v, bool) { return v | 0x10; }),
      on_read("asq-reads-zero", kAsq, [](uint64_t, bool) { return uint64_t{0}; }),
      on_read("acq-reads-zero", spec::reg::kAcq, [](uint64_t, bool) { return uint64_t{0}; }),
      // The interrupt mask registers ignore a write (INTMS: the mask is never set;
      // INTMC: never cleared), or INTMC takes a 0 bit as "clear" (all of them).
      {"intms-ignores-writes", kIntms, [](uint64_t v, bool) { return v; },
       [](Transport&, uint32_t offset, uint32_t) { return offset == kIntms; }},
      {"intmc-ignores-writes", kIntms, [](uint64_t v, bool) { return v; },
       [](Transport&, uint32_t offset, uint32_t) { return offset == spec::reg::kIntmc; }},
      {"intmc-zero-clears-the-mask", kIntms, [](uint64_t v, bool) { return v; },
       [](Transport& inner, uint32_t offset, uint32_t value) {
         if (offset != spec::reg::kIntmc || value != 0) return false;
         inner.write32(spec::reg::kIntmc, 0xFFFFFFFF);
         return true;
       }},
  };
}

// How a faulty device made a case fail. A run-level check is one of the
// HEALTH-* cases the runner adds after every suite (suite_health.hpp): what
// the device says about itself, held against what nvqual did.
enum class Caught { kWrittenCheck, kImplicitCheck, kRunLevelCheck, kError };

bool run_level(const std::string& case_id) { return case_id.rfind("HEALTH-", 0) == 0; }

// A check a suite wrote under `expect:`, named "AQ-001: sqhd_errors == 0"
// (with " #2" when one case writes the same check twice).
struct WrittenCheck {
  std::string id;
  std::string where;  // FILE:LINE:COLUMN
};

struct Findings {
  std::map<std::string, std::set<std::string>> tripped_by;       // case id -> faulty targets
  std::map<std::string, std::string> why;                        // "target/case" -> message
  std::map<std::string, Outcome> outcome;                        // "target/case" -> failed or error
  std::set<std::string> failed_a_check;                          // "target/case" where a check failed
  std::map<std::string, std::set<Caught>> caught;                // case id -> how some target caught it
  std::map<std::string, std::set<std::string>> check_failed_by;  // written check id -> faulty targets
  std::vector<WrittenCheck> written;
  std::map<std::string, std::string> written_at;  // SourceMark::str() -> written check id
  std::set<std::string> all_cases;
  std::map<std::string, std::set<std::string>> passed_on;  // case id -> clean devices it passed on
  std::map<std::string, int> exit_code;                    // faulty target -> the run's exit code
  std::map<std::string, std::string> device_problem;       // faulty target -> RunSummary::device_problem
  std::string clean_problems;
  std::string catalogue_problems;
};

bool tripped(const CaseResult& r) {
  return r.outcome == Outcome::kFailed || (r.outcome == Outcome::kError && r.failed_in == FailedIn::kSteps);
}

void catalogue_written_checks(const std::vector<Suite>& suites, Findings& f) {
  for (const Suite& suite : suites) {
    for (const Case& c : suite.cases) {
      std::map<std::string, int> seen;
      for (const StepCall& call : c.steps) {
        for (const Check& check : call.checks) {
          if (check.implicit) continue;
          std::string id = c.id + ": " + check.describe();
          if (const int n = ++seen[id]; n > 1) id += " #" + std::to_string(n);
          const auto [it, fresh] = f.written_at.emplace(check.mark.str(), id);
          if (!fresh)
            f.catalogue_problems += "two checks at " + check.mark.str() + ": " + it->second + ", " + id + "\n";
          f.written.push_back({id, check.mark.str()});
        }
      }
    }
  }
}

class EachCaseFailsOnAFaultyDevice : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    findings_ = new Findings;
    const auto suites = testing::shipped_suites();
    catalogue_written_checks(suites, *findings_);
    model_ = new ModelProfile(load_model_profile(NVQUAL_SOURCE_DIR "/fixtures/models/nvqual-sim-default.yaml"));
    auto options = testing::quick_options();
    options.settings.model = model_;
    options.health_checks = true;  // the HEALTH-* run-level cases count like any other
    // The clean devices and the harness-write-* profiles run the write cases
    // (--allow-media-changes, the simulator's default scratch range); every
    // other faulty device skips them, as a run without the opt-in does.
    auto writing = options;
    writing.settings.allow_media_changes = true;
    std::vector<Suite> write_suites;
    for (const Suite& suite : suites) {
      if (suite.media_changes) write_suites.push_back(suite);
    }

    // The clean devices: every case passes (or skips). The default profile's
    // facts stand in when a faulty device cannot even be probed. multi-ns.yaml
    // has what the default lacks (namespaces beyond NSID 1, an inactive NSID);
    // the model profile describes the default device, so it runs without one.
    const auto clean = testing::run_on_simulator(sim::default_profile(), suites, writing);
    auto without_model = writing;
    without_model.settings.model = nullptr;
    const auto multi_ns = testing::run_on_simulator(sim::load_profile(NVQUAL_SOURCE_DIR "/fixtures/sim/multi-ns.yaml"),
                                                    suites, without_model);
    for (const auto& [name, run] : {std::pair{"default", clean.get()}, std::pair{"multi-ns", multi_ns.get()}}) {
      const std::string problems = run->listener.problems();
      if (!problems.empty()) findings_->clean_problems += std::string(name) + ":\n" + problems;
      for (const auto& e : run->listener.results) {
        findings_->all_cases.insert(e.id);
        if (e.result.outcome == Outcome::kPassed) findings_->passed_on[e.id].insert(name);
      }
    }
    options.fallback_target = clean->listener.info.target;
    // A faulty profile's fallback facts come from the same profile without its faults.
    auto facts_without_faults = [&](sim::Profile profile) {
      profile.faults.clear();
      return testing::run_on_simulator(profile, {}, options)->listener.info.target;
    };

    auto record = [&](const std::string& target, const testing::RecordingListener& listener) {
      for (const auto& e : listener.results) {
        if (!tripped(e.result)) continue;
        const std::string key = target + "/" + e.id;
        findings_->tripped_by[e.id].insert(target);
        findings_->why[key] = e.result.message;
        findings_->outcome[key] = e.result.outcome;
        for (const CheckResult& r : e.result.checks) {
          if (r.state != CheckState::kFailed) continue;
          findings_->failed_a_check.insert(key);
          const auto written = findings_->written_at.find(r.mark.str());
          if (run_level(e.id)) {
            findings_->caught[e.id].insert(Caught::kRunLevelCheck);
          } else if (written == findings_->written_at.end()) {
            findings_->caught[e.id].insert(Caught::kImplicitCheck);
          } else {
            findings_->caught[e.id].insert(Caught::kWrittenCheck);
            findings_->check_failed_by[written->second].insert(target);
          }
        }
        if (findings_->failed_a_check.count(key) == 0) findings_->caught[e.id].insert(Caught::kError);
      }
    };
    const auto trips_a_case = [&](const std::string& target) {
      for (const auto& [id, targets] : findings_->tripped_by) {
        if (targets.count(target) != 0) return true;
      }
      return false;
    };
    for (const auto& file : std::filesystem::directory_iterator(NVQUAL_SOURCE_DIR "/fixtures/sim/faults")) {
      if (file.path().extension() != ".yaml") continue;
      const sim::Profile profile = sim::load_profile(file.path());
      const std::string target = file.path().stem().string();
      // A write fault shows only in the suites that write: run just those (the
      // test's run time stays small), with the opt-in.
      const bool write_fault = target.rfind("harness-write-", 0) == 0;
      const std::vector<Suite>& target_suites = write_fault ? write_suites : suites;
      auto with_fallback = write_fault ? writing : options;
      with_fallback.fallback_target = facts_without_faults(profile);
      const auto run = testing::run_on_simulator(profile, target_suites, with_fallback);
      record(target, run->listener);
      findings_->exit_code[target] = exit_code_for(run->summary);
      findings_->device_problem[target] = run->summary.device_problem;
      // A device lost in the first case ends the run before the cases written
      // for its fault (a controller that never becomes ready fails reaching the
      // admin queue's start state): each suite then gets a device of its own.
      if (!trips_a_case(target)) {
        for (const Suite& suite : target_suites)
          record(target, testing::run_on_simulator(profile, {suite}, with_fallback)->listener);
      }
    }
    for (const RegisterFault& fault : register_faults()) {
      VirtualClock clock;
      sim::SimulatedController simulator(sim::default_profile(), sim::Mode::kInline, clock);
      testing::RegisterFaultTransport faulty(simulator, fault);
      testing::RecordingListener listener;
      Runner runner(faulty, clock, options, listener);
      const RunSummary summary = runner.run(suites);
      record("register:" + fault.name, listener);
      findings_->exit_code["register:" + fault.name] = exit_code_for(summary);
    }
  }
  static void TearDownTestSuite() {
    delete findings_;
    delete model_;
  }

  static Findings* findings_;
  static ModelProfile* model_;
};

Findings* EachCaseFailsOnAFaultyDevice::findings_ = nullptr;
ModelProfile* EachCaseFailsOnAFaultyDevice::model_ = nullptr;

TEST_F(EachCaseFailsOnAFaultyDevice, TheCleanSimulatorsPassEveryCase) {
  EXPECT_EQ(findings_->clean_problems, "");
  std::string never_passed;
  for (const auto& id : findings_->all_cases) {
    if (findings_->passed_on.count(id) == 0) never_passed += " " + id;
  }
  EXPECT_EQ(never_passed, "") << "these cases skip on every clean device: no good device is shown to pass them";
}

// Designed pairs: each fault must trip the cases written to catch it, through
// the check meant for it (the message names that check), not just any failure.
struct Expectation {
  const char* target;
  const char* case_id;
  const char* message_part;
};

// Every shipped case has at least one entry, and where it can be done the
// fault is aimed at that case alone (harness-wrong-statuses answers one kind
// of invalid request with another status; register faults change one register;
// the harness-admin-stale-sqhd-* profiles hit the Nth command after a reset).
//
// These cases can only be tripped by faults that hit every command of their
// kind, because what they send is the ordinary command other cases and the
// runner's own set-up send too (a targeted fault would break every case's
// set-up first): INIT-005 (reset, then re-create queue 1), IOQ-002, IOQ-005,
// IOQ-015, IOQ-016, IOQ-017, IOQ-018, IOQ-020 (Create/Delete of queue 1, valid
// or repeated), AQ-004 and AQ-008 (batched Get Features: only their status is
// the device's to get wrong), AQ-014 (Get Features Number of Queues), ID-022
// (Identify Controller) and RD-022 (plain one-block Reads).
//
// Each of these fails through a check of the case (a health probe failing
// afterwards may still turn the outcome into an error).
const Expectation kCaughtByCheck[] = {
    // registers
    {"register:cap-reserved-bit-61", "REG-001", "cap has bits"},
    {"harness-version-3", "REG-002", "vs_mjr in [1, 2]"},
    {"register:csts-shst-stuck-at-occurring", "REG-003", "csts_shst == 0"},
    {"register:csts-cfs-while-disabled", "REG-003", "csts_cfs == 0"},
    {"register:csts-shst-stuck-at-occurring", "REG-004", "csts_shst == 0"},
    {"register:cc-fields-not-kept-while-enabled", "REG-005", "cc_mps in [mpsmin, mpsmax]"},
    {"register:cc-ams-reads-wrr", "REG-005", "cc_ams == 0"},
    {"register:cc-fields-not-kept-while-enabled", "REG-006", "cc_iosqes == 6"},
    {"register:aqa-reads-zero", "REG-007", "aqa_asqs == admin_sq_entries - 1"},
    {"register:asq-reserved-bits-set", "REG-008", "asq_offset == 0"},
    {"harness-slow-disable", "REG-009", "latency within ready_timeout_ms ms"},
    {"register:aqa-reads-zero", "REG-009", "aqa_asqs == admin_sq_entries - 1"},
    {"register:cap-mqes-zero-while-enabled", "REG-010", "cap_mqes == mqes"},
    {"harness-crwmt-below-to", "REG-011", "crto_crwmt >= cap_to"},
    {"register:cc-fields-not-kept-while-enabled", "REG-012", "cc_css_offered == 1"},
    {"register:cc-ams-reads-wrr", "REG-012", "cc_ams_offered == 1"},
    {"register:reserved-100h-reads-nonzero", "REG-013", "nonzero == 0: expected == 0, actual 1"},
    {"register:intms-survives-disable", "REG-014", "intms == 0"},
    {"register:csts-shst-stuck-at-occurring", "REG-014", "csts has bits 0xFFFFFFEF clear"},
    {"harness-stale-sqhd-after-reset", "REG-014", "sqhd == 1: expected == 1, actual 0"},
    {"register:intms-is-plain-rw", "REG-015", "value == 1: expected == 1, actual 0"},
    {"register:csts-write-clears-rdy", "REG-016", "value has bits 0x1 set"},
    // transitions
    {"harness-slow-ready", "INIT-001", "latency within ready_timeout_ms ms"},
    {"harness-slow-disable", "INIT-002", "latency within ready_timeout_ms ms"},
    {"harness-slow-disable", "INIT-003", "disable_latency within ready_timeout_ms ms"},
    {"harness-slow-ready", "INIT-003", "latency within ready_timeout_ms ms"},
    {"harness-slow-ready", "INIT-004", "latency within ready_timeout_ms ms"},
    {"harness-delete-sq-error", "INIT-005", "status in {00/00}: expected {00/00}, actual 00/06"},
    {"register:aqa-reads-zero", "INIT-006", "aqa_asqs == 3"},
    {"harness-stale-sqhd-after-reset", "INIT-007", "sqhd == 1: expected == 1, actual 0"},
    {"harness-slow-ready", "INIT-008", "latency within ready_timeout_ms ms"},
    {"register:aqa-reads-zero", "INIT-009", "aqa_asqs == admin_sq_entries - 1"},
    {"register:csts-cfs-while-disabled", "INIT-010", "csts_cfs == 0"},
    {"slow-shutdown", "INIT-011", "latency within rtd3e_ms"},
    // admin_queue
    {"harness-admin-stale-sqhd-burst", "AQ-001", "sqhd_errors == 0: expected == 0, actual 1"},
    {"harness-admin-stale-sqhd-burst", "AQ-002", "sqhd_errors == 0: expected == 0, actual 1"},
    {"harness-admin-stale-sqhd-burst", "AQ-003", "sqhd_errors == 0: expected == 0, actual 2"},
    {"harness-get-features-error", "AQ-004", "status in {00/00}: expected {00/00}, actual 00/06"},
    {"harness-admin-stale-sqhd-fill", "AQ-005", "sqhd_advance == 7: expected == 7, actual 6"},
    {"harness-admin-stale-sqhd-fill", "AQ-006", "sqhd_advance == 6: expected == 6, actual 5"},
    {"harness-admin-stale-sqhd-fill", "AQ-007", "sqhd_advance == 6: expected == 6, actual 5"},
    {"harness-get-features-error", "AQ-008", "status in {00/00}: expected {00/00}, actual 00/06"},
    {"harness-admin-stale-sqhd-burst", "AQ-009", "sqhd_errors == 0: expected == 0, actual 2"},
    {"harness-reserved-opcodes-error", "AQ-010", "status in {00/01}"},
    {"harness-reserved-opcodes-error", "AQ-011", "status in {00/01}"},
    {"harness-wrong-statuses", "AQ-012", "status in {00/02}: expected {00/02}, actual 00/0B"},
    {"harness-wrong-statuses", "AQ-013", "status in {00/02}: expected {00/02}, actual 00/0B"},
    {"harness-get-features-error", "AQ-014", "status in {00/00}: expected {00/00}, actual 00/06"},
    {"harness-wrong-statuses", "AQ-015", "status in {00/00}: expected {00/00}, actual 00/02"},
    // identify
    {"harness-identify-vid-zero", "ID-001", "vid != 0"},
    {"harness-identify-mn-control", "ID-002", "mn is printable ASCII"},
    {"corrupt-identify-serial", "ID-002", "sn is printable ASCII"},
    {"harness-identify-serial-bad-utf8", "ID-002", "sn is printable ASCII"},
    {"harness-identify-sqes", "ID-003", "sqes_min == 6"},
    {"harness-identify-ver", "ID-004", "ver == vs"},
    {"harness-identify-nn-zero", "ID-004", "nn >= 1"},
    {"harness-admin-prp1-only", "ID-005", "data agrees with 'aligned': expected byte 512"},
    {"harness-identify-nn-zero", "ID-006", "above_nn == 0"},
    // Identify that succeeds without moving data: poisoned buffers show it (zeros would pass these).
    {"harness-identify-no-data", "ID-007", "count == 0"},
    {"harness-wrong-statuses", "ID-007", "status in {00/00}: expected {00/00}, actual 00/06"},
    {"harness-wrong-statuses", "ID-008", "status in {00/00}: expected {00/00}, actual 00/06"},
    {"corrupt-identify-namespace", "ID-009", "nsze >= ncap"},
    {"harness-identify-lbaf", "ID-010", "invalid_formats == 0"},
    {"harness-identify-flbas", "ID-010", "active_format_valid == 1"},
    {"harness-admin-prp1-only", "ID-011", "data agrees with 'aligned': expected byte 1024"},
    {"harness-wrong-statuses", "ID-012", "status in {00/0B}: expected {00/0B}, actual 00/02"},
    {"harness-identify-nn-zero", "ID-013", "status in {00/0B}"},
    {"harness-wrong-statuses", "ID-014", "status in {00/0B}: expected {00/0B}, actual 00/02"},
    {"harness-multi-ns-inactive-nsid", "ID-015", "status in {00/00, 00/0B}: expected {00/00, 00/0B}, actual 00/02"},
    {"harness-wrong-statuses", "ID-016", "status in {00/02}: expected {00/02}, actual 00/0B"},
    {"harness-wrong-statuses", "ID-017", "status in {00/02}: expected {00/02}, actual 00/0B"},
    {"harness-wrong-statuses", "ID-018", "status in {00/0B}: expected {00/0B}, actual 00/02"},
    {"harness-wrong-statuses", "ID-019", "status in {00/00}: expected {00/00}, actual 00/06"},
    {"harness-identify-no-data", "ID-015", "nonzero_bytes == 0"},
    {"harness-identify-no-data", "ID-019", "count >= 1: expected >= 1, actual 0"},
    {"harness-identify-mn-control", "ID-020", "mn matches the model profile's identify_controller.mn"},
    {"harness-identify-vid-zero", "ID-020", "vid matches the model profile's identify_controller.vid"},
    {"corrupt-identify-namespace", "ID-021", "ncap matches the model profile's identify_namespace.ncap"},
    {"harness-identify-flbas", "ID-021", "lba_size matches the model profile's identify_namespace.lba_size"},
    {"identify-status-error", "ID-022", "status in {00/00} (iteration 0)"},
    // io_queues
    {"harness-overstate-queues", "IOQ-001", "highest_qid_status in {00/00}: expected {00/00}, actual 01/01"},
    {"harness-set-features-error", "IOQ-001", "status in {00/00}"},
    {"harness-create-sq-error", "IOQ-002", "status in {00/00}: expected {00/00}, actual 00/06"},
    {"harness-wrong-statuses", "IOQ-003", "status in {01/01}: expected {01/01}, actual 01/02"},
    {"harness-wrong-statuses", "IOQ-004", "status in {01/01}: expected {01/01}, actual 01/02"},
    {"harness-create-cq-error", "IOQ-005", "status in {00/00}: expected {00/00}, actual 00/06"},
    {"harness-wrong-statuses", "IOQ-006", "status in {01/02}: expected {01/02}, actual 01/01"},
    {"harness-wrong-statuses", "IOQ-007", "status in {01/02}: expected {01/02}, actual 01/01"},
    {"harness-wrong-statuses", "IOQ-008", "status in {00/00}: expected {00/00}, actual 01/02"},
    {"harness-wrong-statuses", "IOQ-009", "status in {01/02}: expected {01/02}, actual 01/01"},
    {"harness-wrong-statuses", "IOQ-010", "status in {01/02}: expected {01/02}, actual 01/01"},
    {"harness-wrong-statuses", "IOQ-011", "status in {00/00}: expected {00/00}, actual 01/02"},
    {"harness-wrong-statuses", "IOQ-012", "status in {01/00}: expected {01/00}, actual 01/01"},
    {"harness-create-sq-error", "IOQ-012", "status in {01/00}"},
    {"harness-wrong-statuses", "IOQ-013", "status in {01/00, 01/01}: expected {01/00, 01/01}, actual 01/02"},
    {"harness-wrong-statuses", "IOQ-014", "status in {01/01}: expected {01/01}, actual 01/02"},
    {"harness-create-sq-error", "IOQ-015", "status in {00/00}: expected {00/00}, actual 00/06"},
    {"harness-delete-cq-error", "IOQ-016", "status in {01/0C}"},
    {"harness-delete-sq-error", "IOQ-017", "status in {00/00}: expected {00/00}, actual 00/06"},
    {"harness-delete-cq-error", "IOQ-018", "status in {00/00}: expected {00/00}, actual 00/06"},
    {"harness-wrong-statuses", "IOQ-019", "status in {01/01}: expected {01/01}, actual 01/02"},
    {"harness-create-cq-error", "IOQ-020", "status in {00/13}"},
    {"harness-wrong-statuses", "IOQ-021", "status in {00/02}: expected {00/02}, actual 01/02"},
    {"harness-wrong-statuses", "IOQ-022", "status in {01/08}: expected {01/08}, actual 01/01"},
    {"harness-wrong-statuses", "IOQ-023", "status in {00/00} (iteration 7): expected {00/00}, actual 00/06"},
    {"harness-wrong-statuses", "IOQ-024", "status in {00/00}: expected {00/00}, actual 00/06"},
    // read
    {"corrupt-read-data", "RD-001", "data matches the LBA stamp"},
    {"corrupt-read-data", "RD-002", "data matches the LBA stamp"},
    {"harness-corrupt-reads", "RD-003", "data matches the LBA stamp"},
    {"harness-read-every-3rd-corrupt", "RD-004", "data agrees with 'last'"},
    {"harness-read-skip-transfer", "RD-004", "data agrees with 'first'"},
    {"harness-wrong-statuses", "RD-005", "status in {00/00}: expected {00/00}, actual 00/80"},
    {"harness-wrong-statuses", "RD-006", "status in {00/80}: expected {00/80}, actual 00/02"},
    {"harness-wrong-statuses", "RD-007", "status in {00/80}: expected {00/80}, actual 00/02"},
    {"harness-wrong-statuses", "RD-008", "status in {00/80, 00/81}: expected {00/80, 00/81}, actual 00/02"},
    {"harness-wrong-statuses", "RD-009", "status in {00/80, 00/81}: expected {00/80, 00/81}, actual 00/02"},
    {"harness-wrong-statuses", "RD-010", "status in {00/0B}: expected {00/0B}, actual 00/02"},
    {"harness-wrong-statuses", "RD-011", "status in {00/0B}: expected {00/0B}, actual 00/02"},
    {"harness-wrong-statuses", "RD-012", "status in {00/00}: expected {00/00}, actual 00/02"},
    {"harness-wrong-statuses", "RD-013", "status in {00/02}: expected {00/02}, actual 00/80"},
    {"harness-read-every-3rd-corrupt", "RD-014", "data agrees with 'whole'"},
    {"harness-read-skip-transfer", "RD-014", "data agrees with 'whole'"},
    {"harness-read-drops-prp1-offset", "RD-015", "mismatches == 0"},
    {"harness-read-skip-transfer", "RD-015", "mismatches == 0"},
    {"harness-read-drops-prp1-offset", "RD-016", "mismatches == 0"},
    {"harness-read-drops-prp1-offset", "RD-017", "data matches the LBA stamp"},
    {"harness-corrupt-reads", "RD-017", "data matches the LBA stamp"},
    {"harness-corrupt-reads", "RD-018", "data matches the LBA stamp"},
    {"harness-read-drops-prp1-offset", "RD-019", "data agrees with 'listed'"},
    {"harness-read-every-3rd-corrupt", "RD-019", "data agrees with 'listed'"},
    {"harness-read-skip-transfer", "RD-019", "data agrees with 'listed'"},
    {"harness-read-every-3rd-corrupt", "RD-020", "data agrees with 'first'"},
    {"harness-read-skip-transfer", "RD-020", "data agrees with 'first'"},
    {"harness-read-queue-2-corrupt", "RD-021", "data agrees with 'q1': expected byte 100"},
    {"harness-read-skip-transfer", "RD-021", "data agrees with 'q1'"},
    {"harness-read-error", "RD-022", "status in {00/00} (iteration 0)"},
    {"corrupt-read-data", "RD-023", "matches the model profile's golden.first_8_blocks"},
    {"harness-read-every-3rd-corrupt", "RD-024", "data agrees with 'tail'"},
    {"harness-read-skip-transfer", "RD-024", "data agrees with 'tail'"},
    // log_pages
    {"harness-health-warning", "LOG-001", "critical_warning == 0"},
    {"harness-self-report-statuses", "LOG-002", "status in {00/00, 00/0B}"},
    {"harness-self-report-statuses", "LOG-003", "status in {00/00}"},
    {"harness-health-warning", "LOG-003", "critical_warning == 0"},
    {"harness-smart-per-namespace-error", "LOG-004", "status in {00/02, 00/0B}"},
    {"harness-self-report-statuses", "LOG-005", "status in {00/0B}"},
    {"harness-self-report-statuses", "LOG-006", "unwritten_bytes == 0"},
    {"harness-error-log-wrong-cid", "LOG-007", "unmatched_entries == 0"},
    {"harness-reserved-opcodes-error", "LOG-007", "status in {00/01}"},
    {"harness-self-report-statuses", "LOG-008", "status in {00/00}: expected {00/00}, actual 00/06"},
    {"harness-self-report-statuses", "LOG-009", "status in {01/09, 00/02}"},
    {"harness-self-report-statuses", "LOG-010", "status in {00/02}"},
    {"harness-self-report-statuses", "LOG-011", "status in {00/02}"},
    {"harness-self-report-statuses", "LOG-012", "status in {00/00}: expected {00/00}, actual 00/06"},
    {"harness-self-report-statuses", "LOG-013", "status in {00/02}"},
    {"harness-health-warning", "LOG-014", "critical_warning == 0"},
    {"harness-self-report-statuses", "LOG-015", "status in {00/00}: expected {00/00}, actual 00/06"},
    {"harness-self-report-statuses", "LOG-016", "unwritten_bytes == 0"},
    // features
    {"harness-get-features-error", "FEAT-001", "status in {00/00}"},
    {"harness-get-features-error", "FEAT-002", "status in {00/00}"},
    {"harness-get-features-error", "FEAT-003", "status in {00/00}"},
    {"harness-get-features-error", "FEAT-004", "status in {00/00}"},
    {"harness-get-features-error", "FEAT-005", "status in {00/00}"},
    {"harness-get-features-error", "FEAT-006", "status in {00/00}"},
    {"harness-get-features-error", "FEAT-007", "status in {00/00}"},
    {"harness-get-features-error", "FEAT-008", "status in {00/00}"},
    {"harness-get-features-error", "FEAT-009", "status in {00/00}"},
    {"harness-self-report-statuses", "FEAT-010", "status in {00/02}"},
    {"harness-features-forget", "FEAT-011", "kept == 1"},
    {"harness-self-report-statuses", "FEAT-011", "status in {00/00"},
    {"harness-features-forget", "FEAT-012", "kept == 1"},
    {"harness-self-report-statuses", "FEAT-012", "status in {00/00"},
    {"harness-features-forget", "FEAT-013", "kept == 1"},
    {"harness-self-report-statuses", "FEAT-013", "status in {00/00"},
    {"harness-features-forget", "FEAT-014", "kept == 1"},
    {"harness-self-report-statuses", "FEAT-014", "status in {00/00"},
    {"harness-features-forget", "FEAT-015", "kept == 1"},
    {"harness-self-report-statuses", "FEAT-015", "status in {00/00"},
    {"harness-features-forget", "FEAT-016", "kept == 1"},
    {"harness-self-report-statuses", "FEAT-016", "status in {00/00"},
    {"harness-features-forget", "FEAT-017", "kept == 1"},
    {"harness-self-report-statuses", "FEAT-017", "status in {00/00"},
    {"harness-features-forget", "FEAT-018", "kept == 1"},
    {"harness-self-report-statuses", "FEAT-018", "status in {00/00"},
    {"harness-self-report-statuses", "FEAT-019", "status in {00/02, 01/0E}"},
    {"harness-self-report-statuses", "FEAT-020", "status in {00/02}"},
    {"harness-self-report-statuses", "FEAT-021", "status in {00/02}"},
    {"harness-self-report-statuses", "FEAT-022", "status in {00/02}"},
    {"harness-self-report-statuses", "FEAT-023", "status in {00/0C}"},
    {"harness-self-report-statuses", "FEAT-024", "status in {00/00}: expected {00/00}, actual 00/06"},
    {"harness-self-report-statuses", "FEAT-025", "status in {00/00}: expected {00/00}, actual 00/06"},
    {"harness-self-report-statuses", "FEAT-026", "status in {00/00}"},
    {"harness-self-report-statuses", "FEAT-027", "status in {00/00, 01/0D}"},
    {"harness-features-forget", "FEAT-027", "kept == 1"},
    {"harness-saved-reads-default", "FEAT-027", "saved_kept == 1"},
    {"harness-timestamp-vwc-statuses", "FEAT-028", "status in {00/00}: expected {00/00}, actual 00/06"},
    {"harness-features-forget", "FEAT-028", "timestamp_behind == 0"},
    {"harness-timestamp-vwc-statuses", "FEAT-029", "status in {00/00}: expected {00/00}, actual 00/06"},
    {"harness-features-forget", "FEAT-029", "kept == 1"},
    {"harness-self-report-statuses", "FEAT-030", "status in {00/00"},
    {"harness-features-forget", "FEAT-030", "kept == 1"},
    {"harness-slow-read-completion", "FEAT-030", "max_latency within 2000 ms"},
    // events
    {"harness-aer-limit-ignored", "AER-001", "extra_completed == 1"},
    {"harness-aer-never-completes", "AER-002", "completed == 1"},
    {"harness-aer-wrong-type", "AER-002", "event_type == 1"},
    {"harness-aer-duplicate-event", "AER-002", "second_event == 0"},
    {"harness-self-report-statuses", "AER-002", "config_status in {00/00}"},
    {"harness-features-forget", "AER-002", "completed == 1"},
    {"harness-features-forget", "AER-003", "critical_warning has bits 0x2 set"},
    {"harness-self-report-statuses", "AER-003", "status in {00/00}"},
    // abort
    {"harness-abort-ignored", "ABT-001", "consistent == 1"},
    {"harness-abort-error", "ABT-001", "status in {00/00}"},
    {"harness-abort-ignored", "ABT-002", "aborted == 0"},
    {"harness-self-report-statuses", "ABT-002", "status in {00/00}"},
    {"harness-abort-ignored", "ABT-003", "aborted == 0"},
    {"harness-self-report-statuses", "ABT-003", "status in {00/00, 00/02}"},
    {"harness-abort-ignored", "ABT-004", "aborted == 0"},
    {"harness-self-report-statuses", "ABT-004", "unexpected_statuses == 0"},
    // data_integrity: each write-media effect fails the cases written for it,
    // and the write stamp names what the device left (stale, misdirected, corruption)
    {"harness-write-lost-write", "DI-001", "carries the write stamp 'w' wrote"},
    {"harness-write-misdirected-write", "DI-001", "carries the write stamp 'w' wrote"},
    {"harness-write-lost-write", "DI-002", "carries the write stamp 'w' wrote"},
    {"harness-write-lost-write", "DI-003", "carries the write stamp 'w' wrote"},
    {"harness-write-statuses", "DI-004", "status in {00/02}: expected {00/02}, actual 00/80"},
    {"harness-write-lost-write", "DI-004", "carries the write stamp 'w' wrote"},
    {"harness-write-lost-write", "DI-005", "carries the write stamp 'a' wrote"},
    {"harness-write-prp1-only", "DI-005", "carries the write stamp 'b' wrote"},
    {"harness-write-prp1-only", "DI-006", "carries the write stamp 'w' wrote"},
    {"harness-write-lost-write", "DI-006", "carries the write stamp 'w' wrote"},
    {"harness-write-lost-write", "DI-007", "carries the write stamp 'one' wrote"},
    {"harness-write-stale-overwrite", "DI-008", "actual stale"},
    {"harness-write-zeroes-leave-data", "DI-009", "data is all 0 bytes"},
    {"harness-write-zeroes-leave-data", "DI-010", "data is all 0 bytes"},
    {"harness-write-deallocate-keeps-data", "DI-011", "data is all ((dlfeat & 0x7) == 2) * 0xFF bytes"},
    {"harness-write-lost-write", "DI-012", "status in {00/00}: expected {00/00}, actual 02/85"},
    {"harness-write-compare-always-matches", "DI-013", "status in {02/85}: expected {02/85}, actual 00/00"},
    {"harness-write-flush-does-nothing", "DI-014", "carries the write stamp 'w' wrote"},
    {"harness-write-flush-does-nothing", "DI-015", "carries the write stamp 'w' wrote"},
    {"harness-write-power-loss", "DI-016", "carries the write stamp 'w' wrote"},
    {"harness-write-beyond-nsze", "DI-017", "status in {00/80}: expected {00/80}, actual 00/00"},
    {"harness-write-statuses", "DI-017", "status in {00/80}: expected {00/80}, actual 00/02"},
    {"harness-write-statuses", "DI-018", "status in {00/0B}: expected {00/0B}, actual 00/02"},
    {"harness-write-lost-write", "DI-019", "carries the write stamp 'q1' wrote"},
    {"harness-write-misdirected-write", "DI-020", "data agrees with 'after'"},
    {"harness-write-statuses", "DI-021", "status in {00/00}: expected {00/00}, actual 02/81"},
    {"harness-write-misdirected-write", "DI-022", "data matches the LBA stamp"},
    {"harness-write-statuses", "DI-023", "status in {00/80}: expected {00/80}, actual 00/02"},
    // run-level health checks, after every suite (harness/src/suite_health.cpp)
    {"harness-health-warning", "HEALTH-001", "run-level check critical_warning"},
    {"harness-media-errors-grow", "HEALTH-002", "run-level check media_errors"},
    {"harness-smart-counters-frozen", "HEALTH-003", "run-level check host_read_commands"},
    {"harness-smart-counters-frozen", "HEALTH-004", "run-level check data_units_read"},
    {"harness-error-log-wrong-cid", "HEALTH-005", "run-level check error_log_entries"},
    {"harness-error-log-misses-failures", "HEALTH-006", "run-level check error_log_count"},
    {"harness-slow-ready", "HEALTH-007", "run-level check enable_latency"},
};

// What only the driver can see is caught as an error, no check failing: a
// completion for a CID that is not outstanding, an SQHD outside what was
// rung, a queue the controller never frees.
const Expectation kCaughtByError[] = {
    // A controller that does not echo the CID: the driver rejects the completion.
    {"harness-admin-duplicate-completion", "AQ-008", "which is not outstanding"},
    // An SQHD outside what was rung, or a queue that never frees: the driver stops the case.
    {"harness-admin-sqhd-stuck", "AQ-003", "reports SQ head 0, outside"},
    {"harness-admin-sqhd-stuck", "AQ-004", "queue 0 is full"},
    {"harness-stale-sqhd-after-reset", "AQ-002", "queue 0 is full"},
};

// Written checks no simulator fault can make fail, with the reason. Each must
// really never fail (else it comes off the list).
// Written checks no simulator fault reaches, with the reason. Each must
// really never fail (else it comes off the list).
struct Unreachable {
  const char* check;  // "CASE: description", as WrittenCheck::id
  const char* reason;
};
// The value is compared with the one the runner read from the same device when
// it probed it: a fault changes both alike. Only a device whose Identify or
// register values change between reads fails it, which no fault models.
constexpr const char* kSameAsProbe = "compared with the runner's probe of the same device: a fault changes both";
// The driver waits for CSTS.RDY itself (bounded by CAP.TO) and stops the case
// with a timeout when it does not come: only a RDY that changes again after
// the wait, with nothing written, fails the check, and no fault models that.
constexpr const char* kDriverWaitsForRdy = "the driver waits for this RDY itself; a wrong RDY is a timeout first";
// CC is the host's register: the simulator keeps what the driver wrote. A
// register fault that reads EN or SHN back wrong breaks the driver's own
// enable, disable or shutdown first (the case errors in its set-up).
constexpr const char* kHostWritesCc = "CC.EN/SHN read back what the host wrote; a wrong read breaks the set-up first";
// The driver checks CSTS.CFS in every wait and stops the case with an error.
constexpr const char* kDriverStopsOnCfs = "the driver stops on CSTS.CFS=1 (an error) before the check reads it";
// The runner needs these CAP fields to probe and enable the device at all: a
// device that breaks them is an error in every case before this one runs.
constexpr const char* kCapNeededToProbe = "CAP fields the probe needs to enable the device: breaking them errors first";
// QueuePair::accept rejects a completion naming another SQ (a protocol error).
constexpr const char* kDriverRejectsWrongSqid = "the driver rejects a completion naming another SQ (an error) first";
// Disabling a disabled controller writes CC.EN=0 and returns once RDY reads 0,
// which it already does: no fault makes RDY=0 slow to read.
constexpr const char* kAlreadyDisabled = "RDY already reads 0: no latency to make slow without a RDY fault";
// corrupt-identify changes the Identify Controller and Namespace pages only.
constexpr const char* kNoListFault = "no fault type corrupts the active namespace list (CNS 02h)";
constexpr const char* kNoDescriptorFault = "no fault type corrupts the namespace descriptor list (CNS 03h)";
// Reachable with corrupt-identify (namespace byte 25 = 64), but nvqual indexes
// LBA formats by NLBAF: the fault needs that code checked first. Not written.
constexpr const char* kNlbafNotWritten = "reachable (NLBAF 64); the fault is not written yet";
// The invalid command is the very Create/Delete the case (and the runner's
// set-up) also sends validly just before: a status fault matching it hits the
// valid one first. A status fault counted per reset (as stale-sqhd's
// nth_after_reset) would reach it; not written yet.
constexpr const char* kSameCommandAsValid = "same command as the valid one before it: a status fault hits that first";

// misdirected-write stores a write one LBA higher; no fault puts data below
// the blocks a write names, so the block before the scratch range keeps its
// contents on every simulated device.
constexpr const char* kNoWriteBelow = "no write-media fault stores data below the LBAs a write names";
// The write-media faults hit every write alike (no fault is aimed at one queue
// or one overwrite), so the case's first read-back fails first and the case
// stops there; a later read-back of the same kind is never reached.
constexpr const char* kEarlierReadBackFirst =
    "write faults hit every write alike: the case's first read-back fails first";

const Unreachable kUnreachable[] = {
    {"ID-005: vid == vid", kSameAsProbe},
    {"ID-005: ssvid == ssvid", kSameAsProbe},
    {"ID-005: mdts == mdts", kSameAsProbe},
    {"ID-005: oacs == oacs", kSameAsProbe},
    {"ID-011: nsze == nsze", kSameAsProbe},
    {"ID-011: ncap == ncap", kSameAsProbe},
    {"ID-011: flbas == flbas", kSameAsProbe},
    {"ID-011: lba_size == lba_size", kSameAsProbe},
    {"REG-010: cap_to == cap_to", kSameAsProbe},
    {"REG-010: cap_mpsmin == mpsmin", kSameAsProbe},
    {"REG-010: cap_mpsmax == mpsmax", kSameAsProbe},
    {"REG-010: cap_dstrd == dstrd", kSameAsProbe},
    {"REG-010: cap_css == css", kSameAsProbe},
    {"REG-014: cap_mqes == mqes", kSameAsProbe},
    {"REG-014: vs == vs", kSameAsProbe},
    {"REG-003: csts_rdy == 0", kDriverWaitsForRdy},
    {"REG-004: csts_rdy == 1", kDriverWaitsForRdy},
    {"REG-009: csts_rdy == 0", kDriverWaitsForRdy},
    {"REG-009: csts_rdy == 0 #2", kDriverWaitsForRdy},
    {"INIT-001: csts_rdy == 1", kDriverWaitsForRdy},
    {"INIT-002: csts_rdy == 0", kDriverWaitsForRdy},
    {"INIT-003: csts_rdy == 1", kDriverWaitsForRdy},
    {"INIT-004: csts_rdy == 0", kDriverWaitsForRdy},
    {"INIT-004: csts_rdy == 1", kDriverWaitsForRdy},
    {"INIT-010: csts_rdy == 0", kDriverWaitsForRdy},
    {"REG-003: cc_en == 0", kHostWritesCc},
    {"REG-004: cc_en == 1", kHostWritesCc},
    {"REG-004: cc_shn == 0", kHostWritesCc},
    {"REG-009: cc_en == 0", kHostWritesCc},
    {"REG-014: cc_en == 0", kHostWritesCc},
    {"REG-014: cc_shn == 0", kHostWritesCc},
    {"INIT-004: cc_en == 0", kHostWritesCc},
    {"REG-004: csts_cfs == 0", kDriverStopsOnCfs},
    {"INIT-001: csts_cfs == 0", kDriverStopsOnCfs},
    {"REG-001: cap_mqes >= 1", kCapNeededToProbe},
    {"REG-001: cap_css has bits 0x1 set", kCapNeededToProbe},
    {"REG-001: cap_mpsmax >= mpsmin", kCapNeededToProbe},
    {"REG-001: cap_to >= 1", kCapNeededToProbe},
    {"INIT-007: sqid == 0", kDriverRejectsWrongSqid},
    {"INIT-010: latency within ready_timeout_ms ms", kAlreadyDisabled},
    {"ID-006: out_of_order == 0", kNoListFault},
    {"ID-008: not_above_after == 0", kNoListFault},
    {"ID-019: bad_lengths == 0", kNoDescriptorFault},
    {"ID-019: zero_ids == 0", kNoDescriptorFault},
    {"ID-010: nlbaf < 64", kNlbafNotWritten},
    {"IOQ-005: status in {01/01}", kSameCommandAsValid},
    {"IOQ-015: status in {01/01}", kSameCommandAsValid},
    {"IOQ-017: status in {01/01}", kSameCommandAsValid},
    {"IOQ-018: status in {01/01, 01/00}", kSameCommandAsValid},
    {"DI-007: data carries the write stamp 'two' wrote", kEarlierReadBackFirst},
    {"DI-008: data carries the write stamp 'g3' wrote", kEarlierReadBackFirst},
    {"DI-008: data carries the write stamp 'g2' wrote #2", kEarlierReadBackFirst},
    {"DI-019: data carries the write stamp 'q2' wrote", kEarlierReadBackFirst},
    {"DI-019: data carries the write stamp 'q3' wrote", kEarlierReadBackFirst},
    {"DI-019: data carries the write stamp 'q4' wrote", kEarlierReadBackFirst},
    {"DI-020: data agrees with 'before'", kNoWriteBelow},
    {"DI-022: data matches the LBA stamp", kNoWriteBelow},
};

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "  " + l + "\n";
  return out;
}

// Every case is proven to fail; the test prints how (written check, implicit
// check, error only) and requires a designed entry per case.
TEST_F(EachCaseFailsOnAFaultyDevice, EveryShippedCaseHasAFaultThatTripsIt) {
  std::set<std::string> designed;
  for (const auto& e : kCaughtByCheck) designed.insert(e.case_id);
  for (const auto& e : kCaughtByError) designed.insert(e.case_id);
  std::string untripped;
  std::string undesigned;
  std::vector<std::string> implicit_only;
  std::vector<std::string> error_only;
  size_t by_written = 0;
  size_t by_run_level = 0;
  for (const auto& id : findings_->all_cases) {
    if (findings_->tripped_by.count(id) == 0) untripped += " " + id;
    if (designed.count(id) == 0) undesigned += " " + id;
    const auto how = findings_->caught.find(id);
    if (how == findings_->caught.end()) continue;
    if (how->second.count(Caught::kWrittenCheck) != 0) {
      ++by_written;
    } else if (how->second.count(Caught::kRunLevelCheck) != 0) {
      ++by_run_level;
    } else if (how->second.count(Caught::kImplicitCheck) != 0) {
      implicit_only.push_back(id);
    } else {
      error_only.push_back(id);
    }
  }
  std::cout << "cases caught through their own written checks: " << by_written << " of " << findings_->all_cases.size()
            << "\n"
            << "run-level cases caught through their check: " << by_run_level << "\n"
            << "cases caught only through an implicit check (success status, whole Identify structure): "
            << implicit_only.size() << "\n"
            << join_lines(implicit_only) << "cases caught only through an error: " << error_only.size() << "\n"
            << join_lines(error_only);
  EXPECT_EQ(untripped, "") << "these cases pass on every faulty device, so they cannot tell a broken device "
                              "from a good one: add a fault that trips them or fix the case";
  EXPECT_EQ(undesigned, "") << "these cases have no designed (fault, case, message) entry";
  for (const auto& id : designed) EXPECT_EQ(findings_->all_cases.count(id), 1u) << id << " is not a shipped case";
  EXPECT_GE(findings_->all_cases.size(), 161u);
}

TEST_F(EachCaseFailsOnAFaultyDevice, EachFaultTripsTheCasesWrittenForIt) {
  const auto expect_pair = [](const Expectation& e, bool through_a_check) {
    const std::string key = std::string(e.target) + "/" + e.case_id;
    const auto it = findings_->why.find(key);
    if (it == findings_->why.end()) {
      ADD_FAILURE() << e.target << " does not trip " << e.case_id;
      return;
    }
    EXPECT_THAT(it->second, ::testing::HasSubstr(e.message_part)) << e.target << " trips " << e.case_id;
    EXPECT_EQ(findings_->failed_a_check.count(key) != 0, through_a_check)
        << e.target << " trips " << e.case_id << (through_a_check ? " without" : " with") << " a failing check ("
        << to_string(findings_->outcome.at(key)) << "): " << it->second;
  };
  for (const auto& e : kCaughtByCheck) expect_pair(e, true);
  for (const auto& e : kCaughtByError) expect_pair(e, false);
}

// Every written check fails under some fault, or is listed as unreachable.
TEST_F(EachCaseFailsOnAFaultyDevice, EveryWrittenCheckFailsUnderSomeFault) {
  EXPECT_EQ(findings_->catalogue_problems, "");
  std::map<std::string, std::string> unreachable;
  for (const auto& u : kUnreachable) {
    if (std::string_view(u.check).empty()) continue;
    EXPECT_TRUE(unreachable.emplace(u.check, u.reason).second) << u.check << " is listed twice";
  }
  std::set<std::string> ids;
  std::vector<std::string> never_failing;
  size_t failing = 0;
  for (const auto& w : findings_->written) {
    ids.insert(w.id);
    const bool failed = findings_->check_failed_by.count(w.id) != 0;
    failing += failed ? 1 : 0;
    const bool listed = unreachable.count(w.id) != 0;
    if (!failed && !listed) never_failing.push_back(w.id + " [" + w.where + "]");
    if (failed && listed) {
      ADD_FAILURE() << w.id << " is listed as unreachable, but fails under "
                    << *findings_->check_failed_by.at(w.id).begin() << ": take it off the list";
    }
  }
  for (const auto& [id, reason] : unreachable) EXPECT_EQ(ids.count(id), 1u) << id << " is not a written check";
  std::cout << "written checks shown failing under some fault: " << failing << " of " << findings_->written.size()
            << "\nwritten checks never failing, listed as unreachable: " << unreachable.size()
            << "\nwritten checks never failing and not listed: " << never_failing.size() << "\n";
  EXPECT_TRUE(never_failing.empty())
      << "these written checks fail under no fault, so they could pass on a broken device: add a fault that trips "
         "them, remove them, or list them in kUnreachable with the reason:\n"
      << join_lines(never_failing);
}

// Profiles in fixtures/sim/faults/ that model a device at the edge of what
// the spec allows: every case must pass on them, so no case catches them.
const std::map<std::string, std::string> kConformingEdges = {
    {"late-ready", "CSTS.RDY 4.5 s after CC.EN=1 is inside CAP.TO (5 s): the driver must wait, not give up"},
};

// Profiles no case can run against: the device is unusable from the first
// register read, so the run must refuse it (exit 3) naming why.
struct RefusedAtStart {
  const char* target;
  const char* problem_part;  // in RunSummary::device_problem
};
const RefusedAtStart kRefusedAtStart[] = {
    {"all-ones", "reads FFFFFFFFh: the device is not reachable"},
};

// Every fault is caught by some case: a fault profile no case catches is
// either a gap in the suites or a profile that tests nothing.
TEST_F(EachCaseFailsOnAFaultyDevice, EveryFaultIsCaughtBySomeCase) {
  std::set<std::string> catching;
  for (const auto& [id, targets] : findings_->tripped_by) catching.insert(targets.begin(), targets.end());
  std::string uncaught;
  for (const auto& [target, code] : findings_->exit_code) {
    if (kConformingEdges.count(target) != 0) {
      EXPECT_EQ(catching.count(target), 0u) << target << " is a conforming device, yet a case fails on it";
      EXPECT_EQ(code, 0) << target << " is a conforming device: the run must pass";
      continue;
    }
    const auto* refused = std::find_if(std::begin(kRefusedAtStart), std::end(kRefusedAtStart),
                                       [&name = target](const RefusedAtStart& r) { return name == r.target; });
    if (refused != std::end(kRefusedAtStart)) {
      EXPECT_EQ(code, 3) << target << " must be refused as unusable";
      EXPECT_THAT(findings_->device_problem[target], ::testing::HasSubstr(refused->problem_part)) << target;
      continue;
    }
    if (catching.count(target) == 0) uncaught += " " + target + " (exit " + std::to_string(code) + ")";
  }
  for (const auto& [target, why] : kConformingEdges) EXPECT_EQ(findings_->exit_code.count(target), 1u) << target;
  EXPECT_EQ(uncaught, "") << "these faults make no case fail: add a case that catches them or drop the profile";
}

testing::FaultMatrix fault_matrix(const Findings& f) {
  testing::FaultMatrix m;
  for (const auto& id : f.all_cases) {
    auto& row = m.cases[id];
    const auto how = f.caught.find(id);
    row.caught_through = how == f.caught.end()                       ? "not caught"
                         : how->second.count(Caught::kWrittenCheck)  ? "written check"
                         : how->second.count(Caught::kRunLevelCheck) ? "run-level check"
                         : how->second.count(Caught::kImplicitCheck) ? "implicit check"
                                                                     : "error only";
    if (const auto t = f.tripped_by.find(id); t != f.tripped_by.end()) row.faults = t->second;
  }
  for (const auto& [target, code] : f.exit_code) m.faults[target].exit_code = code;
  for (const auto& [target, why] : kConformingEdges) m.faults[target].why_no_case = "a conforming edge: " + why;
  for (const auto& r : kRefusedAtStart) {
    m.faults[r.target].why_no_case = std::string("refused before any case: \"") + r.problem_part + "\"";
  }
  for (const auto& [id, targets] : f.tripped_by) {
    for (const auto& target : targets) m.faults[target].cases.insert(id);
  }
  m.written_checks = f.written.size();
  for (const auto& w : f.written) m.written_checks_failing += f.check_failed_by.count(w.id) != 0 ? 1 : 0;
  for (const auto& u : kUnreachable) m.written_checks_unreachable += std::string_view(u.check).empty() ? 0 : 1;
  return m;
}

// docs/fault-matrix.md is the table this run produces, so the published
// matrix is always the one CI last proved.
TEST_F(EachCaseFailsOnAFaultyDevice, TheFaultMatrixInDocsIsCurrent) {
  const std::string path = NVQUAL_SOURCE_DIR "/docs/fault-matrix.md";
  const std::string table = testing::fault_matrix_markdown(fault_matrix(*findings_));
  if (std::getenv("NVQUAL_UPDATE_GOLDENS") != nullptr) std::ofstream(path, std::ios::binary) << table;
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path << " is missing; create it with NVQUAL_UPDATE_GOLDENS=1";
  std::stringstream on_disk;
  on_disk << in.rdbuf();
  // Not EXPECT_EQ: the diff of a 40 KB table would bury the one line that matters.
  EXPECT_TRUE(on_disk.str() == table) << path
                                      << " is stale: re-create it with NVQUAL_UPDATE_GOLDENS=1 (see its header)";
}

}  // namespace
}  // namespace nvqual::harness
