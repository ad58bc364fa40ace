// The seed tool's two jobs, through the real binary against the simulator:
// identify (text and nvme-cli-keyed JSON) and read, plus every kind of bad input.
#include <fstream>
#include <vector>

#include <gmock/gmock.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "nvqual/driver/lba_stamp.hpp"
#include "support/run_cli.hpp"

namespace nvqual {
namespace {

using ::testing::HasSubstr;
using testing_support::file_names;
using testing_support::first_line;
using testing_support::line_count;
using testing_support::run_cli;
using testing_support::scratch_dir;
using testing_support::sim_fixture;
using testing_support::slurp;

TEST(CliIdentify, ControllerJsonHasNvmeCliKeys) {
  const auto r = run_cli("identify --sim --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  for (const char* key : {"vid", "ssvid", "sn", "mn", "fr", "mdts", "ver", "oacs", "nn", "sqes", "cqes", "psds"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_GE(json["nn"].get<uint32_t>(), 1u);
}

TEST(CliIdentify, NamespaceJsonHasNvmeCliKeys) {
  const auto r = run_cli("identify --sim --nsid 1 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  for (const char* key : {"nsze", "ncap", "nuse", "flbas", "nlbaf", "lbafs"}) EXPECT_TRUE(json.contains(key)) << key;
  EXPECT_GT(json["nsze"].get<uint64_t>(), 0u);
}

TEST(CliIdentify, ReadableDecoding) {
  const auto r = run_cli("identify --sim");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("mdts"));
  EXPECT_THAT(r.out, HasSubstr("sn"));
}

// A serial holding bytes that are not UTF-8 text (ED A0 80, EF BF BF): the
// text decoding shows them as \xNN, the JSON as U+FFFD, and neither fails.
TEST(CliIdentify, DeviceBytesThatAreNotTextAreShownNotFatal) {
  const std::string profile = sim_fixture("faults/harness-identify-serial-bad-utf8.yaml");
  const auto text = run_cli("identify --sim-profile " + profile);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("\\xed\\xa0\\x80"));
  const auto json = run_cli("identify --sim-profile " + profile + " --json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(nlohmann::json::parse(json.out)["sn"].get<std::string>(), HasSubstr("\xef\xbf\xbd"));
}

TEST(CliIdentify, UnknownNamespaceIsOneLineAndExit2) {
  const auto r = run_cli("identify --sim --nsid 99");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("namespace 99"));
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(CliTarget, NoTargetOrTwoTargetsIsBadInput) {
  auto r = run_cli("identify");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--sim"));
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  r = run_cli("identify --sim --bdf 0000:01:00.0");
  EXPECT_EQ(r.exit_code, 2);
}

TEST(CliTarget, MalformedProfileNamesFileLineAndColumn) {
  const auto dir = scratch_dir("bad-profile");
  const auto profile = dir / "broken.yaml";
  std::ofstream(profile) << "name: broken\ncontroller:\n  vid: [unclosed\n";
  const auto r = run_cli("identify --sim-profile " + profile.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(profile.string() + ":"));
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
}

TEST(CliRead, WritesTheNamespaceBytes) {
  const auto dir = scratch_dir("read");
  const auto out = dir / "blocks.bin";
  const auto r = run_cli("read --sim --nsid 1 --lba 100 --blocks 40 --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string data = slurp(out);
  ASSERT_EQ(data.size(), 40u * 512);
  const std::span bytes(reinterpret_cast<const std::byte*>(data.data()), data.size());
  EXPECT_FALSE(lba_stamp::check(bytes, 512, 100, 1));
  // The temporary is "<name>.partial-<pid>": scan rather than guess its name.
  EXPECT_THAT(file_names(dir), ::testing::ElementsAre("blocks.bin"));
}

TEST(CliRead, UsesTheActiveLbaFormat) {
  const auto dir = scratch_dir("read4k");
  const auto out = dir / "blocks.bin";
  const auto r = run_cli("read --sim-profile " + sim_fixture("4k.yaml") + " --nsid 1 --lba 0 --blocks 3 --out " +
                         out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(out).size(), 3u * 4096);
}

TEST(CliRead, MatchesThePatternCommand) {
  const auto dir = scratch_dir("pattern");
  const auto image = dir / "image.bin";
  const auto read = dir / "read.bin";
  auto r = run_cli("pattern --nsid 1 --lba-size 512 --blocks 64 --out " + image.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_cli("read --sim --nsid 1 --lba 0 --blocks 64 --out " + read.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(image), slurp(read));
}

// A range that is no multiple of a command (128 KiB), of the old 1 MiB chunk
// or of the depth, read with several commands in flight, gives the stamped
// bytes exactly, whatever the depth.
TEST(CliRead, ManyCommandsInFlightGiveTheSameBytes) {
  const auto dir = scratch_dir("read-depths");
  constexpr uint64_t kFirst = 12345;
  constexpr uint64_t kBlocks = 8000;  // 3.9 MiB: 31 whole 256-block commands and a short one
  const auto image = dir / "image.bin";
  auto r = run_cli(fmt::format("pattern --nsid 1 --lba-size 512 --first-lba {} --blocks {} --out {}", kFirst, kBlocks,
                               image.string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string expected = slurp(image);
  ASSERT_EQ(expected.size(), kBlocks * 512);
  for (const char* depth : {"1", "7", "32", "300"}) {
    const auto out = dir / fmt::format("qd{}.bin", depth);
    r = run_cli(fmt::format("read --sim --nsid 1 --lba {} --blocks {} --queue-depth {} --out {}", kFirst, kBlocks,
                            depth, out.string()));
    ASSERT_EQ(r.exit_code, 0) << "QD " << depth << ": " << r.err;
    EXPECT_TRUE(slurp(out) == expected) << "QD " << depth;
  }
}

struct BadRead {
  const char* name;
  const char* arguments;
  const char* message;
};

// ctest lists parameterised tests with their parameter: print its name, not its bytes.
void PrintTo(const BadRead& c, std::ostream* os) { *os << c.name; }

class CliBadRead : public testing::TestWithParam<BadRead> {};

TEST_P(CliBadRead, OneLineNonZeroAndNoOutputFile) {
  const auto dir = scratch_dir(std::string("bad-") + GetParam().name);
  const auto out = dir / "out.bin";
  std::string arguments = GetParam().arguments;
  const auto at = arguments.find("OUT");
  if (at != std::string::npos) arguments.replace(at, 3, out.string());
  const auto r = run_cli(arguments);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr(GetParam().message));
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  for (const auto& entry : std::filesystem::directory_iterator(dir)) ADD_FAILURE() << "left behind: " << entry.path();
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, CliBadRead,
    testing::Values(
        BadRead{"unknown_nsid", "read --sim --nsid 5 --lba 0 --blocks 1 --out OUT", "namespace 5"},
        BadRead{"past_end", "read --sim --nsid 1 --lba 18446744073709551000 --blocks 1 --out OUT", "past the end"},
        BadRead{"zero_blocks", "read --sim --nsid 1 --lba 0 --blocks 0 --out OUT", "--blocks"},
        BadRead{"unwritable", "read --sim --nsid 1 --lba 0 --blocks 1 --out /nonexistent-dir/x.bin", "cannot write"},
        BadRead{"missing_lba", "read --sim --nsid 1 --blocks 1 --out OUT", "--lba"}),
    [](const testing::TestParamInfo<BadRead>& info) { return std::string(info.param.name); });

// The namespace's Identify data says something no read can be sized from:
// a first line naming the field, exit 3 (a device problem, not bad input), no
// output file, and no crash (an unused format once gave a 0-byte block and SIGFPE).
struct BadFormat {
  const char* name;
  const char* profile;  // under fixtures/sim, or "" for the metadata profile written by the test
  const char* message;
  // Inconsistent Identify data is the device misbehaving: the command log
  // follows. A metadata format is a valid one nvqual does not read: one line.
  bool device_error;
};

void PrintTo(const BadFormat& c, std::ostream* os) { *os << c.name; }

class CliBadFormat : public testing::TestWithParam<BadFormat> {};

TEST_P(CliBadFormat, RefusedNamingTheFieldAndNothingLeftBehind) {
  const auto dir = scratch_dir(std::string("format-") + GetParam().name);
  const auto work = scratch_dir(std::string("format-profile-") + GetParam().name);
  std::string profile = GetParam().profile;
  if (profile.empty()) {
    // Byte 128 of Identify Namespace is MS of LBA format 0, the active one.
    profile = (work / "metadata.yaml").string();
    std::ofstream(profile) << slurp(sim_fixture("default.yaml"))
                           << "\nfaults:\n  - type: corrupt-identify\n    page: namespace\n    nsid: 1\n"
                              "    offset: 128\n    value: 8\n";
  } else {
    profile = sim_fixture(profile);
  }
  const auto r = run_cli("read --sim-profile " + profile + " --nsid 1 --lba 0 --blocks 8 --out " +
                         (dir / "out.bin").string());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(first_line(r.err), HasSubstr(GetParam().message)) << r.err;
  if (GetParam().device_error) {
    EXPECT_THAT(r.err, HasSubstr("Last commands:"));
  } else {
    EXPECT_EQ(line_count(r.err), 1u) << r.err;
  }
  EXPECT_THAT(file_names(dir), ::testing::IsEmpty()) << "no output and no .partial file";
}

INSTANTIATE_TEST_SUITE_P(Profiles, CliBadFormat,
                         testing::Values(BadFormat{"flbas_beyond_nlbaf", "faults/harness-identify-flbas.yaml",
                                                   "FLBAS selects LBA format 5", true},
                                         BadFormat{"lbads_below_9", "faults/harness-identify-lbaf.yaml", "LBADS 8",
                                                   true},
                                         BadFormat{"metadata", "", "8 bytes of metadata", false}),
                         [](const testing::TestParamInfo<BadFormat>& info) { return std::string(info.param.name); });

TEST(CliPattern, RejectsBadLbaSize) {
  const auto dir = scratch_dir("pattern-bad");
  const auto r = run_cli("pattern --nsid 1 --lba-size 1000 --blocks 1 --out " + (dir / "x").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--lba-size"));
  EXPECT_FALSE(std::filesystem::exists(dir / "x"));
}

}  // namespace
}  // namespace nvqual
