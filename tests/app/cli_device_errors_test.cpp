// When the device misbehaves, the CLI's first stderr line is the one-line
// summary and the command log's tail follows it: the commands that led there
// are what a lab engineer looks at first. Bad input stays one line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/run_cli.hpp"

namespace nvqual {
namespace {

using ::testing::HasSubstr;
using testing_support::file_names;
using testing_support::first_line;
using testing_support::line_count;
using testing_support::run_cli;
using testing_support::scratch_dir;

struct DeviceFault {
  const char* name;
  const char* profile;       // under fixtures/sim/faults
  const char* summary;       // in the first line
  const char* last_command;  // in the log
};

void PrintTo(const DeviceFault& c, std::ostream* os) { *os << c.name; }

class CliDeviceError : public testing::TestWithParam<DeviceFault> {};

TEST_P(CliDeviceError, SummaryLineThenTheCommandLog) {
  const auto dir = scratch_dir(std::string("device-error-") + GetParam().name);
  const std::string profile = std::string(NVQUAL_SOURCE_DIR) + "/fixtures/sim/faults/" + GetParam().profile;
  const auto r = run_cli("read --sim-profile " + profile + " --nsid 1 --lba 0 --blocks 8 --out " +
                         (dir / "out.bin").string());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(first_line(r.err), HasSubstr(std::string("nvqual: ") + GetParam().summary)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("\nLast commands:\n"));
  EXPECT_THAT(r.err, HasSubstr("Identify"));
  EXPECT_THAT(r.err, HasSubstr(GetParam().last_command));
  EXPECT_GT(line_count(r.err), 3u) << r.err;
  EXPECT_THAT(file_names(dir), ::testing::IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(Profiles, CliDeviceError,
                         testing::Values(DeviceFault{"wrong_sqid", "wrong-sqid.yaml", "protocol violation", "Read"},
                                         // CFS after 5 commands: the 6th, Create I/O SQ, never completes.
                                         DeviceFault{"fatal_status", "cfs-after-commands.yaml",
                                                     "controller fatal status", "Create I/O SQ"}),
                         [](const testing::TestParamInfo<DeviceFault>& info) { return std::string(info.param.name); });

// The session ran commands before the NSID was found wrong: still one line.
TEST(CliDeviceError, BadInputStaysOneLine) {
  const auto dir = scratch_dir("device-error-bad-input");
  const auto r = run_cli("read --sim --nsid 9 --lba 0 --blocks 1 --out " + (dir / "out.bin").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("namespace 9"));
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("Last commands")));
}

}  // namespace
}  // namespace nvqual
