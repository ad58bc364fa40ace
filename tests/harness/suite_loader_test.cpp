#include "nvqual/harness/suite_loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/nested_aliases.hpp"
#include "support/suite_text.hpp"

namespace nvqual::harness {
namespace {

using ::testing::HasSubstr;
using testing::one_step_suite;

// Loads `text` and returns the SuiteError it must raise.
SuiteError rejected(const std::string& text) {
  try {
    load_suite_text(text, "t.yaml", "t");
  } catch (const SuiteError& e) {
    return e;
  }
  ADD_FAILURE() << "the suite was accepted:\n" << text;
  return SuiteError(SourceMark{}, "accepted");
}

TEST(SuiteLoader, LoadsAValidSuiteWithDefaultsAndDerivedNeeds) {
  const Suite s = load_suite_text(one_step_suite("      - step: read_registers\n"
                                                 "        expect:\n"
                                                 "          - {field: cap_mqes, ge: 1}\n"),
                                  "t.yaml", "t");
  EXPECT_EQ(s.name, "t");
  ASSERT_EQ(s.cases.size(), 1u);
  const Case& c = s.cases[0];
  EXPECT_EQ(c.state, StartState::kAdmin);
  EXPECT_EQ(c.admin_sq_entries.constant_value(), 32u);
  ASSERT_EQ(c.steps.size(), 1u);
  EXPECT_EQ(c.steps[0].definition->name, "read_registers");
  EXPECT_FALSE(c.needs_pattern);
  EXPECT_EQ(s.sha256.size(), 64u);
}

TEST(SuiteLoader, AddsAnImplicitSuccessCheckWhenAStatusIsNotChecked) {
  const Suite s = load_suite_text(one_step_suite("      - step: identify_controller\n"), "t.yaml", "t");
  const auto& checks = s.cases[0].steps[0].checks;
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_TRUE(checks[0].implicit);
  EXPECT_EQ(checks[0].describe(), "status in {00/00}");
  // An Identify step also requires its whole structure written, after the case's own checks.
  EXPECT_TRUE(checks[1].implicit);
  EXPECT_EQ(checks[1].describe(), "unwritten_bytes == 0");
  const Suite named = load_suite_text(
      one_step_suite("      - step: identify_controller\n        expect:\n          - {field: vid, ne: 0}\n"), "t.yaml",
      "t");
  ASSERT_EQ(named.cases[0].steps[0].checks.size(), 3u);
  EXPECT_EQ(named.cases[0].steps[0].checks[2].describe(), "unwritten_bytes == 0");
}

TEST(SuiteLoader, MarksCasesThatNeedThePatternOrAModel) {
  const Suite s = load_suite_text(one_step_suite("      - step: read\n"
                                                 "        expect:\n"
                                                 "          - {field: data, pattern: true}\n"
                                                 "          - {field: data, model: golden.first}\n"),
                                  "t.yaml", "t");
  EXPECT_TRUE(s.cases[0].needs_pattern);
  EXPECT_TRUE(s.cases[0].needs_model);
}

// Loads `text` and returns "FILE:LINE:COLUMN: problem" of the SuiteError it must raise.
std::string error_at(const std::string& text) {
  const SuiteError e = rejected(text);
  return e.mark().str() + ": " + e.problem();
}

TEST(SuiteLoader, ReportsYamlSyntaxErrorsWithLineAndColumn) {
  // A block sequence inside an unclosed flow sequence: yaml-cpp stops at the '-'.
  const SuiteError e = rejected("suite: t\ncases: [\n  - id: x\n");
  EXPECT_EQ(e.mark().str(), "t.yaml:3:3");
  EXPECT_THAT(e.what(), HasSubstr("YAML syntax error"));
}

TEST(SuiteLoader, RejectsAQuotedScalarWithNoClosingQuote) {
  // yaml-cpp alone takes these as closed when a newline ends the file.
  EXPECT_THAT(
      error_at("suite: t\narea: x\ndescription: \"abc\n"),
      ::testing::StartsWith("t.yaml:3:14: YAML syntax error: the quoted scalar starting here has no closing \""));
  EXPECT_THAT(
      error_at(one_step_suite("      - step: read_registers\n") + "  - id: 'T-2\n"),
      ::testing::StartsWith("t.yaml:12:9: YAML syntax error: the quoted scalar starting here has no closing '"));
  // Escaped quotes inside closed scalars are not mistaken for an open one.
  EXPECT_NO_THROW(
      load_suite_text("suite: t\narea: \"a\\\"b\"\ndescription: 'it''s'\nspec: [x]\ncases:\n"
                      "  - {id: A, title: t, spec: x, state: admin, steps: [{step: read_registers}]}\n",
                      "t.yaml", "t"));
}

TEST(SuiteLoader, RejectsASecondDocument) {
  const std::string suite = one_step_suite("      - step: read_registers\n");
  EXPECT_THAT(error_at(suite + "---\nsuite: other\n"), ::testing::StartsWith("t.yaml:13:1: a second YAML document"));
  EXPECT_THAT(error_at(suite + "---\n"), ::testing::StartsWith("t.yaml:12:1: a second YAML document"));
  EXPECT_THAT(error_at("---\n" + suite + "...\ncases: []\n"), ::testing::StartsWith("t.yaml:14:1: a second YAML"));
}

TEST(SuiteLoader, RejectsAnUnknownStepNamingTheKnownOnes) {
  const SuiteError e = rejected(one_step_suite("      - step: raed\n"));
  EXPECT_EQ(e.mark().line, 11);
  EXPECT_EQ(e.mark().column, 15);
  EXPECT_THAT(e.problem(), HasSubstr("unknown step 'raed'"));
  EXPECT_THAT(e.problem(), HasSubstr("read_registers"));
}

TEST(SuiteLoader, RejectsAnUnknownStepArgument) {
  const SuiteError e = rejected(one_step_suite("      - step: read\n        lbaa: 3\n"));
  EXPECT_EQ(e.mark().line, 12);
  EXPECT_EQ(e.mark().column, 9);
  EXPECT_THAT(e.problem(), HasSubstr("unknown key 'lbaa'"));
  EXPECT_THAT(e.problem(), HasSubstr("slba"));
}

TEST(SuiteLoader, RejectsAnUnknownObservedField) {
  const SuiteError e = rejected(
      one_step_suite("      - step: read_registers\n"
                     "        expect:\n"
                     "          - {field: cap_mqs, ge: 1}\n"));
  EXPECT_EQ(e.mark().str(), "t.yaml:13:13");  // the expectation
  EXPECT_THAT(e.problem(), HasSubstr("observes no 'cap_mqs'"));
  EXPECT_THAT(e.problem(), HasSubstr("cap_mqes"));
}

TEST(SuiteLoader, RejectsAnUnknownCaseOrSuiteKey) {
  EXPECT_THAT(error_at(one_step_suite("      - step: read_registers\n", "    stat: io\n")),
              ::testing::StartsWith("t.yaml:10:5: unknown key 'stat' in a case"));
  EXPECT_THAT(error_at("sute: t\n"), ::testing::StartsWith("t.yaml:1:1: unknown key 'sute' in the suite"));
}

TEST(SuiteLoader, RejectsWrongTypes) {
  // A mapping where a list is needed, text where a boolean is needed, a list where an expression is needed.
  const SuiteError list = rejected(one_step_suite("      - step: read_registers\n        expect: {field: cc}\n"));
  EXPECT_EQ(list.mark().str(), "t.yaml:12:17");
  EXPECT_THAT(list.problem(), HasSubstr("expect must be a list"));
  const SuiteError flag = rejected(
      one_step_suite("      - step: create_io_cq\n        qid: 1\n        contiguous: maybe\n"));
  EXPECT_EQ(flag.mark().str(), "t.yaml:13:21");
  EXPECT_THAT(flag.problem(), HasSubstr("must be true or false"));
  const SuiteError expression = rejected(one_step_suite("      - step: read\n        slba: [1, 2]\n"));
  EXPECT_EQ(expression.mark().str(), "t.yaml:12:15");
  EXPECT_THAT(expression.problem(), HasSubstr("must be an expression"));
  const SuiteError check = rejected(
      one_step_suite("      - step: read_registers\n"
                     "        expect:\n"
                     "          - {field: cap_mqes, printable: true}\n"));
  EXPECT_EQ(check.mark().str(), "t.yaml:13:13");
  EXPECT_THAT(check.problem(), HasSubstr("'printable' does not apply to cap_mqes"));
}

TEST(SuiteLoader, RejectsMissingRequiredFields) {
  EXPECT_THAT(error_at(one_step_suite("      - step: identify_raw\n")),
              ::testing::StartsWith("t.yaml:11:9: step identify_raw needs 'cns'"));
  const std::string no_spec =
      "suite: t\narea: a\ndescription: d\nspec: [x]\ncases:\n  - id: A\n    title: t\n"
      "    state: admin\n    steps:\n      - step: read_registers\n";
  const SuiteError e = rejected(no_spec);
  EXPECT_THAT(e.problem(), HasSubstr("case A has no 'spec'"));
  EXPECT_EQ(e.mark().str(), "t.yaml:6:5");
}

TEST(SuiteLoader, RejectsOutOfRangeConstants) {
  EXPECT_THAT(error_at(one_step_suite("      - step: read_registers\n", "    admin_queue: {entries: 1}\n")),
              ::testing::StartsWith("t.yaml:10:28: admin_queue entries = 1 is out of range: expected 2..4096"));
  EXPECT_THAT(
      error_at(one_step_suite("      - step: admin_command\n        opcode: 0x100\n")),
      ::testing::StartsWith("t.yaml:12:17: 'opcode' of step admin_command = 256 is out of range: expected 0..255"));
  EXPECT_THAT(error_at(one_step_suite("      - step: read_registers\n", "    timeout: 0\n")),
              ::testing::StartsWith("t.yaml:10:14: timeout (seconds) = 0 is out of range: expected 1..3600"));
}

// Constant arguments no command can carry are refused at load, where they are.
TEST(SuiteLoader, RejectsConstantStepArgumentsNoCommandCanCarry) {
  EXPECT_THAT(error_at(one_step_suite("      - step: read\n        blocks: 70000\n        mode: once\n")),
              ::testing::StartsWith("t.yaml:12:17: 'blocks' of step read: 70000 blocks in mode once is more than one "
                                    "Read carries: expected 1..65536"));
  EXPECT_THAT(error_at(one_step_suite("      - step: read\n        buffer_offset: 3\n")),
              ::testing::StartsWith("t.yaml:12:24: 'buffer_offset' of step read = 3 is not a multiple of 4"));
  EXPECT_THAT(error_at(one_step_suite("      - step: identify_controller\n        buffer_offset: 2 * 3\n")),
              ::testing::StartsWith("t.yaml:12:24: 'buffer_offset' of step identify_controller = 6 is not a multiple"));
  EXPECT_THAT(error_at(one_step_suite("      - step: read_offset_sweep\n        from: 100\n        to: 8\n")),
              ::testing::StartsWith("t.yaml:12:15: 'from' of step read_offset_sweep: the PRP1 offset range 100..8 is "
                                    "empty: expected from <= to"));
  EXPECT_THAT(error_at(one_step_suite("      - step: admin_burst\n        count: 8\n"
                                      "        command: identify\n        batch: 4\n")),
              ::testing::StartsWith("t.yaml:14:16: 'batch' of step admin_burst: command: identify moves data and runs "
                                    "one at a time: use batch: 1"));
  // Values that depend on the device load; the steps check them when they run.
  EXPECT_NO_THROW(load_suite_text(one_step_suite("      - step: read\n        blocks: nsze\n        mode: once\n"
                                                 "        buffer_offset: page_size - 4\n"),
                                  "t.yaml", "t"));
}

TEST(SuiteLoader, RejectsDuplicateCaseIds) {
  std::string text = one_step_suite("      - step: read_registers\n");
  text += "  - id: T-1\n    title: again\n    spec: x\n    state: admin\n    steps:\n      - step: read_registers\n";
  const SuiteError e = rejected(text);
  EXPECT_THAT(e.problem(), HasSubstr("duplicate case id 'T-1'"));
  EXPECT_EQ(e.mark().line, 12);
}

TEST(SuiteLoader, RejectsUnknownExpressionVariablesPointingAtThem) {
  const SuiteError e = rejected(one_step_suite("      - step: read\n        slba: nsze - nsz\n"));
  EXPECT_EQ(e.mark().line, 12);
  EXPECT_EQ(e.mark().column, 22);  // the 'n' of nsz
  EXPECT_THAT(e.problem(), HasSubstr("unknown variable 'nsz'"));
  EXPECT_THAT(e.problem(), HasSubstr("nsze"));
}

TEST(SuiteLoader, RejectsBadExpressionsAndStatuses) {
  EXPECT_THAT(rejected(one_step_suite("      - step: read\n        slba: \"nsze -\"\n")).problem(),
              HasSubstr("bad 'slba' of step read"));
  EXPECT_THAT(rejected(one_step_suite("      - step: read\n        expect:\n          - status: [0/80x]\n")).problem(),
              HasSubstr("'0/80x' is not a status"));
  EXPECT_THAT(rejected(one_step_suite("      - step: read\n        expect:\n          - status: []\n")).problem(),
              HasSubstr("empty accept-set"));
}

TEST(SuiteLoader, RejectsSameAsWithoutAnEarlierSave) {
  EXPECT_THAT(rejected(one_step_suite("      - step: read\n        expect:\n          - {field: data, same_as: x}\n"))
                  .problem(),
              HasSubstr("nothing is saved as 'x'"));
  EXPECT_THAT(rejected(one_step_suite("      - step: read_registers\n        save: x\n")).problem(),
              HasSubstr("reads no data"));
}

TEST(SuiteLoader, RejectsASuiteNamedUnlikeItsFile) {
  const SuiteError e = rejected(one_step_suite("      - step: read_registers\n").replace(7, 1, "u"));
  EXPECT_THAT(e.problem(), HasSubstr("expected suite: t"));
}

TEST(SuiteLoader, RejectsTwoChecksInOneExpectation) {
  EXPECT_THAT(rejected(one_step_suite("      - step: read_registers\n"
                                      "        expect:\n"
                                      "          - {field: cap_mqes, ge: 1, le: 5}\n"))
                  .problem(),
              HasSubstr("one check per expectation"));
}

// Every shipped suite loads, every case cites a spec section, and there are at least 60 cases.
TEST(SuiteLoader, RejectsADuplicateKeyAtItsSecondPlace) {
  // A repeated case key: the first would win silently.
  SuiteError e = rejected(one_step_suite("      - step: identify_controller\n", "    state: io\n"));
  EXPECT_EQ(e.mark().str(), "t.yaml:10:5");
  EXPECT_THAT(e.problem(), HasSubstr("duplicate key 'state' (first at line 9, column 5)"));
  // In a flow mapping, a step's arguments and the suite itself.
  e = rejected(one_step_suite("      - step: identify_controller\n", "    admin_queue: {entries: 4, entries: 8}\n"));
  EXPECT_EQ(e.mark().str(), "t.yaml:10:31");
  e = rejected(one_step_suite("      - step: read\n        blocks: 1\n        blocks: 2\n"));
  EXPECT_EQ(e.mark().str(), "t.yaml:13:9");
  EXPECT_THAT(e.what(), HasSubstr("duplicate key 'blocks'"));
  e = rejected("area: x\n" + one_step_suite("      - step: identify_controller\n"));
  EXPECT_THAT(e.what(), HasSubstr("t.yaml:3:1: duplicate key 'area' (first at line 1, column 1)"));
}

TEST(SuiteLoader, RejectsNestedAliasesAtTheFirstAlias) {
  // A "billion laughs" used as the suite's tags: before the strict reader,
  // walking it for duplicate keys kept `nvqual run` busy for minutes.
  const SuiteError e = rejected(testing_support::nested_aliases("tags") +
                                one_step_suite("      - step: identify_controller\n"));
  EXPECT_EQ(e.mark().str(), "t.yaml:2:10");
  EXPECT_THAT(e.problem(), HasSubstr("YAML alias '*l0': anchors and aliases are not accepted"));
}

TEST(SuiteLoader, RejectsADivisorThatIsAlwaysZero) {
  const SuiteError e = rejected(one_step_suite("      - step: read\n        blocks: nsze / (4 - 4)\n"));
  EXPECT_EQ(e.mark().str(), "t.yaml:12:22");
  EXPECT_THAT(e.problem(), HasSubstr("divides by zero whatever the device reports"));
  // Zero for every device even though it reads device values.
  for (const char* divisor : {"(mdts - mdts)", "(nn ^ nn)", "(0 * nsze)", "(nsze & 0)", "min(mdts, 0)",
                              "((mdts - mdts) << 3)", "(nsze < nsze)"}) {
    const SuiteError z = rejected(
        one_step_suite(std::string("      - step: read\n        slba: nsze / ") + divisor + "\n"));
    EXPECT_EQ(z.mark().str(), "t.yaml:12:20") << divisor;
    EXPECT_THAT(z.problem(), HasSubstr("divides by zero whatever the device reports")) << divisor;
  }
  // A divisor that is zero only on some devices loads (and is an input error there).
  EXPECT_NO_THROW(
      load_suite_text(one_step_suite("      - step: read\n        slba: nsze / (mdts - nn)\n"), "t.yaml", "t"));
}

TEST(SuiteLoader, RejectsQueueSettingsThatUseValuesNotYetComputed) {
  SuiteError e = rejected(
      one_step_suite("      - step: identify_controller\n", "    admin_queue: {entries: admin_cq_entries}\n"));
  EXPECT_EQ(e.mark().str(), "t.yaml:10:28");
  EXPECT_THAT(e.problem(), HasSubstr("'admin_cq_entries' cannot be used in admin_queue entries"));
  e = rejected(one_step_suite("      - step: identify_controller\n", "    admin_queue: {entries: 2 + iteration}\n"));
  EXPECT_EQ(e.mark().str(), "t.yaml:10:32");
  // io_queues.count may use the admin settings, not its own entries.
  const std::string io = "    io_queues: {count: io_queue_entries / 8}\n";
  std::string text = one_step_suite("      - step: identify_controller\n", io);
  text.replace(text.find("state: admin"), std::string("state: admin").size(), "state: io");
  e = rejected(text);
  EXPECT_THAT(e.problem(), HasSubstr("'io_queue_entries' cannot be used in io_queues count"));
  // requires/skip_if run before the case: no iteration there.
  e = rejected(one_step_suite("      - step: identify_controller\n",
                              "    skip_if:\n      - {when: iteration == 0, reason: never}\n"));
  EXPECT_THAT(e.problem(), HasSubstr("'iteration' cannot be used in skip_if when"));
  // What is allowed still loads: a later setting using an earlier one, device values.
  const Suite ok = load_suite_text(
      one_step_suite(
          "      - step: identify_controller\n",
          "    admin_queue: {entries: \"min(4096, max_queue_entries)\", cq_entries: admin_sq_entries / 2}\n"),
      "t.yaml", "t");
  EXPECT_EQ(ok.cases[0].admin_cq_entries.text(), "admin_sq_entries / 2");
}

TEST(SuiteLoader, RejectsConstantQueueSettingsOutOfRangeEvenWhenComputed) {
  const SuiteError e = rejected(
      one_step_suite("      - step: identify_controller\n", "    admin_queue: {entries: 2 * 4096}\n"));
  EXPECT_EQ(e.mark().str(), "t.yaml:10:28");
  EXPECT_THAT(e.problem(), HasSubstr("admin_queue entries = 8192 is out of range: expected 2..4096"));
}

TEST(ShippedSuites, AllLoadAndCiteTheSpec) {
  size_t cases = 0;
  const auto files = list_suite_files(NVQUAL_SOURCE_DIR "/suites");
  ASSERT_FALSE(files.empty());
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    const Suite suite = load_suite_file(file);
    for (const Case& c : suite.cases) {
      EXPECT_FALSE(c.spec.empty()) << c.id;
      EXPECT_TRUE(c.spec.rfind("Base 2.0 ", 0) == 0 || c.spec.rfind("NVM 1.0 ", 0) == 0)
          << c.id << " cites '" << c.spec << "': write 'Base 2.0 <section>' or 'NVM 1.0 <section>'";
    }
    // Only data_integrity writes; its cases carry that, so they skip without the opt-in.
    EXPECT_EQ(suite.media_changes, suite.name == "data_integrity") << suite.name;
    for (const Case& c : suite.cases) EXPECT_EQ(c.changes_media, suite.media_changes) << c.id;
    cases += suite.cases.size();
  }
  EXPECT_GE(cases, 161u);
}

TEST(ShippedSuites, ResolveByName) {
  EXPECT_EQ(resolve_suite("identify", NVQUAL_SOURCE_DIR "/suites").filename(), "identify.yaml");
  EXPECT_THROW(resolve_suite("no_such_suite", NVQUAL_SOURCE_DIR "/suites"), SuiteError);
}

}  // namespace
}  // namespace nvqual::harness
