// Model profiles: strict loading (a typo is an error with FILE:LINE:COLUMN),
// the value forms (exact, any of, glob, regex, LBA formats, golden files), and
// the rule that a case none of whose model values a profile gives is skipped.
#include "nvqual/harness/model_profile.hpp"

#include <unistd.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/nested_aliases.hpp"
#include "nvqual/harness/digest.hpp"
#include "nvqual/sim/profile.hpp"
#include "support/sim_run.hpp"

namespace nvqual::harness {
namespace {

using ::testing::HasSubstr;

class ModelProfileFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("nvqual-model-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "golden");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }
  // The problem load_model_profile reports, with its position.
  std::string error_of(const std::string& values_yaml) {
    const auto path = write("p.yaml", "model: m\nvalues:\n" + values_yaml);
    try {
      load_model_profile(path);
    } catch (const SuiteError& e) {
      return e.what();
    }
    return "(loaded)";
  }

  std::filesystem::path dir_;
};

TEST_F(ModelProfileFiles, ShippedProfilesLoad) {
  const ModelProfile sim = load_model_profile(NVQUAL_SOURCE_DIR "/fixtures/models/nvqual-sim-default.yaml");
  const ModelExpectation* golden = sim.find("golden.first_8_blocks");
  ASSERT_NE(golden, nullptr);
  // The file's digest, computed at load, is the stamp's (it was inline before).
  EXPECT_TRUE(golden->matches("8ea7bb8df3cd87cd24bd0e8a6fa0e48b949ed1121e0bfc64dafd3296263dc9ad"));
  EXPECT_THAT(golden->describe(), HasSubstr("fixtures/golden/nvqual-sim-default-first-8-blocks.bin"));
  ASSERT_NE(sim.find("identify_namespace.lba_formats"), nullptr);
  EXPECT_TRUE(sim.find("identify_namespace.lba_formats")->matches("512+0, 4096+0"));

  const ModelProfile qemu = load_model_profile(NVQUAL_SOURCE_DIR "/fixtures/models/qemu-7.2.yaml");
  EXPECT_TRUE(qemu.find("identify_controller.fr")->matches("7.2.0   "));
  EXPECT_FALSE(qemu.find("identify_controller.fr")->matches("8.0.0"));
  EXPECT_EQ(qemu.find("golden.first_8_blocks"), nullptr);
}

TEST_F(ModelProfileFiles, TyposAreErrorsWithTheirPosition) {
  EXPECT_THAT(error_of("  identify_controller.vid: 1\n  identify_controller.mnn: \"x\"\n"),
              HasSubstr("p.yaml:4:3: unknown field 'mnn' in 'identify_controller.mnn': expected one of"));
  EXPECT_THAT(error_of("  identify_controler.vid: 1\n"), HasSubstr(":3:3: unknown section 'identify_controler'"));
  EXPECT_THAT(error_of("  vid: 1\n"), HasSubstr(":3:3: 'vid' is not a section.field key"));
  // Status and data observations cannot be a model value.
  EXPECT_THAT(error_of("  identify_controller.status: 0\n"), HasSubstr("unknown field 'status'"));
  const auto path = write("top.yaml", "model: m\nvendor: x\nvalues: {}\n");
  EXPECT_THROW(load_model_profile(path), SuiteError);
}

TEST_F(ModelProfileFiles, UnclosedQuotesAndSecondDocumentsAreErrors) {
  // yaml-cpp alone accepts both: a quote running to the end of the file, a document it then ignores.
  EXPECT_THAT(error_of("  identify_controller.mn: \"QEMU\n"),
              HasSubstr("p.yaml:3:27: YAML syntax error: the quoted scalar starting here has no closing \""));
  EXPECT_THAT(error_of("  identify_controller.vid: 1\n---\nvalues: {}\n"),
              HasSubstr("p.yaml:5:1: a second YAML document: a model profile is one document"));
}

TEST_F(ModelProfileFiles, RepeatedKeysInsideValuesAreErrors) {
  // In an LBA format too: the second data_size would be lost without a word.
  EXPECT_THAT(error_of("  identify_namespace.lba_formats: [{data_size: 512, data_size: 4096}]\n"),
              HasSubstr("p.yaml:3:53: duplicate key 'data_size' (first at line 3, column 37)"));
}

TEST_F(ModelProfileFiles, AnEmptySecondDocumentIsAnError) {
  EXPECT_THAT(error_of("  identify_controller.vid: 1\n---\n"),
              HasSubstr("p.yaml:4:1: a second YAML document: a model profile is one document"));
}

TEST_F(ModelProfileFiles, NestedAliasesAreRefusedAtTheFirstAlias) {
  // A "billion laughs": before the strict reader, this kept nvqual busy for minutes.
  const auto path = write("laughs.yaml", testing_support::nested_aliases("description") + "model: m\nvalues: {}\n");
  try {
    load_model_profile(path);
    ADD_FAILURE() << "nested aliases loaded";
  } catch (const SuiteError& e) {
    EXPECT_THAT(e.what(), HasSubstr("laughs.yaml" + std::string(testing_support::kFirstAliasError)));
    EXPECT_THAT(e.what(), HasSubstr("write the value out in full instead"));
  }
}

TEST_F(ModelProfileFiles, ValuesOfTheWrongKindAreErrors) {
  EXPECT_THAT(error_of("  identify_controller.vid: \"QEMU\"\n"),
              HasSubstr(":3:28: identify_controller.vid is a number field"));
  EXPECT_THAT(error_of("  identify_controller.mn: {glob: \"a\", regex: \"b\"}\n"),
              HasSubstr("expected {glob: PATTERN}"));
  EXPECT_THAT(error_of("  identify_controller.mn: {regex: \"(\"}\n"), HasSubstr("not a valid regular expression"));
  EXPECT_THAT(error_of("  identify_namespace.lba_formats: [{data_size: 500}]\n"), HasSubstr("power of two"));
  EXPECT_THAT(error_of("  identify_namespace.lba_formats: [{size: 512}]\n"), HasSubstr("unknown format key 'size'"));
  EXPECT_THAT(error_of("  golden.first: \"abc\"\n"), HasSubstr("expected a SHA-256"));
  EXPECT_THAT(error_of("  golden.first: {file: golden/missing.bin}\n"), HasSubstr("cannot read the golden file"));
  // Found while fuzzing: /dev/zero has no end, so hashing it never returned.
  EXPECT_THAT(error_of("  golden.first: {file: /dev/zero}\n"), HasSubstr("/dev/zero is not a regular file"));
  EXPECT_THAT(error_of("  golden.first: {file: golden}\n"), HasSubstr("is not a regular file"));
  EXPECT_THAT(error_of("  identify_controller.vid: 1\n  identify_controller.vid: 2\n"),
              HasSubstr("p.yaml:4:3: duplicate key 'identify_controller.vid' (first at line 3, column 3)"));
  // Anywhere in the file, not only among the values.
  const auto twice = write("twice.yaml", "model: m\nmodel: n\nvalues: {}\n");
  try {
    load_model_profile(twice);
    ADD_FAILURE() << "a repeated top-level key loaded";
  } catch (const SuiteError& e) {
    EXPECT_THAT(e.what(), HasSubstr("twice.yaml:2:1: duplicate key 'model'"));
  }
}

TEST_F(ModelProfileFiles, ValueForms) {
  std::ofstream(dir_ / "golden" / "blocks.bin") << "golden bytes";
  const auto path = write("forms.yaml",
                          "model: m\n"
                          "values:\n"
                          "  identify_controller.vid: [0x1B36, 0x8086]\n"
                          "  identify_controller.mn: {glob: \"QEMU NVMe*\"}\n"
                          "  identify_controller.sn: {regex: \"[A-Z]{4}[0-9]+\"}\n"
                          "  identify_controller.fr: [\"1.0\", \"1.1\"]\n"
                          "  identify_namespace.lba_formats: [{data_size: 512}, {data_size: 4096, metadata_size: 8}]\n"
                          "  golden.file: {file: golden/blocks.bin}\n"
                          "  golden.inline: \"8EA7BB8DF3CD87CD24BD0E8A6FA0E48B949ED1121E0BFC64DAFD3296263DC9AD\"\n");
  const ModelProfile p = load_model_profile(path);
  EXPECT_TRUE(p.find("identify_controller.vid")->matches(uint64_t{0x8086}));
  EXPECT_FALSE(p.find("identify_controller.vid")->matches(uint64_t{0x144D}));
  EXPECT_TRUE(p.find("identify_controller.mn")->matches("QEMU NVMe Ctrl      "));
  EXPECT_FALSE(p.find("identify_controller.mn")->matches("Samsung SSD"));
  EXPECT_FALSE(p.find("identify_controller.mn")->matches(uint64_t{1}));  // patterns are for text
  EXPECT_TRUE(p.find("identify_controller.sn")->matches("NVQS0001"));
  EXPECT_FALSE(p.find("identify_controller.sn")->matches("nvqs0001"));
  EXPECT_TRUE(p.find("identify_controller.fr")->matches("1.1"));
  EXPECT_FALSE(p.find("identify_controller.fr")->matches("1.2"));
  EXPECT_EQ(p.find("identify_controller.fr")->describe(), "one of {\"1.0\", \"1.1\"}");
  EXPECT_TRUE(p.find("identify_namespace.lba_formats")->matches("512+0, 4096+8"));
  EXPECT_TRUE(p.find("golden.file")->matches(sha256_hex(std::string_view("golden bytes"))));
  EXPECT_TRUE(p.find("golden.inline")->matches("8ea7bb8df3cd87cd24bd0e8a6fa0e48b949ed1121e0bfc64dafd3296263dc9ad"));
  EXPECT_EQ(p.find("golden.inline")->mark.line, 9);
}

// The audit's case: a profile without namespace or golden values used to pass
// ID-021 and RD-023 on the strength of their implicit status check alone.
TEST(ModelCases, ACaseWithNoValueInTheProfileIsSkippedNotPassed) {
  ModelProfile model = load_model_profile(NVQUAL_SOURCE_DIR "/fixtures/models/qemu-7.2.yaml");
  model.values.erase("identify_namespace.nlbaf");
  model.values.erase("identify_namespace.lba_formats");
  auto options = testing::quick_options();
  options.settings.model = &model;
  const auto run = testing::run_on_simulator(sim::default_profile(), testing::shipped_suites(), options);
  for (const char* id : {"ID-021", "RD-023"}) {
    const CaseResult* r = run->listener.find(id);
    ASSERT_NE(r, nullptr) << id;
    EXPECT_EQ(r->outcome, Outcome::kSkipped) << id;
    EXPECT_THAT(r->message, HasSubstr("gives none of the values this case compares")) << id;
  }
  // ID-020 has values to compare, and QEMU's are not the simulator's.
  EXPECT_EQ(run->listener.find("ID-020")->outcome, Outcome::kFailed);
}

TEST(ModelCases, TheSimulatorMatchesItsOwnProfile) {
  const ModelProfile model = load_model_profile(NVQUAL_SOURCE_DIR "/fixtures/models/nvqual-sim-default.yaml");
  auto options = testing::quick_options();
  options.settings.model = &model;
  const auto run = testing::run_on_simulator(sim::default_profile(), testing::shipped_suites(), options);
  for (const char* id : {"ID-020", "ID-021", "RD-023"}) {
    ASSERT_NE(run->listener.find(id), nullptr) << id;
    EXPECT_EQ(run->listener.find(id)->outcome, Outcome::kPassed) << id << ": " << run->listener.find(id)->message;
  }
}

}  // namespace
}  // namespace nvqual::harness
