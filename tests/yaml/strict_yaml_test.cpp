// The strict YAML reader on its own: each rule it adds to yaml-cpp, with the
// position and wording of its error.
#include "nvqual/yaml/strict_yaml.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/nested_aliases.hpp"

namespace nvqual::yaml {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// The one-line message load_strict() raises for `text`.
std::string error_of(const std::string& text) {
  try {
    load_strict(text, "f.yaml", "a test file");
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted:\n" << text;
  return "";
}

TEST(StrictYaml, LoadsOneDocument) {
  const YAML::Node root = load_strict("---\na: 1\nb: [x, \"y\", 'z''s']\n", "f.yaml", "a test file");
  EXPECT_EQ(root["a"].Scalar(), "1");
  EXPECT_EQ(root["b"][2].Scalar(), "z's");
  EXPECT_TRUE(load_strict("", "f.yaml", "a test file").IsNull());
}

TEST(StrictYaml, ErrorsCarryFileLineColumnAndProblem) {
  try {
    load_strict("a: 1\na: 2\n", "f.yaml", "a test file");
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.file(), "f.yaml");
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(e.column(), 1);
    EXPECT_EQ(e.problem(),
              "duplicate key 'a' (first at line 1, column 1): a key may appear once in a mapping; remove one or merge "
              "them");
    EXPECT_EQ(std::string(e.what()), "f.yaml:2:1: " + e.problem());
  }
}

TEST(StrictYaml, SyntaxErrorsNameTheirPosition) {
  EXPECT_THAT(error_of("a: [1,\n  - b\n"), StartsWith("f.yaml:2:3: YAML syntax error: "));
  EXPECT_THAT(error_of("a: [1,\n  - b\n"), HasSubstr("; expected well-formed YAML"));
  EXPECT_THAT(error_of("a: *undefined\n"), StartsWith("f.yaml:1:4: YAML syntax error: "));
}

TEST(StrictYaml, RefusesASecondDocument) {
  EXPECT_EQ(error_of("a: 1\n---\nb: 2\n"),
            "f.yaml:3:1: a second YAML document: a test file is one document; remove the '---' and what follows, or "
            "put it in a file of its own");
  // An empty second document is pointed at by its marker line.
  EXPECT_THAT(error_of("a: 1\n---\n"), StartsWith("f.yaml:2:1: a second YAML document"));
  EXPECT_THAT(error_of("---\na: 1\n...\n---\n"), StartsWith("f.yaml:3:1: a second YAML document"));
}

TEST(StrictYaml, RefusesARepeatedKeyAnywhere) {
  EXPECT_THAT(error_of("top:\n  - {x: 1, y: 2, x: 3}\n"),
              StartsWith("f.yaml:2:18: duplicate key 'x' (first at line 2, column 6)"));
  EXPECT_THAT(error_of("a:\n  b:\n    c: 1\n    c: 1\n"), StartsWith("f.yaml:4:5: duplicate key 'c'"));
  // The same key in two mappings is no repeat.
  EXPECT_NO_THROW(load_strict("a: {x: 1}\nb: {x: 1}\n", "f.yaml", "a test file"));
}

TEST(StrictYaml, RefusesAQuotedScalarWithNoClosingQuote) {
  EXPECT_EQ(error_of("a: 1\nb: \"open\n"),
            "f.yaml:2:4: YAML syntax error: the quoted scalar starting here has no closing \": expected one before the "
            "end of the file");
  EXPECT_THAT(error_of("a: 'open\n"), StartsWith("f.yaml:1:4: YAML syntax error: the quoted scalar starting here"));
  // Escaped quotes do not close, and do not open, a scalar.
  EXPECT_NO_THROW(load_strict("a: \"x\\\"y\"\nb: 'it''s'\n", "f.yaml", "a test file"));
}

TEST(StrictYaml, RefusesAliasesAndNamesTheFix) {
  EXPECT_EQ(error_of("a: &x 1\nb: *x\n"),
            "f.yaml:2:4: YAML alias '*x': anchors and aliases are not accepted (nested aliases can make a small file "
            "expand without bound); write the value out in full instead");
  // An anchor no alias names is harmless.
  EXPECT_NO_THROW(load_strict("a: &x 1\n", "f.yaml", "a test file"));
}

TEST(StrictYaml, RefusesNestedAliasesAtTheFirstOne) {
  // Without the refusal, walking this tree visits 10^9 nodes.
  EXPECT_THAT(error_of(testing_support::nested_aliases("value")),
              StartsWith(std::string("f.yaml") + testing_support::kFirstAliasError));
}

// Found by fuzz/fuzz_suite_loader.cpp: yaml-cpp 0.7 reports a ',' at block
// level as an endless run of empty documents without consuming it, so loading
// a suite whose comment line had gained a leading ',' never returned. The
// strict reader must refuse it with a syntax error at the comma. A regression
// hangs here until ctest's timeout fails the test.
TEST(StrictYamlStrayComma, IsASyntaxErrorAtTheComma) {
  EXPECT_THAT(error_of(","), StartsWith("f.yaml:1:1: YAML syntax error: this character starts no YAML value"));
  EXPECT_THAT(error_of("# a comment\n,# the replayed input's comment\nsuite: registers\n"),
              StartsWith("f.yaml:2:1: YAML syntax error: this character starts no YAML value"));
  EXPECT_THAT(error_of("a: 1\n,\n"), StartsWith("f.yaml:2:1: YAML syntax error"));
}

TEST(StrictYamlStrayComma, EmptyDocumentsAreStillDocuments) {
  // Each of these consumes text, so none is mistaken for the stall.
  EXPECT_THAT(error_of("---\n---\n"), HasSubstr(": a second YAML document"));
  EXPECT_TRUE(load_strict("---\n...\n", "f.yaml", "a test file").IsNull());
  EXPECT_EQ(load_strict("a: [1, 2]\n", "f.yaml", "a test file")["a"][1].Scalar(), "2");
}

}  // namespace
}  // namespace nvqual::yaml
