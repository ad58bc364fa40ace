// Bounds on one expression's size and nesting (harness/src/expression.cpp).
// Found while writing fuzz/fuzz_expression.cpp and replayed through it: 2000
// '(' (or 100000 unary '-') in a suite overflowed the parser's stack under
// ASan, and a long enough operator chain would overflow the evaluator's. Each
// case is a refused input and the largest accepted one.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/harness/expression.hpp"

namespace nvqual::harness {
namespace {

using ::testing::HasSubstr;

std::string repeated(const std::string& part, size_t times) {
  std::string text;
  for (size_t i = 0; i < times; ++i) text += part;
  return text;
}

void expect_refused(const std::string& text, const std::string& problem) {
  try {
    Expression::parse(text);
    ADD_FAILURE() << "accepted an expression of " << text.size() << " characters";
  } catch (const ExpressionError& e) {
    EXPECT_THAT(e.what(), HasSubstr(problem));
    EXPECT_LE(e.offset(), text.size());
  }
}

TEST(ExpressionLimits, ParenthesesNestAtMost64Deep) {
  EXPECT_EQ(Expression::parse(repeated("(", 64) + "1" + repeated(")", 64)).evaluate({}), 1u);
  expect_refused(repeated("(", 65) + "1" + repeated(")", 65), "nests deeper than 64 levels");
  // The replayed inputs: 2000 and 20000 levels.
  expect_refused(repeated("(", 2000) + "1" + repeated(")", 2000), "nests deeper than 64 levels");
  expect_refused(repeated("(", 20000) + "1" + repeated(")", 20000), "expression of 40001 characters");
}

TEST(ExpressionLimits, UnaryOperatorsAndCallsCountAsNesting) {
  EXPECT_EQ(Expression::parse(repeated("~", 64) + "1").evaluate({}), 1u);
  expect_refused(repeated("-", 65) + "1", "nests deeper than 64 levels");
  expect_refused(repeated("-", 100000) + "1", "expression of 100001 characters");
  expect_refused(repeated("min(1, ", 65) + "1" + repeated(")", 65), "nests deeper than 64 levels");
}

TEST(ExpressionLimits, AtMost4096Characters) {
  const std::string longest = repeated("1+", 2047) + "1";  // 4095 characters
  EXPECT_EQ(Expression::parse(longest).evaluate({}), 2048u);
  expect_refused(longest + "+1", "expression of 4097 characters");
}

}  // namespace
}  // namespace nvqual::harness
