// A suite's read steps on a namespace whose active format carries metadata
// (MS != 0) are refused by the controller before any Read reaches the device:
// the harness passes no format of its own, so the refusal holds on every
// path, not only in `nvqual read`. The simulator transfers no metadata, so
// the namespace's Identify data is made to report MS = 8 (byte 128 is MS of
// LBA format 0, the active one); a Read that went out anyway would be counted.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/harness/suite_loader.hpp"
#include "nvqual/sim/profile.hpp"
#include "support/sim_run.hpp"

namespace nvqual::harness {
namespace {

using ::testing::HasSubstr;
using testing::run_on_simulator;

constexpr uint8_t kReadOpcode = static_cast<uint8_t>(spec::NvmOpcode::kRead);

Suite io_suite(const std::string& id, const std::string& steps) {
  return load_suite_text("suite: t\narea: test\ndescription: d\nspec: [x]\ncases:\n  - id: " + id +
                             "\n    title: case " + id + "\n    spec: NVM 1.0 3.2.6\n    state: io\n    steps:\n" +
                             steps,
                         "t.yaml", "t");
}

sim::Profile metadata_profile() {
  sim::Profile profile = sim::default_profile();
  profile.faults.push_back(sim::CorruptIdentifyFault{sim::IdentifyPage::kNamespace, 1, 128, 8});
  return profile;
}

struct RefusalCase {
  const char* name;
  const char* steps;
};

void PrintTo(const RefusalCase& c, std::ostream* os) { *os << c.name; }

class MetadataRead : public ::testing::TestWithParam<RefusalCase> {};

TEST_P(MetadataRead, IsRefusedBeforeAnyReadReachesTheDevice) {
  const auto run = run_on_simulator(metadata_profile(), {io_suite("MD-1", GetParam().steps)});
  const CaseResult* result = run->listener.find("MD-1");
  ASSERT_NE(result, nullptr);
  EXPECT_NE(result->outcome, Outcome::kPassed);
  EXPECT_NE(result->outcome, Outcome::kSkipped);
  EXPECT_THAT(result->message, HasSubstr("8 bytes of metadata"));
  EXPECT_EQ(run->simulator->counters().io_commands[kReadOpcode], 0u) << "a Read reached the device";
}

INSTANTIATE_TEST_SUITE_P(
    Steps, MetadataRead,
    ::testing::Values(RefusalCase{"split", "      - {step: read, slba: 0, blocks: 8}\n"},
                      RefusalCase{"once", "      - {step: read, slba: 0, blocks: 1, mode: once}\n"},
                      RefusalCase{"chunks", "      - {step: read, slba: 0, blocks: 4, mode: chunks, chunk: 2}\n"},
                      RefusalCase{"offset_sweep", "      - {step: read_offset_sweep, blocks: 1, from: 4, to: 8}\n"}),
    [](const ::testing::TestParamInfo<RefusalCase>& info) { return std::string(info.param.name); });

// The same steps on the same simulator without the metadata do read: the
// refusal above is the format's doing, not a broken suite.
TEST(MetadataRead, WithoutMetadataTheSameStepReads) {
  const auto run = run_on_simulator(sim::default_profile(),
                                    {io_suite("MD-1", "      - {step: read, slba: 0, blocks: 8}\n")});
  const CaseResult* result = run->listener.find("MD-1");
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->outcome, Outcome::kPassed) << result->message;
  EXPECT_GT(run->simulator->counters().io_commands[kReadOpcode], 0u);
}

}  // namespace
}  // namespace nvqual::harness
