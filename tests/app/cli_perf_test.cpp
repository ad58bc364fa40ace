// `nvqual perf` through the real binary against the simulator: a short run's
// table and fio-shaped JSON, the histogram CSV, a verified run on faulty
// data, bad input (one line, exit 2, no file written) and a pending signal.
#include <csignal>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/run_cli.hpp"
#include "support/spawn_cli.hpp"

namespace nvqual {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing_support::ChildEnd;
using testing_support::CliChild;
using testing_support::file_names;
using testing_support::line_count;
using testing_support::run_cli;
using testing_support::scratch_dir;
using testing_support::sim_fixture;
using testing_support::slurp;

TEST(CliPerf, ShortRunWritesFioShapedJsonAndHistogram) {
  const auto dir = scratch_dir("perf-json");
  const auto json_path = dir / "perf.json";
  const auto csv_path = dir / "latency.csv";
  const auto r = run_cli("perf --sim --workload randread --bs 4k --qd 8 --queues 2 --ios 2000 --verify --json " +
                         json_path.string() + " --histogram " + csv_path.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("randread bs=4096 qd=8 queues=2: 2000 I/Os"));
  EXPECT_THAT(r.out, HasSubstr("simulator: not a measurement"));

  const auto json = nlohmann::json::parse(slurp(json_path));
  ASSERT_TRUE(json.contains("fio version"));
  ASSERT_EQ(json["jobs"].size(), 1u);
  const auto& read = json["jobs"][0]["read"];
  EXPECT_EQ(read["total_ios"].get<uint64_t>(), 2000u);
  EXPECT_EQ(read["io_bytes"].get<uint64_t>(), 2000u * 4096);
  EXPECT_GT(read["iops"].get<double>(), 0.0);
  EXPECT_GT(read["bw"].get<uint64_t>(), 0u);
  for (const char* lat : {"clat_ns", "lat_ns"}) {
    const auto& l = read[lat];
    EXPECT_EQ(l["N"].get<uint64_t>(), 2000u);
    EXPECT_LE(l["min"].get<uint64_t>(), l["max"].get<uint64_t>());
    // fio's key format: "%f" of the percentile.
    for (const char* key : {"1.000000", "50.000000", "99.000000", "99.900000", "99.990000"}) {
      ASSERT_TRUE(l["percentile"].contains(key)) << lat << " " << key;
    }
    EXPECT_LE(l["percentile"]["50.000000"].get<uint64_t>(), l["percentile"]["99.990000"].get<uint64_t>());
  }
  EXPECT_EQ(json["jobs"][0]["job options"]["iodepth"], "8");

  const std::string csv = slurp(csv_path);
  EXPECT_EQ(csv.rfind("lower_ns,upper_ns,count\n", 0), 0u);
  uint64_t total = 0;
  std::istringstream lines(csv.substr(csv.find('\n') + 1));
  for (std::string line; std::getline(lines, line);) total += std::stoull(line.substr(line.rfind(',') + 1));
  EXPECT_EQ(total, 2000u);
}

TEST(CliPerf, SequentialTimedRunWithWarmup) {
  const auto r = run_cli("perf --sim --workload seqread --bs 128k --qd 4 --time 0.3 --warmup 0.1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("seqread bs=131072 qd=4 queues=1"));
  EXPECT_THAT(r.out, HasSubstr("p99.99"));
}

TEST(CliPerf, VerifyFailsOnWrongDataWithExit1) {
  const auto r = run_cli("perf --sim-profile " + sim_fixture("faults/harness-read-every-3rd-corrupt.yaml") +
                         " --ios 500 --verify");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("returned wrong data"));
}

struct BadInput {
  const char* arguments;
  const char* says;
};

class CliPerfBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(CliPerfBadInput, OneLineExit2AndNoFile) {
  const auto dir = scratch_dir("perf-bad");
  const auto r = run_cli(std::string("perf --sim ") + GetParam().arguments + " --json " + (dir / "x.json").string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr(GetParam().says));
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_THAT(file_names(dir), IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(
    Refusals, CliPerfBadInput,
    ::testing::Values(BadInput{"--ios 10 --bs 1000", "not a multiple"}, BadInput{"--ios 10 --bs 4q", "--bs 4q"},
                      BadInput{"--ios 10 --workload randwrite", "randread or seqread"},
                      BadInput{"--ios 10 --time 1", "both given"}, BadInput{"--qd 4", "no run length"},
                      BadInput{"--ios 10 --qd 65535", "CAP.MQES"},
                      BadInput{"--ios 10 --lba-range 0:99999999999999", "past the end"},
                      BadInput{"--ios 10 --lba-range 9:3", "FIRST <= LAST"},
                      BadInput{"--ios 2000 --queues 1000", "granted"}, BadInput{"--ios 10 --bs 64m", "MDTS"}));

TEST(CliPerf, HelpNamesTheOptions) {
  const auto r = run_cli("perf --help");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* option : {"--workload", "--bs", "--qd", "--queues", "--nsid", "--lba-range", "--time", "--ios",
                             "--warmup", "--seed", "--verify", "--json", "--histogram"}) {
    EXPECT_THAT(r.out, HasSubstr(option));
  }
}

TEST(CliPerf, StopsOnAPendingSigintWritingNoReport) {
  const auto dir = scratch_dir("perf-interrupt");
  const auto logs = scratch_dir("perf-interrupt-logs");
  CliChild child({"perf", "--sim", "--time", "600", "--json", (dir / "perf.json").string()}, logs, SIGINT);
  ASSERT_TRUE(child.started());
  const auto r = child.wait();
  EXPECT_EQ(r.end, ChildEnd::exit(130)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("interrupted by SIGINT"));
  EXPECT_THAT(file_names(dir), IsEmpty());
}

}  // namespace
}  // namespace nvqual
