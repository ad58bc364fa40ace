// Found by fuzz/fuzz_suite_loader.cpp: yaml-cpp 0.7 reports a ',' at block
// level as an endless run of empty documents without consuming it, so loading
// a suite whose comment line had gained a leading ',' never returned (and
// nvqual run held its signals meanwhile). The strict reader must refuse it
// with a syntax error at the comma. A regression hangs here until ctest's
// timeout fails the test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/yaml/strict_yaml.hpp"

namespace nvqual::yaml {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string error_of(const std::string& text) {
  try {
    load_strict(text, "f.yaml", "a test file");
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted:\n" << text;
  return "";
}

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
