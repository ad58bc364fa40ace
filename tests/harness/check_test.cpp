#include "nvqual/harness/check.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/lba_stamp.hpp"
#include "nvqual/driver/write_stamp.hpp"
#include "nvqual/harness/suite_error.hpp"

namespace nvqual::harness {
namespace {

using ::testing::HasSubstr;

struct Fixture {
  Variables variables{{"ncap", 100}, {"nsze", 200}};
  ModelProfile model;
  std::map<std::string, DataPtr, std::less<>> saved;
  CheckEnvironment env(bool with_model = true) {
    return CheckEnvironment{variables, with_model ? &model : nullptr, saved};
  }
};

Check number_check(CheckOp op, std::vector<std::string> operands) {
  Check c;
  c.field = "f";
  c.op = op;
  for (const auto& o : operands) c.operands.push_back(Expression::parse(o));
  return c;
}

CheckState state(const Check& c, const Value& v, Fixture& f, bool with_model = true) {
  return apply(c, v, f.env(with_model)).state;
}

TEST(Check, ComparesNumbersAgainstExpressions) {
  Fixture f;
  EXPECT_EQ(state(number_check(CheckOp::kGe, {"ncap"}), uint64_t{100}, f), CheckState::kPassed);
  EXPECT_EQ(state(number_check(CheckOp::kGe, {"ncap"}), uint64_t{99}, f), CheckState::kFailed);
  EXPECT_EQ(state(number_check(CheckOp::kLt, {"nsze"}), uint64_t{199}, f), CheckState::kPassed);
  EXPECT_EQ(state(number_check(CheckOp::kEq, {"nsze - 1"}), uint64_t{199}, f), CheckState::kPassed);
  EXPECT_EQ(state(number_check(CheckOp::kNe, {"0"}), uint64_t{0}, f), CheckState::kFailed);
  EXPECT_EQ(state(number_check(CheckOp::kRange, {"1", "2"}), uint64_t{3}, f), CheckState::kFailed);
  EXPECT_EQ(state(number_check(CheckOp::kRange, {"1", "2"}), uint64_t{2}, f), CheckState::kPassed);
  EXPECT_EQ(state(number_check(CheckOp::kOneOf, {"5", "7"}), uint64_t{7}, f), CheckState::kPassed);
  EXPECT_EQ(state(number_check(CheckOp::kOneOf, {"5", "7"}), uint64_t{6}, f), CheckState::kFailed);
}

TEST(Check, TestsBits) {
  Fixture f;
  EXPECT_EQ(state(number_check(CheckOp::kBitsSet, {"0x5"}), uint64_t{0x7}, f), CheckState::kPassed);
  EXPECT_EQ(state(number_check(CheckOp::kBitsSet, {"0x5"}), uint64_t{0x6}, f), CheckState::kFailed);
  EXPECT_EQ(state(number_check(CheckOp::kBitsClear, {"0xF0"}), uint64_t{0x0F}, f), CheckState::kPassed);
  EXPECT_EQ(state(number_check(CheckOp::kBitsClear, {"0xF0"}), uint64_t{0x10}, f), CheckState::kFailed);
}

TEST(Check, ReportsExpectedAndActualWithValuesFilledIn) {
  Fixture f;
  Check c = number_check(CheckOp::kGe, {"ncap"});
  c.field = "nsze";
  const CheckResult r = apply(c, uint64_t{42}, f.env());
  EXPECT_EQ(r.description, "nsze >= ncap");
  EXPECT_EQ(r.expected, ">= 0x64 (100)");
  EXPECT_EQ(r.actual, "0x2a (42)");
}

TEST(Check, AcceptsAnyStatusOfTheAcceptSetComparingSctAndSc) {
  Fixture f;
  Check c;
  c.field = "status";
  c.op = CheckOp::kAccept;
  c.accept = {spec::status::kLbaOutOfRange, spec::status::kCapacityExceeded};
  EXPECT_EQ(state(c, spec::status::kLbaOutOfRange, f), CheckState::kPassed);
  EXPECT_EQ(state(c, spec::Status::make(0, 0x81, true), f), CheckState::kPassed);  // DNR does not matter
  EXPECT_EQ(state(c, spec::status::kSuccess, f), CheckState::kFailed);
  // SC bit 7 is part of the code: 00/00 must not pass for 00/80.
  EXPECT_EQ(state(c, spec::Status::make(0, 0x00), f), CheckState::kFailed);
  EXPECT_EQ(state(c, spec::Status::make(1, 0x80), f), CheckState::kFailed);  // SCT matters too
}

TEST(Check, ParsesStatusCodes) {
  spec::Status s;
  ASSERT_TRUE(parse_status_code("01/0C", s));
  EXPECT_EQ(s.sct(), 1);
  EXPECT_EQ(s.sc(), 0x0C);
  EXPECT_FALSE(parse_status_code("8/00", s));
  EXPECT_FALSE(parse_status_code("00/100", s));
  EXPECT_FALSE(parse_status_code("0080", s));
  EXPECT_FALSE(parse_status_code("00/", s));
}

TextValue text(const std::string& padded) {
  TextValue t;
  for (char c : padded) t.raw.push_back(static_cast<std::byte>(c));
  t.text = padded.substr(0, padded.find_last_not_of(' ') + 1);
  return t;
}

TEST(Check, PrintableMeansPrintableAsciiPaddedWithSpaces) {
  Fixture f;
  Check c;
  c.field = "mn";
  c.op = CheckOp::kPrintable;
  EXPECT_EQ(state(c, text("QEMU NVMe Ctrl      "), f), CheckState::kPassed);
  EXPECT_EQ(state(c, text(std::string("QEMU\0    ", 9)), f), CheckState::kFailed);
  EXPECT_EQ(state(c, text("QEMU\x01    "), f), CheckState::kFailed);
  const CheckResult r = apply(c, text("AB\x7F "), f.env());
  EXPECT_THAT(r.actual, HasSubstr("7f"));  // the raw bytes are shown
}

TEST(Check, ComparesTextIgnoringTrailingPadding) {
  Fixture f;
  Check c;
  c.field = "mn";
  c.op = CheckOp::kText;
  c.text = "QEMU NVMe Ctrl";
  EXPECT_EQ(state(c, text("QEMU NVMe Ctrl    "), f), CheckState::kPassed);
  EXPECT_EQ(state(c, text("QEMU NVMe Ctr     "), f), CheckState::kFailed);
}

TEST(Check, ModelChecksCompareWithTheProfileOrDoNotApply) {
  Fixture f;
  f.model.name = "m";
  f.model.values["identify_controller.vid"] = uint64_t{0x1b36};
  f.model.values["identify_controller.mn"] = std::string("QEMU NVMe Ctrl");
  Check vid;
  vid.field = "vid";
  vid.op = CheckOp::kModel;
  vid.text = "identify_controller.vid";
  EXPECT_EQ(state(vid, uint64_t{0x1b36}, f), CheckState::kPassed);
  EXPECT_EQ(state(vid, uint64_t{0x1b37}, f), CheckState::kFailed);
  EXPECT_EQ(state(vid, uint64_t{0x1b36}, f, false), CheckState::kNotApplicable);
  Check mn = vid;
  mn.text = "identify_controller.mn";
  EXPECT_EQ(state(mn, text("QEMU NVMe Ctrl   "), f), CheckState::kPassed);
  Check missing = vid;
  missing.text = "identify_controller.ssvid";
  EXPECT_EQ(state(missing, uint64_t{1}, f), CheckState::kNotApplicable);
}

DataPtr stamped(uint64_t first_lba, uint64_t blocks, uint32_t lba_size = 512) {
  auto d = std::make_shared<DataBlock>();
  d->bytes.resize(blocks * lba_size);
  lba_stamp::fill(d->bytes, lba_size, first_lba, 1);
  d->first_lba = first_lba;
  d->nsid = 1;
  d->lba_size = lba_size;
  return d;
}

TEST(Check, PatternFindsTheFirstWrongByte) {
  Fixture f;
  Check c;
  c.field = "data";
  c.op = CheckOp::kPattern;
  EXPECT_EQ(state(c, stamped(10, 4), f), CheckState::kPassed);
  auto bad = std::make_shared<DataBlock>(*stamped(10, 4));
  bad->bytes[512 * 2 + 20] ^= std::byte{0x40};
  const CheckResult r = apply(c, DataPtr(bad), f.env());
  EXPECT_EQ(r.state, CheckState::kFailed);
  EXPECT_THAT(r.expected, HasSubstr("byte 20 of LBA 12"));
  // Data stamped for other LBAs is wrong even though it is "a pattern".
  auto shifted = std::make_shared<DataBlock>(*stamped(11, 4));
  shifted->first_lba = 10;
  EXPECT_EQ(state(c, DataPtr(shifted), f), CheckState::kFailed);
}

TEST(Check, SameAsComparesWithSavedData) {
  Fixture f;
  f.saved["whole"] = stamped(0, 8);
  Check c;
  c.field = "data";
  c.op = CheckOp::kSameAs;
  c.text = "whole";
  EXPECT_EQ(state(c, stamped(0, 8), f), CheckState::kPassed);
  EXPECT_EQ(state(c, stamped(0, 7), f), CheckState::kFailed);
  auto changed = std::make_shared<DataBlock>(*stamped(0, 8));
  changed->bytes[4000] ^= std::byte{1};
  const CheckResult r = apply(c, DataPtr(changed), f.env());
  EXPECT_EQ(r.state, CheckState::kFailed);
  EXPECT_THAT(r.expected, HasSubstr("byte 4000 (LBA 7)"));
}

DataPtr written(uint64_t lba, size_t blocks, uint32_t generation, uint64_t seed = 7) {
  auto data = std::make_shared<DataBlock>();
  data->bytes.resize(blocks * 512);
  write_stamp::fill(data->bytes, 512, {.lba = lba, .nsid = 1, .generation = generation, .seed = seed});
  data->first_lba = lba;
  data->nsid = 1;
  data->lba_size = 512;
  return data;
}

TEST(Check, WrittenByNamesStaleMisdirectedAndCorruptBlocks) {
  Fixture f;
  f.saved["w"] = written(10, 8, 2);
  Check c;
  c.field = "data";
  c.op = CheckOp::kWrittenBy;
  c.text = "w";
  EXPECT_EQ(state(c, written(10, 8, 2), f), CheckState::kPassed);
  EXPECT_EQ(state(c, written(12, 2, 2), f), CheckState::kPassed);  // part of what was written
  EXPECT_THAT(apply(c, written(10, 8, 1), f.env()).actual, HasSubstr("stale"));
  auto moved = std::make_shared<DataBlock>(*written(11, 8, 2));
  moved->first_lba = 10;  // the device returned LBA 11's block for LBA 10
  EXPECT_THAT(apply(c, DataPtr(moved), f.env()).actual, HasSubstr("misdirected"));
  EXPECT_THAT(apply(c, stamped(10, 8), f.env()).actual, HasSubstr("corruption"));
  EXPECT_THAT(apply(c, written(10, 8, 2, 8), f.env()).actual, HasSubstr("corruption"));  // another case's seed
  // Blocks the write never covered cannot be judged against it.
  const CheckResult outside = apply(c, written(16, 4, 2), f.env());
  EXPECT_EQ(outside.state, CheckState::kFailed);
  EXPECT_THAT(outside.actual, HasSubstr("LBA 16..19 were read"));
}

TEST(Check, EveryByteFindsTheFirstOtherByte) {
  Fixture f;
  Check c = number_check(CheckOp::kEveryByte, {"0xFF"});
  c.field = "data";
  auto ff = std::make_shared<DataBlock>(*written(0, 2, 1));
  std::fill(ff->bytes.begin(), ff->bytes.end(), std::byte{0xFF});
  EXPECT_EQ(state(c, DataPtr(ff), f), CheckState::kPassed);
  ff->bytes[600] = std::byte{0};
  const CheckResult r = apply(c, DataPtr(ff), f.env());
  EXPECT_EQ(r.state, CheckState::kFailed);
  EXPECT_THAT(r.actual, HasSubstr("byte 88 of LBA 1 = 00h (1 of 1024 bytes differ)"));
  Check too_big = number_check(CheckOp::kEveryByte, {"nsze + 100"});
  EXPECT_THROW(apply(too_big, DataPtr(ff), f.env()), CaseInputError);
}

TEST(Check, ModelDigestOfData) {
  Fixture f;
  f.model.name = "m";
  const DataPtr data = stamped(0, 8);
  f.model.values["golden.first"] = sha256_of(*data);
  Check c;
  c.field = "data";
  c.op = CheckOp::kModel;
  c.text = "golden.first";
  EXPECT_EQ(state(c, data, f), CheckState::kPassed);
  EXPECT_EQ(state(c, stamped(1, 8), f), CheckState::kFailed);
}

TEST(Check, WithinRecordsTheMeasuredDuration) {
  Fixture f;
  Check c = number_check(CheckOp::kWithin, {"ncap * 10"});  // 1000 ms
  c.field = "latency";
  const CheckResult ok = apply(c, std::chrono::nanoseconds(std::chrono::milliseconds(999)), f.env());
  EXPECT_EQ(ok.state, CheckState::kPassed);
  EXPECT_EQ(ok.actual, "999.000 ms");
  EXPECT_EQ(state(c, std::chrono::nanoseconds(std::chrono::milliseconds(1001)), f), CheckState::kFailed);
}

TEST(Check, OperandsThatCannotBeEvaluatedAreCaseInputErrors) {
  Fixture f;
  EXPECT_THROW(apply(number_check(CheckOp::kEq, {"mdts"}), uint64_t{1}, f.env()), CaseInputError);
}

}  // namespace
}  // namespace nvqual::harness
