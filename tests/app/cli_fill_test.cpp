// nvqual fill through the real binary against the simulator: it writes and,
// with --verify, reads back what it wrote (a lost-write profile makes that
// fail); every kind of bad input is one line and exit 2 before any Write; a
// pending SIGINT stops it. The bytes themselves are proven in-process
// (stamp_fill_test.cpp) and, on QEMU, by the host reading the image
// (ci/qemu/e2e/integrity.py): a simulator's writes end with its process.
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/run_cli.hpp"
#include "support/spawn_cli.hpp"

namespace nvqual {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing_support::ChildEnd;
using testing_support::CliChild;
using testing_support::line_count;
using testing_support::run_cli;
using testing_support::scratch_dir;
using testing_support::sim_fixture;
using testing_support::slurp;

TEST(CliFill, WritesTheLbaStampOverTheScratchRange) {
  const auto r = run_cli("fill --sim --nsid 1 --allow-media-changes --scratch 100:4195 --verify");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("filled nsid 1 LBA 100:4195 with the LBA stamp"));
  // 4096 blocks of 512 bytes at 128 KiB (256 blocks) per Write: 16 Writes.
  EXPECT_THAT(r.out, HasSubstr("4096 blocks (2.0 MiB) written"));
  EXPECT_THAT(r.out, HasSubstr("with 16 Write commands"));
  EXPECT_THAT(r.out, HasSubstr("read back: every block holds the LBA stamp"));
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(CliFill, WritesTheWriteStampOfAGenerationAndSeed) {
  const auto r = run_cli(
      "fill --sim --nsid 1 --allow-media-changes --scratch 0:99 --scratch 1=1000:1099 --generation 4 --seed 0x2a "
      "--verify --queue-depth 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("filled nsid 1 LBA 0:99 with the write stamp (generation 4, seed 0x2a)"));
  EXPECT_THAT(r.out, HasSubstr("filled nsid 1 LBA 1000:1099"));
  EXPECT_THAT(r.out, HasSubstr("read back: every block holds the write stamp"));
}

TEST(CliFill, TheReadBackFailsOnADeviceThatLosesWrites) {
  const auto dir = scratch_dir("fill-lost-write");
  const auto profile = dir / "lost-write.yaml";
  std::ofstream(profile) << slurp(sim_fixture("default.yaml"))
                         << "\nfaults:\n  - type: write-media\n    effect: lost-write\n";
  const auto r = run_cli("fill --sim-profile " + profile.string() +
                         " --nsid 1 --allow-media-changes --scratch 0:63 --generation 1 --verify");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("read back after the fill: corruption in namespace 1: LBA 0"));
}

struct BadFill {
  const char* arguments;
  const char* says;
};
class CliBadFill : public ::testing::TestWithParam<BadFill> {};

TEST_P(CliBadFill, OneLineExit2AndNoWrite) {
  const auto r = run_cli(std::string("fill --sim --nsid 1 ") + GetParam().arguments);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr(GetParam().says));
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("written"))) << "nothing may be written on bad input";
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, CliBadFill,
    ::testing::Values(BadFill{"--scratch 0:9", "pass --allow-media-changes"},
                      BadFill{"--allow-media-changes", "pass --scratch FIRST:LAST"},
                      BadFill{"--allow-media-changes --scratch 0:9 --confirm-serial WRONG",
                              "--confirm-serial WRONG does not match the device's serial 'NVQSIM00000001'"},
                      BadFill{"--allow-media-changes --scratch 2097000:2097152",
                              "LBA 2097152 is past the end of namespace 1 (NSZE 2097152 blocks"},
                      BadFill{"--allow-media-changes --scratch 0:99 --scratch 50:149", "overlap"},
                      BadFill{"--allow-media-changes --scratch 9:3", "ends before it starts"},
                      BadFill{"--allow-media-changes --scratch 2=0:9", "not for namespace 1"},
                      BadFill{"--allow-media-changes --scratch 0:9 --seed 7", "--seed belongs to the write stamp"}));

TEST(CliFill, AnInactiveNamespaceIsBadInput) {
  const auto r = run_cli("fill --sim-profile " + sim_fixture("multi-ns.yaml") +
                         " --nsid 4 --allow-media-changes --scratch 0:9");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("namespace 4 is not active"));
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
}

TEST(CliFill, ARealDeviceNeedsConfirmSerialBeforeItIsOpened) {
  // The BDF names nothing: the refusal comes before any open.
  const auto r = run_cli("fill --bdf 0000:ff:1f.7 --nsid 1 --allow-media-changes --scratch 0:9");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("a real device needs --confirm-serial SN"));
}

TEST(CliFill, StopsOnAPendingSigint) {
  const auto logs = scratch_dir("fill-interrupt-logs");
  CliChild child({"fill", "--sim", "--nsid", "1", "--allow-media-changes", "--scratch", "all"}, logs, SIGINT);
  ASSERT_TRUE(child.started());
  const auto r = child.wait();
  EXPECT_EQ(r.end, ChildEnd::exit(130)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("interrupted by SIGINT"));
  EXPECT_THAT(r.out, Not(HasSubstr("written")));
}

TEST(CliFill, HelpNamesTheOptions) {
  const auto r = run_cli("fill --help");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* option : {"--nsid", "--allow-media-changes", "--confirm-serial", "--scratch", "--generation",
                             "--seed", "--queue-depth", "--verify"}) {
    EXPECT_THAT(r.out, HasSubstr(option));
  }
}

}  // namespace
}  // namespace nvqual
