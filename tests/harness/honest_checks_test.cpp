// Honest checks: every case in the shipped suites must be shown to fail
// against at least one faulty device. The faulty devices are the simulator's
// fault profiles (fixtures/sim/faults/*.yaml, the harness-* ones written for
// this test) and register-level faults for the register cases. A case that no
// fault trips is a defect: it could pass on a broken device.
//
// A case counts as tripped when it fails, or errors in its own steps (a
// timeout or protocol violation while it runs); errors reaching its start
// state or in the health probe afterwards do not count, because they say
// nothing about the case's own checks.
#include <filesystem>
#include <map>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/harness/model_profile.hpp"
#include "nvqual/sim/profile.hpp"
#include "support/register_fault_transport.hpp"
#include "support/sim_run.hpp"

namespace nvqual::harness {
namespace {

using testing::RegisterFault;

std::vector<RegisterFault> register_faults() {
  using spec::reg::kAqa;
  using spec::reg::kAsq;
  using spec::reg::kCap;
  using spec::reg::kCc;
  using spec::reg::kCsts;
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
       [](uint64_t v, bool enabled) { return enabled ? v : uint64_t{spec::Csts{static_cast<uint32_t>(v)}.set_cfs(1).raw}; }},
      {"cc-fields-not-kept-while-enabled", kCc,
       [](uint64_t v, bool enabled) {
         return enabled ? uint64_t{spec::Cc{static_cast<uint32_t>(v)}.set_css(7).set_mps(15).set_iosqes(0).set_iocqes(0).raw}
                        : v;
       }},
      {"aqa-reads-zero", kAqa, [](uint64_t, bool) { return uint64_t{0}; }},
      {"asq-reserved-bits-set", kAsq, [](uint64_t v, bool) { return v | 0x10; }},
  };
}

struct Findings {
  std::map<std::string, std::set<std::string>> tripped_by;  // case id -> faulty targets
  std::map<std::string, std::string> why;                   // "target/case" -> message
  std::set<std::string> all_cases;
  std::string clean_problems;
};

bool tripped(const CaseResult& r) {
  return r.outcome == Outcome::kFailed || (r.outcome == Outcome::kError && r.failed_in == "steps");
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

TEST_F(HonestChecks, EveryShippedCaseFailsAgainstSomeFaultyDevice) {
  std::string untripped;
  for (const auto& id : findings_->all_cases) {
    if (findings_->tripped_by.count(id) == 0) untripped += " " + id;
  }
  EXPECT_EQ(untripped, "") << "these cases pass on every faulty device, so they cannot tell a broken device "
                              "from a good one: add a fault that trips them or fix the case";
  EXPECT_GE(findings_->all_cases.size(), 60u);
}

// Designed pairs: each fault must trip the cases written to catch it, through
// the check meant for it (not just any failure).
struct Expectation {
  const char* target;
  const char* case_id;
  const char* message_part;
};

TEST_F(HonestChecks, EachFaultTripsTheCasesWrittenForIt) {
  const Expectation expectations[] = {
      {"register:cap-reserved-bit-61", "REG-001", "cap has bits"},
      {"harness-version-3", "REG-002", "vs_mjr in [1, 2]"},
      {"register:csts-shst-stuck-at-occurring", "REG-003", "csts_shst == 0"},
      {"register:csts-shst-stuck-at-occurring", "REG-004", "csts_shst == 0"},
      {"register:cc-fields-not-kept-while-enabled", "REG-005", "cc_mps in [mpsmin, mpsmax]"},
      {"register:cc-fields-not-kept-while-enabled", "REG-006", "cc_iosqes == 6"},
      {"register:aqa-reads-zero", "REG-007", "aqa_asqs == admin_sq_entries - 1"},
      {"register:asq-reserved-bits-set", "REG-008", "asq_offset == 0"},
      {"register:cap-mqes-zero-while-enabled", "REG-010", "cap_mqes == mqes"},
      {"harness-crwmt-below-to", "REG-011", "crto_crwmt >= cap_to"},
      {"harness-slow-ready", "INIT-001", "latency within ready_timeout_ms ms"},
      {"harness-slow-disable", "INIT-002", "latency within ready_timeout_ms ms"},
      {"harness-slow-disable", "REG-009", "latency within ready_timeout_ms ms"},
      {"register:csts-cfs-while-disabled", "INIT-010", "csts_cfs == 0"},
      {"harness-admin-sqhd-stuck", "AQ-001", "queue 0 is full"},
      // The driver rejects an SQHD that moves backwards as it arrives (a protocol violation).
      {"harness-admin-sqhd-stuck", "AQ-009", "reports SQ head 0, outside"},
      {"harness-admin-duplicate-completion", "AQ-005", "protocol"},
      {"harness-reserved-opcodes-error", "AQ-010", "status in {00/01}"},
      {"harness-get-features-error", "AQ-012", "status in {00/02}"},
      {"harness-identify-mn-control", "ID-002", "mn is printable ASCII"},
      {"corrupt-identify-serial", "ID-002", "sn is printable ASCII"},
      {"harness-identify-sqes", "ID-003", "sqes_min == 6"},
      {"harness-identify-ver", "ID-004", "ver == vs"},
      {"harness-identify-nn-zero", "ID-006", "above_nn == 0"},
      {"harness-identify-nn-zero", "ID-013", "status in {00/0B}"},
      {"corrupt-identify-namespace", "ID-009", "nsze >= ncap"},
      {"harness-identify-lbaf", "ID-010", "invalid_formats == 0"},
      {"harness-identify-flbas", "ID-010", "active_format_valid == 1"},
      {"harness-multi-ns-identify-error", "ID-015", "status in {00/00, 00/0B}"},
      {"identify-status-error", "ID-012", "status in {00/0B}"},
      {"harness-create-cq-error", "IOQ-003", "status in {01/01}"},
      {"harness-create-sq-error", "IOQ-012", "status in {01/00}"},
      {"harness-delete-cq-error", "IOQ-016", "status in {01/0C}"},
      {"harness-delete-sq-error", "IOQ-017", "status in {00/00}: expected {00/00}, actual 00/06"},
      {"harness-set-features-error", "IOQ-001", "status in {00/00}"},
      {"corrupt-read-data", "RD-001", "data matches the LBA stamp"},
      {"corrupt-read-data", "RD-002", "data matches the LBA stamp"},
      {"corrupt-read-data", "RD-023", "matches the model profile's golden.first_8_blocks"},
      {"harness-corrupt-reads", "RD-003", "data matches the LBA stamp"},
      {"harness-corrupt-reads", "RD-017", "data matches the LBA stamp"},
      {"harness-read-error", "RD-006", "status in {00/80}"},
      {"harness-read-error", "RD-015", "status in {00/00}"},
      {"identify-status-error", "ID-020", "status in {00/00}"},
  };
  for (const auto& e : expectations) {
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
