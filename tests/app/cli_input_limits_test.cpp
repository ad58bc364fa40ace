// Numbers at the edges of what the commands accept, and what the device says
// that no command can work with: one line naming the problem, the right exit
// code, no output file.
#include <fstream>
#include <regex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/run_cli.hpp"

namespace nvqual {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing_support::file_names;
using testing_support::first_line;
using testing_support::line_count;
using testing_support::run_cli;
using testing_support::run_shell;
using testing_support::scratch_dir;
using testing_support::sim_fixture;
using testing_support::slurp;

struct Refused {
  const char* name;
  const char* arguments;  // OUT is replaced by a file in the test's directory
  int exit_code;
  const char* message;
};

void PrintTo(const Refused& c, std::ostream* os) { *os << c.name; }

class CliRefused : public testing::TestWithParam<Refused> {};

TEST_P(CliRefused, OneLineTheExitCodeAndNoFile) {
  const auto dir = scratch_dir(std::string("refused-") + GetParam().name);
  std::string arguments = GetParam().arguments;
  if (const auto at = arguments.find("OUT"); at != std::string::npos)
    arguments.replace(at, 3, (dir / "out.bin").string());
  // A command that misses an overflow writes without end: a file size limit
  // of at most 1 MiB (ulimit -f counts 512-byte or 1 KiB blocks) stops it at once.
  const auto r = run_shell("ulimit -f 1024 && " + std::string(NVQUAL_CLI) + " " + arguments);
  EXPECT_EQ(r.exit_code, GetParam().exit_code) << r.err;
  EXPECT_THAT(first_line(r.err), HasSubstr(GetParam().message)) << r.err;
  if (GetParam().exit_code == 2) {
    EXPECT_EQ(line_count(r.err), 1u) << r.err;
  }
  EXPECT_THAT(file_names(dir), IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, CliRefused,
    testing::Values(
        // 2^55 blocks of 512 bytes is 2^64 bytes.
        Refused{"pattern_bytes_overflow", "pattern --nsid 1 --lba-size 512 --blocks 36028797018963968 --out OUT", 2,
                "more than 2^64 bytes"},
        Refused{"pattern_last_lba_overflow",
                "pattern --nsid 1 --lba-size 512 --first-lba 18446744073709551615 --blocks 2 --out OUT", 2,
                "past the last possible LBA (2^64-1); write at most 1 blocks"},
        Refused{"read_last_lba_overflow", "read --sim --nsid 1 --lba 18446744073709551615 --blocks 2 --out OUT", 2,
                "past the last possible LBA (2^64-1)"},
        Refused{"queue_depth_0", "read --sim --nsid 1 --lba 0 --blocks 1 --queue-depth 0 --out OUT", 2,
                "--queue-depth"},
        Refused{"queue_depth_above_65535", "read --sim --nsid 1 --lba 0 --blocks 1 --queue-depth 65536 --out OUT", 2,
                "--queue-depth"},
        Refused{"empty_bdf", "read --bdf '' --nsid 1 --lba 0 --blocks 1 --out OUT", 2, "the BDF is empty"},
        Refused{"no_namespaces",
                "read --sim-profile " NVQUAL_SOURCE_DIR
                "/fixtures/sim/faults/harness-identify-nn-zero.yaml --nsid 1 --lba 0 --blocks 1 --out OUT",
                3, "reports no namespaces (Identify Controller NN is 0)"}),
    [](const testing::TestParamInfo<Refused>& info) { return std::string(info.param.name); });

TEST(CliLimits, QueueDepthAboveTheControllersLimitIsLoweredToIt) {
  const auto dir = scratch_dir("deep-queue");
  const auto r = run_cli("read --sim --nsid 1 --lba 0 --blocks 64 --queue-depth 65535 --out " + (dir / "o").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(dir / "o").size(), 64u * 512);
  EXPECT_THAT(run_cli("read --help").out, HasSubstr("CAP.MQES+1 is lowered to it"));
}

TEST(CliLimits, IdentifyWithNoNamespacesIsADeviceProblem) {
  const auto r = run_cli("identify --sim-profile " + sim_fixture("faults/harness-identify-nn-zero.yaml") + " --nsid 1");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(first_line(r.err), HasSubstr("reports no namespaces"));
  EXPECT_THAT(r.err, Not(HasSubstr("1..0")));
}

// A failed Read is a device error like the others: the summary, then the commands sent last.
TEST(CliLimits, AFailedReadIsFollowedByTheCommandLog) {
  const auto dir = scratch_dir("read-status");
  const auto r = run_cli("read --sim-profile " + sim_fixture("faults/read-status-error.yaml") +
                         " --nsid 1 --lba 0 --blocks 8 --out " + (dir / "o").string());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(first_line(r.err), HasSubstr("read of namespace 1 LBAs 0..7 failed"));
  EXPECT_THAT(r.err, HasSubstr("\nLast commands:\n"));
  EXPECT_THAT(r.err, HasSubstr("Read"));
  EXPECT_THAT(file_names(dir), IsEmpty());
}

// More active namespaces than one Identify list holds (1024): NSID 1025 is
// only on the second list, and must still be found.
TEST(CliLimits, ANamespaceBeyondTheFirstActiveListIsFound) {
  const auto dir = scratch_dir("many-ns");
  std::string profile = slurp(sim_fixture("default.yaml"));
  profile = profile.substr(0, profile.find("\nnamespaces:")) + "\nnamespaces:\n";
  profile = std::regex_replace(profile, std::regex("\nname: [^\n]*"), "\nname: many-namespaces");
  for (int nsid = 1; nsid <= 1025; ++nsid) {
    profile += "  - nsid: " + std::to_string(nsid) +
               "\n    size_blocks: 8\n    content: stamp\n    formats:\n      - data_size: 512\n";
  }
  std::ofstream(dir / "many.yaml") << profile;
  const auto r = run_cli("identify --sim-profile " + (dir / "many.yaml").string() + " --nsid 1025 --json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"nsze\": 8"));
}

}  // namespace
}  // namespace nvqual
