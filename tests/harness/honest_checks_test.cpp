// Honest checks: every case in the shipped suites must be shown to fail
// against at least one faulty device. The faulty devices are the simulator's
// fault profiles (fixtures/sim/faults/*.yaml, the harness-* ones written for
// this test) and register-level faults for the register cases. A case that no
// fault trips is a defect: it could pass on a broken device.
//
// A case counts as tripped when it fails, or errors in its own steps (a
// timeout or protocol violation while it runs); errors reaching its start
// state or in the health probe afterwards do not count, because they say
// nothing about the case's own checks. Being tripped is not enough: every case
// also has a designed (fault, case, message part) entry in kExpectations, so
// it is shown to fail through the check written for it.
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/harness/model_profile.hpp"
#include "nvqual/sim/profile.hpp"
#include "support/register_fault_transport.hpp"
#include "support/sim_run.hpp"

namespace nvqual::harness {
namespace {

using testing::RegisterFault;

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
      {"cap-reserved-bit-61", kCap, [](uint64_t v, bool) { return v | (uint64_t{1} << 61); }},
      {"cap-mqes-zero-while-enabled", kCap,
       [](uint64_t v, bool enabled) { return enabled ? spec::Cap{v}.set_mqes(0).raw : v; }},
      {"csts-shst-stuck-at-occurring", kCsts,
       [](uint64_t v, bool) {
         const spec::Csts c{static_cast<uint32_t>(v)};
         return c.shst() == 0 ? uint64_t{c.set_shst(spec::Csts::kShstOccurring).raw} : v;
       }},
      {"csts-cfs-while-disabled", kCsts,
       [](uint64_t v, bool enabled) {
         return enabled ? v : uint64_t{spec::Csts{static_cast<uint32_t>(v)}.set_cfs(1).raw};
       }},
      {"cc-fields-not-kept-while-enabled", kCc,
       [](uint64_t v, bool enabled) {
         return enabled ? uint64_t{spec::Cc{static_cast<uint32_t>(v)}
                                       .set_css(7)
                                       .set_mps(15)
                                       .set_iosqes(0)
                                       .set_iocqes(0)
                                       .raw}
                        : v;
       }},
      {"aqa-reads-zero", kAqa, [](uint64_t, bool) { return uint64_t{0}; }},
      {"asq-reserved-bits-set", kAsq, [](uint64_t v, bool) { return v | 0x10; }},
      // CAP.AMS offers round robin only, yet CC reads weighted round robin.
      {"cc-ams-reads-wrr", kCc,
       [](uint64_t v, bool enabled) {
         return enabled ? uint64_t{spec::Cc{static_cast<uint32_t>(v)}.set_ams(1).raw} : v;
       }},
      {"reserved-100h-reads-nonzero", 0x100, [](uint64_t, bool) { return uint64_t{0xA5A5A5A5}; }},
      {"intms-survives-disable", kIntms, [](uint64_t v, bool enabled) { return enabled ? v : v | 1; }},
      // INTMS taken as a plain read/write register: writing 0 clears the mask.
      {"intms-is-plain-rw", kIntms, [](uint64_t v, bool) { return v; },
       [](Transport& inner, uint32_t offset, uint32_t value) {
         if (offset != kIntms) return false;
         inner.write32(spec::reg::kIntmc, 0xFFFFFFFF);
         inner.write32(kIntms, value);
         return true;
       }},
      csts_write_clears_rdy(),
  };
}

struct Findings {
  std::map<std::string, std::set<std::string>> tripped_by;  // case id -> faulty targets
  std::map<std::string, std::string> why;                   // "target/case" -> message
  std::set<std::string> all_cases;
  std::string clean_problems;
};

bool tripped(const CaseResult& r) {
  return r.outcome == Outcome::kFailed || (r.outcome == Outcome::kError && r.failed_in == FailedIn::kSteps);
}

class HonestChecks : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    findings_ = new Findings;
    const auto suites = testing::shipped_suites();
    model_ = new ModelProfile(load_model_profile(NVQUAL_SOURCE_DIR "/fixtures/models/nvqual-sim-default.yaml"));
    auto options = testing::quick_options();
    options.settings.model = model_;

    // The clean device: every case passes (or skips), and its facts stand in
    // when a faulty device cannot even be probed.
    const auto clean = testing::run_on_simulator(sim::default_profile(), suites, options);
    findings_->clean_problems = clean->listener.problems();
    for (const auto& e : clean->listener.results) findings_->all_cases.insert(e.id);
    options.fallback_target = clean->listener.info.target;
    // A faulty profile's fallback facts come from the same profile without its faults.
    auto facts_without_faults = [&](sim::Profile profile) {
      profile.faults.clear();
      return testing::run_on_simulator(profile, {}, options)->listener.info.target;
    };

    auto record = [&](const std::string& target, const testing::RecordingListener& listener) {
      for (const auto& e : listener.results) {
        if (!tripped(e.result)) continue;
        findings_->tripped_by[e.id].insert(target);
        findings_->why[target + "/" + e.id] = e.result.message;
      }
    };
    for (const auto& file : std::filesystem::directory_iterator(NVQUAL_SOURCE_DIR "/fixtures/sim/faults")) {
      if (file.path().extension() != ".yaml") continue;
      const sim::Profile profile = sim::load_profile(file.path());
      auto with_fallback = options;
      with_fallback.fallback_target = facts_without_faults(profile);
      const auto run = testing::run_on_simulator(profile, suites, with_fallback);
      record(file.path().stem().string(), run->listener);
    }
    for (const RegisterFault& fault : register_faults()) {
      VirtualClock clock;
      sim::SimulatedController simulator(sim::default_profile(), sim::Mode::kInline, clock);
      testing::RegisterFaultTransport faulty(simulator, fault);
      testing::RecordingListener listener;
      Runner runner(faulty, clock, options, listener);
      runner.run(suites);
      record("register:" + fault.name, listener);
    }
  }
  static void TearDownTestSuite() {
    delete findings_;
    delete model_;
  }

  static Findings* findings_;
  static ModelProfile* model_;
};

Findings* HonestChecks::findings_ = nullptr;
ModelProfile* HonestChecks::model_ = nullptr;

TEST_F(HonestChecks, TheCleanSimulatorPassesEveryCase) { EXPECT_EQ(findings_->clean_problems, ""); }

// Designed pairs: each fault must trip the cases written to catch it, through
// the check meant for it (the message names that check), not just any failure.
struct Expectation {
  const char* target;
  const char* case_id;
  const char* message_part;
};

// Every shipped case has at least one entry, and where it can be done the
// fault is aimed at that case alone (harness-wrong-statuses answers one kind
// of invalid request with another status; register faults change one register).
//
// These cases can only be tripped by faults that hit every command of their
// kind, because what they send is the ordinary command other cases and the
// runner's own set-up send too (a targeted fault would break every case's
// set-up first): INIT-005 (reset, then re-create queue 1), IOQ-002, IOQ-005,
// IOQ-015, IOQ-016, IOQ-017, IOQ-018, IOQ-020 (Create/Delete of queue 1, valid
// or repeated), AQ-014 (Get Features Number of Queues), ID-022 (Identify
// Controller) and RD-022 (plain one-block Reads).
const Expectation kExpectations[] = {
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
    // admin_queue
    {"harness-admin-sqhd-stuck", "AQ-001", "queue 0 is full"},
    {"harness-stale-sqhd-after-reset", "AQ-002", "queue 0 is full"},
    {"harness-admin-sqhd-stuck", "AQ-003", "reports SQ head 0, outside"},
    {"harness-admin-sqhd-stuck", "AQ-004", "queue 0 is full"},
    {"harness-admin-sqhd-stuck", "AQ-005", "reports SQ head 0, outside"},
    {"harness-admin-duplicate-completion", "AQ-005", "protocol"},
    {"harness-admin-sqhd-stuck", "AQ-006", "reports SQ head 0, outside"},
    {"harness-admin-sqhd-stuck", "AQ-007", "reports SQ head 0, outside"},
    {"harness-admin-duplicate-completion", "AQ-008", "which is not outstanding"},
    // The driver rejects an SQHD that moves backwards as it arrives (a protocol violation).
    {"harness-admin-sqhd-stuck", "AQ-009", "reports SQ head 0, outside"},
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
};

// Every case is proven to fail through its own check: it has at least one
// designed pair, and every designed pair holds.
TEST_F(HonestChecks, EveryShippedCaseHasAFaultThatTripsItsOwnCheck) {
  std::set<std::string> designed;
  for (const auto& e : kExpectations) designed.insert(e.case_id);
  std::string untripped;
  std::string undesigned;
  for (const auto& id : findings_->all_cases) {
    if (findings_->tripped_by.count(id) == 0) untripped += " " + id;
    if (designed.count(id) == 0) undesigned += " " + id;
  }
  EXPECT_EQ(untripped, "") << "these cases pass on every faulty device, so they cannot tell a broken device "
                              "from a good one: add a fault that trips them or fix the case";
  EXPECT_EQ(undesigned, "") << "these cases have no designed (fault, case, message) entry in kExpectations";
  for (const auto& id : designed) EXPECT_EQ(findings_->all_cases.count(id), 1u) << id << " is not a shipped case";
  EXPECT_GE(findings_->all_cases.size(), 60u);
}

TEST_F(HonestChecks, EachFaultTripsTheCasesWrittenForIt) {
  for (const auto& e : kExpectations) {
    const auto it = findings_->why.find(std::string(e.target) + "/" + e.case_id);
    if (it == findings_->why.end()) {
      ADD_FAILURE() << e.target << " does not trip " << e.case_id;
      continue;
    }
    EXPECT_THAT(it->second, ::testing::HasSubstr(e.message_part)) << e.target << " trips " << e.case_id;
  }
}

}  // namespace
}  // namespace nvqual::harness
