// The simulator's self-reports: the temperature threshold event through an
// AER, its acknowledgement by a SMART read with RAE clear, Abort of a held
// AER, saved feature values (ONCS bit 4), the logs 04h/05h, and the
// self-report faults (docs/self-reports.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "nvqual/driver/log_pages.hpp"
#include "support/raw_host.hpp"

namespace nvqual::sim_test {
namespace {

struct SelfReportRig : Rig {
  explicit SelfReportRig(sim::Profile profile = fixture("multi-ns.yaml")) : Rig(std::move(profile)), page(sim, 8192) {
    host.bring_up();
  }
  spec::CompletionEntry admin(spec::SubmissionEntry sqe) { return host.execute(host.admin(), sqe, page); }
  spec::CompletionEntry admin_no_data(spec::SubmissionEntry sqe) { return host.execute(host.admin(), sqe); }
  uint16_t post_aer() { return host.submit(host.admin(), cmd::async_event_request()); }
  // Submits `sqe` and collects every completion that arrives, in order.
  std::vector<spec::CompletionEntry> run_collecting(spec::SubmissionEntry sqe) {
    const uint16_t cid = host.submit(host.admin(), sqe);
    std::vector<spec::CompletionEntry> got;
    while (std::none_of(got.begin(), got.end(), [&](const auto& c) { return c.cid() == cid; })) {
      got.push_back(host.wait(host.admin()));
    }
    return got;
  }
  SmartLog smart(bool rae) {
    EXPECT_TRUE(admin(cmd::get_log_page(0x02, 0xFFFFFFFF, 512 / 4, 0, rae)).status().ok());
    return parse_smart_log(page.bytes().first(512));
  }
  DmaBuffer page;
};

sim::Profile with_fault(sim::SelfReportEffect effect) {
  sim::Profile p = fixture("multi-ns.yaml");
  p.faults.push_back(sim::SelfReportFault{effect});
  return p;
}

constexpr uint32_t kAecTemperature = 0x2;

TEST(AsyncEvents, ATemperatureThresholdBelowTheTemperatureCompletesAnAer) {
  SelfReportRig rig;
  const uint16_t aer = rig.post_aer();
  ASSERT_TRUE(rig.admin_no_data(cmd::set_features(0x0B, kAecTemperature)).status().ok());
  const uint16_t t = rig.sim.profile().health.temperature;
  const auto got = rig.run_collecting(cmd::set_features(0x04, t - 1u));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].cid(), aer);
  EXPECT_TRUE(got[0].status().ok());
  EXPECT_EQ(got[0].dw0, 0x00020101u);  // SMART / Health, temperature threshold, log 02h
  EXPECT_TRUE(rig.smart(true).temperature_warning());
  // Masked until acknowledged: a second crossing waits for the RAE-clear read.
  ASSERT_TRUE(rig.admin_no_data(cmd::set_features(0x04, 343)).status().ok());
  rig.post_aer();
  ASSERT_TRUE(rig.admin_no_data(cmd::set_features(0x04, t - 1u)).status().ok());
  EXPECT_FALSE(rig.host.take(rig.host.admin()).has_value());
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(AsyncEvents, NoEventWithoutTheTemperatureWarningEnabled) {
  SelfReportRig rig;
  rig.post_aer();
  ASSERT_TRUE(rig.admin_no_data(cmd::set_features(0x04, 1)).status().ok());
  EXPECT_FALSE(rig.host.take(rig.host.admin()).has_value());
}

TEST(AsyncEvents, AbortOfAHeldAerCompletesItWithCommandAbortRequested) {
  SelfReportRig rig;
  const uint16_t aer = rig.post_aer();
  const auto got = rig.run_collecting(cmd::abort(0, aer));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].cid(), aer);
  EXPECT_EQ(code(got[0]), "00/07");
  EXPECT_EQ(got[1].dw0 & 1u, 0u);                                 // aborted
  EXPECT_EQ(rig.admin_no_data(cmd::abort(0, aer)).dw0 & 1u, 1u);  // gone: nothing left to abort
}

TEST(AsyncEvents, FaultsBreakWhatTheyName) {
  {
    SelfReportRig rig(with_fault(sim::SelfReportEffect::kAbortIgnored));
    const uint16_t aer = rig.post_aer();
    EXPECT_EQ(rig.admin_no_data(cmd::abort(0, aer)).dw0 & 1u, 0u);  // claims aborted
    EXPECT_FALSE(rig.host.take(rig.host.admin()).has_value());      // yet the AER stays
  }
  {
    SelfReportRig rig(with_fault(sim::SelfReportEffect::kAerLimitIgnored));
    for (int i = 0; i < 5; ++i) rig.post_aer();
    EXPECT_FALSE(rig.host.take(rig.host.admin()).has_value());
  }
  {
    SelfReportRig rig(with_fault(sim::SelfReportEffect::kAerWrongType));
    rig.post_aer();
    ASSERT_TRUE(rig.admin_no_data(cmd::set_features(0x0B, kAecTemperature)).status().ok());
    const auto got = rig.run_collecting(cmd::set_features(0x04, 1));
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].dw0 & 0x7u, 2u);  // Notice
  }
  {
    SelfReportRig rig(with_fault(sim::SelfReportEffect::kFeaturesForget));
    ASSERT_TRUE(rig.admin_no_data(cmd::set_features(0x04, 300)).status().ok());
    EXPECT_EQ(rig.admin_no_data(cmd::get_features(0x04)).dw0 & 0xFFFFu, 343u);
  }
}

TEST(Features, SavedValuesWithSaveAndSelect) {
  SelfReportRig rig;  // ONCS bit 4: the Temperature Threshold is saveable
  EXPECT_EQ(rig.admin_no_data(cmd::get_features(0x04, 3)).dw0, 0x5u);  // saveable, changeable
  ASSERT_TRUE(rig.admin_no_data(cmd::set_features(0x04, 330, true)).status().ok());
  EXPECT_EQ(rig.admin_no_data(cmd::get_features(0x04, 2)).dw0 & 0xFFFFu, 330u);
  EXPECT_EQ(rig.admin_no_data(cmd::get_features(0x04, 1)).dw0 & 0xFFFFu, 343u);   // default
  EXPECT_EQ(code(rig.admin_no_data(cmd::set_features(0x01, 3, true))), "01/0D");  // Arbitration: not saveable
  SelfReportRig faulty([] {
    auto p = with_fault(sim::SelfReportEffect::kSavedReadsDefault);
    return p;
  }());
  ASSERT_TRUE(faulty.admin_no_data(cmd::set_features(0x04, 330, true)).status().ok());
  EXPECT_EQ(faulty.admin_no_data(cmd::get_features(0x04, 2)).dw0 & 0xFFFFu, 343u);
}

TEST(Features, VolatileWriteCacheWceIsKeptAndAResetTurnsTheCacheBackOn) {
  SelfReportRig rig(fixture("default.yaml"));  // VWC bit 0: a volatile write cache
  EXPECT_EQ(rig.admin_no_data(cmd::get_features(0x06)).dw0, 1u) << "WCE on by default";
  ASSERT_TRUE(rig.admin_no_data(cmd::set_features(0x06, 0)).status().ok());
  EXPECT_EQ(rig.admin_no_data(cmd::get_features(0x06)).dw0, 0u);
  EXPECT_EQ(rig.admin_no_data(cmd::get_features(0x06, 1)).dw0, 1u) << "SEL default";
  rig.host.disable();
  rig.host.bring_up();
  EXPECT_EQ(rig.admin_no_data(cmd::get_features(0x06)).dw0, 1u) << "a reset restores the default";
  sim::Profile forgetful_profile = fixture("default.yaml");
  forgetful_profile.faults.push_back(sim::SelfReportFault{sim::SelfReportEffect::kFeaturesForget});
  SelfReportRig forgetful(std::move(forgetful_profile));
  ASSERT_TRUE(forgetful.admin_no_data(cmd::set_features(0x06, 0)).status().ok());
  EXPECT_EQ(forgetful.admin_no_data(cmd::get_features(0x06)).dw0, 1u);
}

// The Timestamp data structure (Base 2.0 5.27.1.13): 48 bits of milliseconds,
// byte 6 bits 3:1 the origin (000b since a reset, 001b set by the host).
uint64_t timestamp_ms(std::span<const std::byte> data) {
  uint64_t ms = 0;
  for (size_t i = 0; i < 6; ++i) ms |= static_cast<uint64_t>(data[i]) << (8 * i);
  return ms;
}

TEST(Features, TimestampCountsOnFromTheValueSetAndAResetZeroesIt) {
  SelfReportRig rig;  // multi-ns.yaml: ONCS bit 6
  ASSERT_TRUE(rig.admin(cmd::get_features(0x0E)).status().ok());
  EXPECT_EQ(static_cast<uint8_t>(rig.page.bytes()[6]), 0u) << "origin 000b: not set since the reset";
  const uint64_t set = 0x0123456789ABull;
  std::fill_n(rig.page.bytes().begin(), 8, std::byte{0});
  for (size_t i = 0; i < 6; ++i) rig.page.bytes()[i] = static_cast<std::byte>((set >> (8 * i)) & 0xFF);
  ASSERT_TRUE(rig.admin(cmd::set_features(0x0E, 0)).status().ok());
  std::fill_n(rig.page.bytes().begin(), 8, std::byte{0xA5});
  ASSERT_TRUE(rig.admin(cmd::get_features(0x0E)).status().ok());
  const uint64_t got = timestamp_ms(rig.page.bytes());
  EXPECT_GE(got, set);
  EXPECT_LT(got, set + 60'000) << "within a minute of the value set";
  EXPECT_EQ(static_cast<uint8_t>(rig.page.bytes()[6]), 0x02u) << "origin 001b, Synch 0";
  EXPECT_EQ(rig.admin_no_data(cmd::get_features(0x0E, 3)).dw0, 0x4u) << "changeable, not saveable";
  rig.host.disable();
  rig.host.bring_up();
  ASSERT_TRUE(rig.admin(cmd::get_features(0x0E)).status().ok());
  EXPECT_LT(timestamp_ms(rig.page.bytes()), set) << "a reset zeroes it";
  SelfReportRig plain(fixture("default.yaml"));  // ONCS bit 6 clear: no such feature
  EXPECT_EQ(code(plain.admin(cmd::get_features(0x0E))), "00/02");
}

TEST(LogPages, EffectsAndChangedNamespaceLogsWhereAdvertised) {
  SelfReportRig rig;
  ASSERT_TRUE(rig.admin(cmd::get_log_page(0x05, 0, 4096 / 4)).status().ok());
  const auto bytes = rig.page.bytes();
  EXPECT_EQ(std::to_integer<int>(bytes[0x06 * 4]) & 1, 1);         // Identify
  EXPECT_EQ(std::to_integer<int>(bytes[1024 + 0x02 * 4]) & 1, 1);  // Read
  EXPECT_EQ(std::to_integer<int>(bytes[0x80 * 4]) & 1, 0);         // Format NVM: not supported
  ASSERT_TRUE(rig.admin(cmd::get_log_page(0x04, 0, 4096 / 4)).status().ok());
  EXPECT_EQ(std::count(bytes.begin(), bytes.begin() + 4096, std::byte{0}), 4096);
  EXPECT_EQ(code(rig.admin(cmd::get_log_page(0x02, 1, 512 / 4))), "00/00");  // per namespace (LPA bit 0)
  EXPECT_EQ(code(rig.admin(cmd::get_log_page(0x02, 9, 512 / 4))), "00/0B");  // above NN
}

TEST(LogPages, ErrorLogWrongCidFault) {
  SelfReportRig rig(with_fault(sim::SelfReportEffect::kErrorLogWrongCid));
  spec::SubmissionEntry reserved{};
  reserved.set_opcode(0x03);
  const uint16_t cid = rig.host.submit(rig.host.admin(), reserved);
  EXPECT_EQ(code(rig.host.wait(rig.host.admin())), "00/01");
  ASSERT_TRUE(rig.admin(cmd::get_log_page(0x01, 0, 64 / 4)).status().ok());
  EXPECT_EQ(parse_error_log(rig.page.bytes().first(64))[0].cid, static_cast<uint16_t>(cid + 1));
}

}  // namespace
}  // namespace nvqual::sim_test
