// NVM Read through the controller: PRP1/PRP2, PRP lists and their chaining,
// MDTS splitting, PRP1 offsets, and the statuses of bad reads.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/lba_stamp.hpp"
#include "support/sim_rig.hpp"

namespace nvqual {
namespace {

using testing_support::SimRig;
using testing_support::violations_text;

struct ReadRig : SimRig {
  explicit ReadRig(sim::Profile profile) : SimRig(std::move(profile)) {
    controller.reset();
    controller.identify_controller();
    controller.set_number_of_queues(1, 1);
    queue = &controller.create_io_queue_pair(1, 32);
    ns = controller.identify_namespace(1);
  }
  QueuePair* queue = nullptr;
  IdentifyNamespace ns;
};

sim::Profile profile_with_mdts(uint8_t mdts) {
  sim::Profile profile = sim::default_profile();
  profile.controller.mdts = mdts;
  return profile;
}

struct ReadCase {
  const char* name;
  uint8_t mdts;
  uint64_t slba;
  uint64_t blocks;
  size_t offset;
  uint32_t expected_commands;
};

// ctest lists parameterised tests with their parameter: print its name, not its bytes.
void PrintTo(const ReadCase& c, std::ostream* os) { *os << c.name; }

class Reads : public testing::TestWithParam<ReadCase> {};

TEST_P(Reads, DataMatchesTheStampPattern) {
  const ReadCase& c = GetParam();
  ReadRig rig(profile_with_mdts(c.mdts));
  const uint32_t lba_size = static_cast<uint32_t>(rig.ns.lba_size());
  DmaBuffer buffer(rig.sim, c.offset + c.blocks * lba_size);
  const ReadResult result = rig.controller.read(*rig.queue, ReadRequest{1, c.slba, c.blocks, lba_size}, buffer,
                                                c.offset);
  ASSERT_TRUE(result.ok()) << result.completion.status().describe();
  EXPECT_EQ(result.commands, c.expected_commands);
  const auto mismatch = lba_stamp::check(buffer.bytes().subspan(c.offset, c.blocks * lba_size), lba_size, c.slba, 1);
  EXPECT_FALSE(mismatch) << "LBA " << mismatch->lba << " byte " << mismatch->byte;
  EXPECT_NO_VIOLATIONS(rig.sim);
}

INSTANTIATE_TEST_SUITE_P(Shapes, Reads,
                         testing::Values(ReadCase{"one_block", 0, 0, 1, 0, 1},
                                         ReadCase{"two_pages_prp2", 0, 7, 16, 0, 1},
                                         ReadCase{"prp_list", 0, 100, 64, 0, 1},
                                         // 4 MiB at once: 1024 pages need two chained list pages.
                                         ReadCase{"chained_prp_lists", 0, 0, 8192, 0, 1},
                                         ReadCase{"prp1_offset_dword", 0, 3, 8, 4, 1},
                                         ReadCase{"prp1_offset_crosses_page", 0, 3, 8, 4092, 1},
                                         // MDTS 2 with 4 KiB pages: 16 KiB = 32 blocks per command.
                                         ReadCase{"mdts_exact", 2, 0, 32, 0, 1}, ReadCase{"mdts_split", 2, 0, 33, 0, 2},
                                         ReadCase{"mdts_split_many", 2, 50, 200, 0, 7},
                                         ReadCase{"mdts_zero_means_no_limit", 0, 0, 2048, 0, 1}),
                         [](const testing::TestParamInfo<ReadCase>& info) { return std::string(info.param.name); });

TEST(Reads, OffsetSweepAcrossAPage) {
  ReadRig rig(sim::default_profile());
  DmaBuffer buffer(rig.sim, 3 * 4096);
  for (size_t offset = 0; offset <= 4096 - 512; offset += 4 * 61) {
    std::memset(buffer.data(), 0, buffer.size());
    ASSERT_TRUE(rig.controller.read(*rig.queue, ReadRequest{1, 42, 8, 512}, buffer, offset).ok());
    EXPECT_FALSE(lba_stamp::check(buffer.bytes().subspan(offset, 8 * 512), 512, 42, 1)) << "offset " << offset;
  }
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Reads, LastLbaReadsAndPastTheEndFailsWith0080) {
  ReadRig rig(sim::default_profile());
  const uint64_t nsze = rig.ns.nsze;
  DmaBuffer buffer(rig.sim, 4096);
  EXPECT_TRUE(rig.controller.read_once(*rig.queue, ReadRequest{1, nsze - 2, 2, 512}, buffer).status().ok());
  EXPECT_FALSE(lba_stamp::check(buffer.bytes().first(1024), 512, nsze - 2, 1));
  const auto past = rig.controller.read_once(*rig.queue, ReadRequest{1, nsze - 1, 2, 512}, buffer);
  EXPECT_TRUE(past.status().same_code(spec::status::kLbaOutOfRange)) << past.status().describe();
  const auto overflow = rig.controller.read_once(*rig.queue, ReadRequest{1, ~uint64_t{0}, 2, 512}, buffer);
  EXPECT_TRUE(overflow.status().same_code(spec::status::kLbaOutOfRange)) << overflow.status().describe();
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Reads, InvalidNamespaceIs000B) {
  ReadRig rig(sim::default_profile());
  DmaBuffer buffer(rig.sim, 4096);
  const auto c = rig.controller.read_once(*rig.queue, ReadRequest{77, 0, 1, 512}, buffer);
  EXPECT_TRUE(c.status().same_code(spec::status::kInvalidNamespace)) << c.status().describe();
}

TEST(Reads, MdtsPlusOneBlockInOneCommandIs0002) {
  ReadRig rig(profile_with_mdts(2));
  DmaBuffer buffer(rig.sim, 33 * 512);
  const auto c = rig.controller.read_once(*rig.queue, ReadRequest{1, 0, 33, 512}, buffer);
  EXPECT_TRUE(c.status().same_code(spec::status::kInvalidField)) << c.status().describe();
  EXPECT_TRUE(rig.controller.read_once(*rig.queue, ReadRequest{1, 0, 32, 512}, buffer).status().ok());
}

TEST(Reads, CorruptedDataIsCaughtByThePatternCheck) {
  sim::Profile profile = sim::default_profile();
  profile.faults.push_back(sim::CorruptReadFault{1, {5}, 100, 0x01});
  ReadRig rig(profile);
  DmaBuffer buffer(rig.sim, 8 * 512);
  ASSERT_TRUE(rig.controller.read(*rig.queue, ReadRequest{1, 0, 8, 512}, buffer).ok());
  const auto mismatch = lba_stamp::check(buffer.bytes(), 512, 0, 1);
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(mismatch->lba, 5u);
  EXPECT_EQ(mismatch->byte, 100u);
}

TEST(Reads, BadArgumentsNeverReachTheDevice) {
  ReadRig rig(sim::default_profile());
  DmaBuffer buffer(rig.sim, 4096);
  const uint64_t reads_before = rig.sim.counters().io_commands[0x02];
  EXPECT_THROW(rig.controller.read(*rig.queue, ReadRequest{1, 0, 0, 512}, buffer), DriverError);
  EXPECT_THROW(rig.controller.read(*rig.queue, ReadRequest{1, 0, 9, 512}, buffer), DriverError);
  EXPECT_THROW(rig.controller.read(*rig.queue, ReadRequest{1, 0, 1, 512}, buffer, 2), DriverError);
  EXPECT_EQ(rig.sim.counters().io_commands[0x02], reads_before);
  EXPECT_TRUE(rig.controller.enabled());
}

}  // namespace
}  // namespace nvqual
