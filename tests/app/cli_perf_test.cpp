// `nvqual perf` through the real binary against the simulator: a short run's
// table and fio-shaped JSON, the histogram CSV, a verified run on faulty
// data, bad input (one line, exit 2, no file written) and a pending signal.
#include <csignal>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fmt/format.h>
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
    ::testing::Values(
        BadInput{"--ios 10 --bs 1000", "not a multiple"}, BadInput{"--ios 10 --bs 4q", "--bs 4q"},
        BadInput{"--ios 10 --workload randwr", "use randread, seqread, randwrite"},
        BadInput{"--ios 10 --workload randwrite", "pass --allow-media-changes"},
        BadInput{"--ios 10 --workload seqwrite --allow-media-changes", "pass --scratch FIRST:LAST"},
        BadInput{"--ios 10 --workload randwrite --scratch 0:1023", "pass --allow-media-changes"},
        BadInput{"--ios 10 --workload randrw --allow-media-changes --scratch 0:1023 --lba-range 0:4095",
                 "not inside the --scratch range"},
        BadInput{"--ios 10 --workload randwrite --allow-media-changes --scratch 2=0:1023", "for namespace 1"},
        BadInput{"--ios 10 --workload randwrite --rwmixread 30 --allow-media-changes --scratch 0:1023", "randrw only"},
        BadInput{"--ios 10 --allow-media-changes", "writes nothing"},
        BadInput{"--ios 10 --scratch 0:1023", "only apply with --allow-media-changes"},
        BadInput{"--ios 10 --time 1", "both given"}, BadInput{"--qd 4", "no run length"},
        BadInput{"--ios 10 --qd 65535", "CAP.MQES"}, BadInput{"--ios 10 --lba-range 0:99999999999999", "past the end"},
        BadInput{"--ios 10 --lba-range 9:3", "FIRST <= LAST"}, BadInput{"--ios 2000 --queues 1000", "granted"},
        BadInput{"--ios 10 --bs 64m", "MDTS"}));

// A write workload that names none of the four conditions writes nothing:
// the refusal comes before the device sees a command (the sim's log says so).
TEST(CliPerf, RefusedWritesSendNoWrite) {
  const auto r = run_cli(
      "perf --sim --workload randwrite --ios 100 --allow-media-changes --scratch 0:63 "
      "--lba-range 0:127");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("not inside the --scratch range"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("I/Os")));
}

// randwrite on the simulator, then every written position read back and
// checked against the generation last written there (--verify); the JSON has
// fio's jobs[0].write and the media-changing command count.
TEST(CliPerf, RandwriteThenReadBackProvesWhatWasWritten) {
  const auto dir = scratch_dir("perf-write");
  const auto json_path = dir / "perf.json";
  const auto r = run_cli(
      "perf --sim --workload randwrite --bs 4k --qd 8 --queues 2 --ios 3000 --verify "
      "--allow-media-changes --scratch 0:8191 --json " +
      json_path.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("randwrite bs=4096 qd=8 queues=2: 3000 I/Os"));
  EXPECT_THAT(r.out, HasSubstr("write: 3000 I/Os"));
  const auto json = nlohmann::json::parse(slurp(json_path));
  const auto& job = json["jobs"][0];
  EXPECT_EQ(job["job options"]["rw"], "randwrite");
  EXPECT_EQ(job["write"]["total_ios"].get<uint64_t>(), 3000u);
  EXPECT_EQ(job["write"]["io_bytes"].get<uint64_t>(), 3000u * 4096);
  EXPECT_EQ(job["write"]["clat_ns"]["N"].get<uint64_t>(), 3000u);
  ASSERT_TRUE(job["write"]["clat_ns"]["percentile"].contains("99.000000"));
  EXPECT_EQ(job["read"]["total_ios"].get<uint64_t>(), 0u);
  EXPECT_EQ(json["nvqual"]["media_changing_commands"].get<uint64_t>(), 3000u);
  // 3000 random writes over 1024 positions leave nearly all of them written; each is read back.
  const uint64_t read_back = json["nvqual"]["read_back_verified"].get<uint64_t>();
  EXPECT_GT(read_back, 900u);
  EXPECT_LE(read_back, 1024u);
  EXPECT_THAT(r.out, HasSubstr(fmt::format("{} command positions read back", read_back)));
}

TEST(CliPerf, ReadBackCatchesALostWrite) {
  const auto r = run_cli("perf --sim-profile " + sim_fixture("faults/harness-write-lost-write.yaml") +
                         " --workload seqwrite --ios 64 --verify --allow-media-changes --scratch 0:1023");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("returned wrong data"));
}

TEST(CliPerf, RandrwVerifiesEveryReadOfAWrittenBlockAndReportsBothDirections) {
  const auto dir = scratch_dir("perf-randrw");
  const auto json_path = dir / "perf.json";
  const auto r = run_cli(
      "perf --sim --workload randrw --rwmixread 70 --qd 4 --ios 2000 --verify "
      "--allow-media-changes --scratch 0:2047 --json " +
      json_path.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("read: "));
  EXPECT_THAT(r.out, HasSubstr("write: "));
  const auto json = nlohmann::json::parse(slurp(json_path));
  const auto& job = json["jobs"][0];
  const uint64_t reads = job["read"]["total_ios"].get<uint64_t>();
  const uint64_t writes = job["write"]["total_ios"].get<uint64_t>();
  EXPECT_EQ(reads + writes, 2000u);
  EXPECT_GT(reads, writes) << "70 % reads";
  EXPECT_EQ(job["job options"]["rwmixread"], "70");
  EXPECT_EQ(json["nvqual"]["media_changing_commands"].get<uint64_t>(), writes);
}

TEST(CliPerf, HelpNamesTheOptions) {
  const auto r = run_cli("perf --help");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* option : {"--workload", "--bs", "--qd", "--queues", "--nsid", "--lba-range", "--time", "--ios",
                             "--warmup", "--seed", "--verify", "--json", "--histogram", "--rwmixread",
                             "--allow-media-changes", "--scratch", "--confirm-serial", "randwrite", "randrw"}) {
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
