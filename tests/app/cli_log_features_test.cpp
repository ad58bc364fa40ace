// nvqual log and nvqual features through the real binary against the
// simulator: nvme-cli's JSON keys (smart-log, error-log, fw-log, get-feature),
// values the simulator's profiles fix (fixtures/sim/default.yaml: 313 K,
// spare 100 % / 10 %, one power cycle, ELPE 63, firmware "1.0", WCTEMP 343 K;
// multi-ns.yaml adds VWC and ONCS bit 6), the help text and bad input.
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/run_cli.hpp"

namespace nvqual {
namespace {

using ::testing::HasSubstr;
using testing_support::line_count;
using testing_support::run_cli;
using testing_support::sim_fixture;

std::set<std::string> keys_of(const nlohmann::json& j) {
  std::set<std::string> keys;
  for (const auto& [key, value] : j.items()) keys.insert(key);
  return keys;
}

// nvme-cli 2.3's json_smart_log keys (temperature_sensor_N only for a sensor
// that reports: the simulator's sensor 1 does).
TEST(CliLog, SmartJsonHasExactlyNvmeCliKeysAndTheProfileValues) {
  const auto r = run_cli("log --sim --lid 2 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const std::set<std::string> nvme_cli{
      "critical_warning",     "temperature",           "avail_spare",
      "spare_thresh",         "percent_used",          "endurance_grp_critical_warning_summary",
      "data_units_read",      "data_units_written",    "host_read_commands",
      "host_write_commands",  "controller_busy_time",  "power_cycles",
      "power_on_hours",       "unsafe_shutdowns",      "media_errors",
      "num_err_log_entries",  "warning_temp_time",     "critical_comp_time",
      "temperature_sensor_1", "thm_temp1_trans_count", "thm_temp2_trans_count",
      "thm_temp1_total_time", "thm_temp2_total_time"};
  EXPECT_EQ(keys_of(j), nvme_cli);
  EXPECT_EQ(j["temperature"], 313) << "Kelvin, as nvme-cli prints it";
  EXPECT_EQ(j["avail_spare"], 100);
  EXPECT_EQ(j["spare_thresh"], 10);
  EXPECT_EQ(j["power_cycles"], 1);
  EXPECT_EQ(j["critical_warning"], 0);
  EXPECT_TRUE(j["data_units_read"].is_number_unsigned());
}

TEST(CliLog, SmartTextReadsLikeNvmeCli) {
  const auto r = run_cli("log --sim --lid 0x02");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Smart Log for NVME device:sim namespace-id:ffffffff"));
  EXPECT_THAT(r.out, HasSubstr("40 C (313 Kelvin)"));
  EXPECT_THAT(r.out, HasSubstr("available_spare_threshold               : 10%"));
}

TEST(CliLog, ErrorLogJsonListsElpePlusOneEntriesWithNvmeCliKeys) {
  const auto r = run_cli("log --sim --lid 1 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j["errors"].is_array());
  EXPECT_EQ(j["errors"].size(), 64u) << "ELPE 63: 64 entries";
  const std::set<std::string> nvme_cli{
      "error_count", "sqid", "cmdid", "status_field", "phase_tag", "parm_error_location",
      "lba",         "nsid", "vs",    "trtype",       "cs",        "trtype_spec_info"};
  EXPECT_EQ(keys_of(j["errors"][0]), nvme_cli);
}

TEST(CliLog, FirmwareLogJsonHasNvmeCliKeysAndTheProfileRevision) {
  const auto r = run_cli("log --sim --lid 3 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.contains("sim")) << r.out;
  const auto& slots = j["sim"];
  EXPECT_EQ(slots["Active Firmware Slot (afi)"], 1);
  // "1.0" padded with spaces, read as a little-endian 64-bit number, then byte by byte (a space shows as ".").
  const uint64_t frs = 0x2020202020302E31ull;
  EXPECT_EQ(slots["Firmware Rev Slot 1"], std::to_string(frs) + " (1.0.....)") << "padding as nvme-cli shows it";
  EXPECT_FALSE(slots.contains("Firmware Rev Slot 2")) << "unused slots are not listed";
}

TEST(CliLog, ChangedNamespaceAndEffectsLogsDecode) {
  const std::string multi = " --sim-profile " + sim_fixture("multi-ns.yaml");
  auto r = run_cli("log" + multi + " --lid 4");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("no namespace changed"));
  r = run_cli("log" + multi + " --lid 5 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["admin_cmd_set"].size(), 10u) << "the ten admin commands the simulator runs";
  EXPECT_EQ(j["io_cmd_set"].size(), 2u) << "Read and Flush";
}

TEST(CliLog, UnknownLidIsOneLineAndExit2) {
  const auto r = run_cli("log --sim --lid 7");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("0x01-0x05"));
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(CliLog, AnotherNamespacesSmartLogTheDeviceRefusesIsOneLineAndExit1) {
  // The default profile's LPA bit 0 is clear: no SMART log per namespace.
  const auto r = run_cli("log --sim --lid 2 --nsid 1");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.err, HasSubstr("refused the SMART / Health Information log"));
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(CliLog, HelpNamesTheLogsAndTheJsonKeys) {
  const auto r = run_cli("log --help");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("--lid"));
  EXPECT_THAT(r.out, HasSubstr("SMART / Health"));
  EXPECT_THAT(r.out, HasSubstr("smart-log / error-log / fw-log -o json"));
  EXPECT_THAT(r.out, HasSubstr("1 the controller refused the page"));
}

TEST(CliFeatures, OneFeatureJsonHasNvmeCliKeysAndTheProfileThreshold) {
  const auto r = run_cli("features --sim --fid 4 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["feature"], "0x04");
  EXPECT_EQ(j["name"], "Temperature Threshold");
  EXPECT_EQ(j["value"], "0x00000157") << "WCTEMP 343 K";
  EXPECT_EQ(j["fields"]["tmpth"], 343);
}

TEST(CliFeatures, WithoutFidEveryMandatoryFeature) {
  auto r = run_cli("features --sim --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  std::vector<std::string> fids;
  for (const auto& f : j) fids.push_back(f["feature"]);
  // The default profile has a volatile write cache (VWC bit 0), so 06h is read too.
  EXPECT_EQ(fids,
            (std::vector<std::string>{"0x01", "0x02", "0x04", "0x05", "0x06", "0x07", "0x08", "0x09", "0x0a", "0x0b"}));
  for (const auto& f : j) {
    if (f["feature"] == "0x06") {
      EXPECT_EQ(f["fields"]["wce"], 1) << "the cache is on until a host turns it off";
    }
  }
  // multi-ns.yaml has no write cache (VWC bit 0 clear) and has the Timestamp (ONCS bit 6).
  r = run_cli("features --sim-profile " + sim_fixture("multi-ns.yaml") + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  fids.clear();
  for (const auto& f : j) fids.push_back(f["feature"]);
  EXPECT_THAT(fids, ::testing::Not(::testing::Contains("0x06")));
  ASSERT_THAT(fids, ::testing::Contains("0x0e"));
  for (const auto& f : j) {
    if (f["feature"] == "0x0e") {
      EXPECT_EQ(f["fields"]["timestamp_origin"], 0) << "0 since the reset";
    }
  }
}

TEST(CliFeatures, TextReadsLikeNvmeCliGetFeature) {
  const auto r = run_cli("features --sim --fid 0x0B --sel default");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("get-feature:0x0b (Asynchronous Event Configuration), default value:0x00000000"));
  EXPECT_THAT(r.out, HasSubstr("smart_warnings"));
}

TEST(CliFeatures, SupportedCapabilitiesDecode) {
  const auto r = run_cli("features --sim-profile " + sim_fixture("multi-ns.yaml") + " --fid 4 --sel supported --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["fields"]["changeable"], 1);
  EXPECT_EQ(j["fields"]["saveable"], 1) << "ONCS bit 4: the threshold is saveable";
}

TEST(CliFeatures, AFeatureTheDeviceRefusesIsOneLineAndExit1) {
  // The default profile has no Timestamp (ONCS bit 6 clear): Invalid Field.
  const auto r = run_cli("features --sim --fid 0x0E");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.err, HasSubstr("refused"));
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(CliFeatures, UnknownSelIsOneLineAndExit2) {
  const auto r = run_cli("features --sim --sel everything");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--sel"));
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
}

TEST(CliFeatures, HelpNamesTheSelectValuesAndExitCodes) {
  const auto r = run_cli("features --help");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("--sel"));
  EXPECT_THAT(r.out, HasSubstr("supported"));
  EXPECT_THAT(r.out, HasSubstr("1 the controller refused a feature"));
}

}  // namespace
}  // namespace nvqual
