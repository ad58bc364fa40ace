#include "nvqual/driver/command_log.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/commands.hpp"

namespace nvqual {
namespace {

spec::SubmissionEntry identify_with_cid(uint16_t cid) {
  auto sqe = cmd::identify(spec::Cns::kController, 0);
  sqe.set_cid(cid);
  return sqe;
}

spec::CompletionEntry completion_for(uint16_t cid, spec::Status status = spec::status::kSuccess) {
  spec::CompletionEntry cqe{};
  cqe.set_cid(cid);
  cqe.set_status(status);
  return cqe;
}

TEST(CommandLog, PairsCompletionsWithTheirCommands) {
  CommandLog log(8);
  log.record_submission(0, identify_with_cid(1), {});
  log.record_submission(0, identify_with_cid(2), {});
  log.record_completion(0, completion_for(2, spec::status::kInvalidField), {});
  const auto records = log.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_FALSE(records[0].completion) << "CID 1 never completed";
  ASSERT_TRUE(records[1].completion);
  EXPECT_EQ(records[1].completion->status().sc(), 0x02);
  EXPECT_EQ(records[1].sequence, 2u);
  const std::string text = log.format();
  EXPECT_THAT(text, ::testing::HasSubstr("Identify"));
  EXPECT_THAT(text, ::testing::HasSubstr("no completion"));
  EXPECT_THAT(text, ::testing::HasSubstr("00/02 Invalid Field in Command"));
}

// FUSE and CDW13-15 appear only when set; a plain command's line is unchanged.
TEST(CommandLog, ShowsFuseAndHighDwordsOnlyWhenSet) {
  CommandLog log(8);
  spec::SubmissionEntry plain = identify_with_cid(1);
  plain.cdw10 = 1;
  log.record_submission(0, plain, {});
  spec::SubmissionEntry odd = identify_with_cid(2);
  odd.set_fuse(1);
  odd.cdw13 = 0xdeadbeef;
  odd.cdw15 = 0x12;
  log.record_submission(0, odd, {});
  const std::string text = log.format();
  const std::string first = text.substr(0, text.find('\n'));
  EXPECT_EQ(first,
            "#1 q0 cid 1 Identify nsid 0 cdw10 00000001 cdw11 00000000 cdw12 00000000 prp1 0x0 prp2 0x0 -> no "
            "completion");
  EXPECT_THAT(text, ::testing::HasSubstr("#2 q0 cid 2 Identify fuse 1 nsid 0 cdw10 00000001 cdw11 00000000 cdw12 "
                                         "00000000 cdw13 deadbeef cdw15 00000012 prp1 0x0"));
}

TEST(CommandLog, ReusedCidPairsWithTheNewestSubmission) {
  CommandLog log(8);
  log.record_submission(1, identify_with_cid(5), {});
  log.record_completion(1, completion_for(5), {});
  log.record_submission(1, identify_with_cid(5), {});
  log.record_completion(1, completion_for(5, spec::status::kLbaOutOfRange), {});
  const auto records = log.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_TRUE(records[0].completion->status().ok());
  EXPECT_EQ(records[1].completion->status().sc(), 0x80);
}

TEST(CommandLog, KeepsOnlyTheNewestCommands) {
  CommandLog log(4);
  for (uint16_t cid = 0; cid < 10; ++cid) {
    log.record_submission(0, identify_with_cid(cid), {});
    log.record_completion(0, completion_for(cid), {});
  }
  const auto records = log.records();
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records.front().command.cid(), 6);
  EXPECT_EQ(records.back().command.cid(), 9);
  EXPECT_EQ(records.back().sequence, 10u);
  log.clear();
  EXPECT_TRUE(log.records().empty());
}

TEST(CommandLog, KeepsEveryFailureAfterTheRingHasDroppedIt) {
  CommandLog log(2);
  log.record_submission(0, identify_with_cid(7), {});
  log.record_completion(0, completion_for(7, spec::status::kInvalidNamespace), {});
  for (uint16_t cid = 0; cid < 5; ++cid) {
    log.record_submission(0, identify_with_cid(cid), {});
    log.record_completion(0, completion_for(cid), {});
  }
  ASSERT_EQ(log.records().size(), 2u);
  ASSERT_EQ(log.failures().size(), 1u) << "successful completions are not failures";
  const CommandRecord& failure = log.failures().front();
  EXPECT_EQ(failure.sequence, 1u);
  EXPECT_EQ(failure.command.cid(), 7);
  EXPECT_EQ(failure.command.opcode(), static_cast<uint8_t>(spec::AdminOpcode::kIdentify));
  EXPECT_TRUE(failure.completion->status().same_code(spec::status::kInvalidNamespace));
  log.clear();
  EXPECT_TRUE(log.failures().empty());
}

TEST(CommandLog, AFailureIsPairedWithItsOwnQueuesSubmission) {
  CommandLog log(8);
  log.record_submission(1, identify_with_cid(3), {});
  auto other = identify_with_cid(3);
  other.set_opcode(0x02);  // another opcode, same CID, on the admin queue
  log.record_submission(0, other, {});
  log.record_completion(1, completion_for(3, spec::status::kLbaOutOfRange), {});
  ASSERT_EQ(log.failures().size(), 1u);
  EXPECT_EQ(log.failures().front().qid, 1);
  EXPECT_EQ(log.failures().front().sequence, 1u);
  EXPECT_EQ(log.failures().front().command.opcode(), static_cast<uint8_t>(spec::AdminOpcode::kIdentify));
}

TEST(CommandLog, FailuresBeyondTheLimitAreCountedNotKept) {
  CommandLog log(1);
  for (size_t i = 0; i < CommandLog::kMaxFailures + 3; ++i) {
    log.record_submission(0, identify_with_cid(1), {});
    log.record_completion(0, completion_for(1, spec::status::kInvalidField), {});
  }
  EXPECT_EQ(log.failures().size(), CommandLog::kMaxFailures);
  EXPECT_EQ(log.failures_dropped(), 3u);
}

}  // namespace
}  // namespace nvqual
