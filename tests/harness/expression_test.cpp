#include "nvqual/harness/expression.hpp"

#include <gtest/gtest.h>

#include "nvqual/harness/suite_error.hpp"

namespace nvqual::harness {
namespace {

uint64_t eval(const std::string& text, const Variables& v = {}) { return Expression::parse(text).evaluate(v); }

TEST(Expression, FollowsCPrecedence) {
  EXPECT_EQ(eval("1 + 2 * 3"), 7u);
  EXPECT_EQ(eval("(1 + 2) * 3"), 9u);
  EXPECT_EQ(eval("1 << 4 + 1"), 32u);
  EXPECT_EQ(eval("0x10 | 1 & 0"), 0x10u);
  EXPECT_EQ(eval("1 + 1 == 2 && 3 > 2"), 1u);
  EXPECT_EQ(eval("7 - 2 - 1"), 4u);  // left associative
  EXPECT_EQ(eval("100 / 10 / 5"), 2u);
}

TEST(Expression, ReadsNumbersInThreeBases) {
  EXPECT_EQ(eval("0xFFFF_FFFF"), 0xFFFFFFFFu);
  EXPECT_EQ(eval("0b1010"), 10u);
  EXPECT_EQ(eval("1_000"), 1000u);
  EXPECT_EQ(eval("18446744073709551615"), ~uint64_t{0});
}

TEST(Expression, ArithmeticWrapsLikeUnsigned64) {
  EXPECT_EQ(eval("0 - 1"), ~uint64_t{0});
  EXPECT_EQ(eval("-1"), ~uint64_t{0});
  EXPECT_EQ(eval("~0"), ~uint64_t{0});
  EXPECT_EQ(eval("1 << 64"), 0u);
}

TEST(Expression, UsesVariablesAndFunctions) {
  const Variables v{{"nsze", 2048}, {"lba_size", 512}, {"mdts", 5}};
  EXPECT_EQ(eval("nsze - 1", v), 2047u);
  EXPECT_EQ(eval("min(nsze, 100)", v), 100u);
  EXPECT_EQ(eval("max(lba_size, 4096)", v), 4096u);
  EXPECT_EQ(eval("pow2(mdts) * 4096 / lba_size", v), 256u);
  EXPECT_EQ(eval("log2(lba_size)", v), 9u);
  EXPECT_EQ(eval("!(mdts == 0)", v), 1u);
}

TEST(Expression, ListsTheNamesItUsesWithTheirOffsets) {
  const Expression e = Expression::parse("nsze - lba_size + nsze");
  ASSERT_EQ(e.names().size(), 2u);
  EXPECT_EQ(e.names()[0], "nsze");
  EXPECT_EQ(e.names()[1], "lba_size");
  EXPECT_EQ(e.name_offsets()[1], 7u);
  EXPECT_FALSE(e.constant_value().has_value());
  EXPECT_EQ(Expression::parse("2 * 3").constant_value(), 6u);
}

TEST(Expression, ShortCircuitsSoGuardsWork) {
  // The right side would divide by zero: && must not evaluate it.
  EXPECT_EQ(eval("mdts != 0 && 4096 / mdts > 1", {{"mdts", 0}}), 0u);
}

TEST(Expression, RejectsBadSyntaxWithTheOffset) {
  const auto offset_of = [](const std::string& text) {
    try {
      Expression::parse(text);
    } catch (const ExpressionError& e) {
      return static_cast<long>(e.offset());
    }
    return -1L;
  };
  EXPECT_EQ(offset_of(""), 0);
  EXPECT_EQ(offset_of("1 +"), 3);
  EXPECT_EQ(offset_of("(1 + 2"), 6);
  EXPECT_EQ(offset_of("1 2"), 2);
  EXPECT_EQ(offset_of("0xZZ"), 0);
  EXPECT_EQ(offset_of("foo(1)"), 0);
  EXPECT_EQ(offset_of("min(1)"), 0);
  EXPECT_EQ(offset_of("2 $ 3"), 2);
  EXPECT_EQ(offset_of("99999999999999999999"), 0);
  // A divisor that is 0 whatever the device reports is refused while parsing.
  EXPECT_EQ(offset_of("1 / 0"), 2);
  EXPECT_EQ(offset_of("nsze % (2 - 2)"), 5);
  EXPECT_EQ(offset_of("min(nsze, 4 / (1 - 1))"), 12);
}

TEST(Expression, RuntimeProblemsAreCaseInputErrors) {
  EXPECT_THROW(eval("1 / nn", {{"nn", 0}}), CaseInputError);  // 0 on this device only
  EXPECT_THROW(eval("5 % (nn - 1)", {{"nn", 1}}), CaseInputError);
  EXPECT_THROW(eval("nsze"), CaseInputError);  // a variable the device did not report
  EXPECT_EQ(eval("nsze / (2 - 1)", {{"nsze", 8}}), 8u);
}

}  // namespace
}  // namespace nvqual::harness
