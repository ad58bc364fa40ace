// The media journal (docs/data-integrity.md): every media-changing step that
// ran records, in order, which blocks it changed and what they now hold, and
// a command that failed leaves its blocks unknown.
#include "nvqual/harness/media_journal.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "nvqual/harness/suite_loader.hpp"
#include "nvqual/sim/profile.hpp"
#include "support/sim_run.hpp"

namespace nvqual::harness {
namespace {

Suite journal_suite() {
  return load_suite_text(
      "suite: mj\narea: a\ndescription: d\nspec: [x]\nmedia_changes: true\ncases:\n"
      "  - id: MJ-1\n    title: writes, zeroes, deallocates\n    spec: NVM 1.0 3.2\n    state: io\n    steps:\n"
      "      - step: write\n        slba: 100\n        blocks: 8\n        generation: 3\n"
      "        expect:\n          - status: [00/00]\n"
      "      - step: write_zeroes\n        slba: 104\n        blocks: 2\n"
      "        expect:\n          - status: [00/00]\n"
      "      - step: deallocate\n        slba: 200\n        blocks: 16\n"
      "        expect:\n          - status: [00/00]\n"
      "      - step: write\n        slba: nsze\n        mode: once\n"
      "        expect:\n          - status: [00/80]\n",
      "mj.yaml", "mj");
}

RunnerOptions journaling(MediaJournal& journal) {
  RunnerOptions options = testing::quick_options();
  options.settings.allow_media_changes = true;
  options.settings.media_change_policy.set_user_allows(true);
  options.settings.media_change_policy.add_scratch(ScratchRange{1, 0, 0, true});
  options.settings.media_journal = &journal;
  return options;
}

sim::Profile reads_zero_when_deallocated() {
  sim::Profile profile = sim::default_profile();
  profile.namespaces.at(0).dlfeat = 0x01;  // DLFEAT 2:0 = 001b: deallocated blocks read 00h
  return profile;
}

TEST(MediaJournal, RecordsEveryMediaChangingStepInOrder) {
  MediaJournal journal;
  const auto run = testing::run_on_simulator(reads_zero_when_deallocated(), {journal_suite()}, journaling(journal));
  ASSERT_EQ(run->summary.totals.passed, 1) << run->listener.results.at(0).result.message;
  const std::vector<MediaJournalEntry> entries = journal.entries();
  ASSERT_EQ(entries.size(), 4u);
  using Holds = MediaJournalEntry::Holds;
  EXPECT_EQ(entries[0].holds, Holds::kWriteStamp);
  EXPECT_EQ(entries[0].first_lba, 100u);
  EXPECT_EQ(entries[0].last_lba, 107u);
  EXPECT_EQ(entries[0].generation, 3u);
  EXPECT_NE(entries[0].seed, 0u) << "the case's write seed";
  EXPECT_EQ(entries[1].holds, Holds::kZeroes);
  EXPECT_EQ(entries[1].first_lba, 104u);
  EXPECT_EQ(entries[1].last_lba, 105u);
  EXPECT_EQ(entries[2].holds, Holds::kDeallocated);
  EXPECT_EQ(entries[2].first_lba, 200u);
  EXPECT_EQ(entries[2].last_lba, 215u);
  EXPECT_EQ(entries[2].deallocated_byte, std::optional<uint8_t>(0x00));
  EXPECT_EQ(entries[3].holds, Holds::kUnknown) << "00/80: the blocks of a failed Write are not claimed";
  for (const auto& e : entries) EXPECT_EQ(e.nsid, 1u);

  const auto doc = nlohmann::json::parse(journal.to_json());
  EXPECT_EQ(doc["format"], "nvqual-media-journal");
  ASSERT_EQ(doc["entries"].size(), 4u);
  EXPECT_EQ(doc["entries"][0]["holds"], "write_stamp");
  EXPECT_EQ(doc["entries"][0]["generation"], 3);
  EXPECT_EQ(doc["entries"][0]["seed"].get<uint64_t>(), entries[0].seed);
  EXPECT_EQ(doc["entries"][1]["holds"], "zeroes");
  EXPECT_EQ(doc["entries"][2]["reads_as"], 0);
  EXPECT_EQ(doc["entries"][3]["holds"], "unknown");
}

TEST(MediaJournal, DeallocatedIsUnknownWhenDlfeatPromisesNothing) {
  sim::Profile profile = sim::default_profile();
  profile.namespaces.at(0).dlfeat = 0x00;
  MediaJournal journal;
  const auto run = testing::run_on_simulator(profile, {journal_suite()}, journaling(journal));
  const std::vector<MediaJournalEntry> entries = journal.entries();
  ASSERT_GE(entries.size(), 3u) << run->listener.results.at(0).result.message;
  EXPECT_EQ(entries[2].holds, MediaJournalEntry::Holds::kDeallocated);
  EXPECT_FALSE(entries[2].deallocated_byte.has_value());
  EXPECT_TRUE(nlohmann::json::parse(journal.to_json())["entries"][2]["reads_as"].is_null());
}

TEST(MediaJournal, ARefusedStepRecordsNothing) {
  MediaJournal journal;
  RunnerOptions options = journaling(journal);
  options.settings.media_change_policy.clear_scratch();
  options.settings.media_change_policy.add_scratch(ScratchRange{1, 1000, 1999});  // none of the suite's LBAs
  testing::run_on_simulator(reads_zero_when_deallocated(), {journal_suite()}, options);
  EXPECT_TRUE(journal.entries().empty()) << "the driver refused before anything was posted";
}

// Format NVM (80h) from raw dwords: the simulator does not implement it
// (00/01), but it was posted, so the journal must not claim any block of the
// namespace any more.
Suite raw_format_suite() {
  return load_suite_text(
      "suite: mjf\narea: a\ndescription: d\nspec: [x]\nmedia_changes: true\ncases:\n"
      "  - id: MJF-1\n    title: raw format\n    spec: Base 2.0 5.23\n    state: io\n    steps:\n"
      "      - step: admin_command\n        opcode: 0x80\n        nsid: 1\n"
      "        expect:\n          - status: [00/01]\n",
      "mjf.yaml", "mjf");
}

TEST(MediaJournal, ARawMediaChangingAdminCommandLeavesItsWholeNamespaceUnknown) {
  MediaJournal journal;
  const auto run = testing::run_on_simulator(sim::default_profile(), {raw_format_suite()}, journaling(journal));
  ASSERT_EQ(run->summary.totals.passed, 1) << run->listener.results.at(0).result.message;
  const std::vector<MediaJournalEntry> entries = journal.entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].holds, MediaJournalEntry::Holds::kUnknown);
  EXPECT_EQ(entries[0].nsid, 1u);
  EXPECT_EQ(entries[0].first_lba, 0u);
  EXPECT_EQ(entries[0].last_lba, std::numeric_limits<uint64_t>::max()) << "to the end of the namespace";
}

TEST(MediaJournal, ARefusedRawAdminCommandRecordsNothing) {
  MediaJournal journal;
  RunnerOptions options = journaling(journal);
  options.settings.media_change_policy.clear_scratch();
  options.settings.media_change_policy.add_scratch(ScratchRange{1, 1000, 1999});  // not the whole namespace
  testing::run_on_simulator(sim::default_profile(), {raw_format_suite()}, options);
  EXPECT_TRUE(journal.entries().empty()) << "a Format needs a whole-namespace scratch range: refused, not posted";
}

}  // namespace
}  // namespace nvqual::harness
