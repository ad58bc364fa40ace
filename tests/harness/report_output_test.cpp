// Reports survive whatever bytes a device or a suite supplies: the shared
// sanitiser, both writers together, and one writer failing without costing the
// other its report.
#include "nvqual/harness/report_output.hpp"

#include <fstream>
#include <iterator>
#include <stdexcept>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "nvqual/harness/json_reporter.hpp"
#include "nvqual/harness/junit_reporter.hpp"
#include "nvqual/harness/suite_loader.hpp"
#include "nvqual/sim/profile.hpp"
#include "support/sim_run.hpp"
#include "support/suite_text.hpp"
#include "common/xml_schema.hpp"

namespace nvqual::harness {
namespace {

using ::testing::HasSubstr;

std::filesystem::path temp_path(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("nvqual-report-output-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(XmlSafe, KeepsOnlyXmlCharactersOfStrictUtf8) {
  EXPECT_EQ(xml_safe("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(xml_safe("\xef\xbf\xbd"), "\xef\xbf\xbd");              // U+FFFD is a character
  EXPECT_EQ(xml_safe("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // surrogate U+D800
  EXPECT_EQ(xml_safe("\xed\xbf\xbf"), "\\xed\\xbf\\xbf");           // surrogate U+DFFF
  EXPECT_EQ(xml_safe("\xef\xbf\xbf"), "\\xef\\xbf\\xbf");           // U+FFFF
  EXPECT_EQ(xml_safe("\xef\xbf\xbe"), "\\xef\\xbf\\xbe");           // U+FFFE
  EXPECT_EQ(xml_safe("\xc0\xaf"), "\\xc0\\xaf");                    // overlong '/'
  EXPECT_EQ(xml_safe("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");           // overlong, 3 bytes
  EXPECT_EQ(xml_safe("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // U+110000
  EXPECT_EQ(xml_safe("\xf8\x88\x80\x80\x80"), "\\xf8\\x88\\x80\\x80\\x80");
  EXPECT_EQ(xml_safe("\xc2\x85"), "\\xc2\\x85");  // C1 control NEL
  EXPECT_EQ(xml_safe("a\x7f"
                     "b\x1b"),
            "a\\x7fb\\x1b");
  EXPECT_EQ(xml_safe("\xe2\x82"), "\\xe2\\x82");  // truncated
  EXPECT_EQ(xml_safe("\xe2"
                     "A"),
            "\\xe2"
            "A");  // the byte after a bad lead is kept
}

TEST(TerminalSafe, AlsoEscapesWhatWouldLeaveTheLine) {
  EXPECT_EQ(terminal_safe("SN\tX\nY\rZ"), "SN\\x09X\\x0aY\\x0dZ");
  EXPECT_EQ(terminal_safe("\x1b[2J"), "\\x1b[2J");  // no escape sequence reaches the terminal
  EXPECT_EQ(terminal_safe("caf\xc3\xa9"), "caf\xc3\xa9");
}

TEST(WriteFileAtomically, WritesTheContentAndLeavesNoTemporary) {
  const auto path = temp_path("atomic.txt");
  write_file_atomically(path, "first");
  write_file_atomically(path, "second");
  EXPECT_EQ(read(path), "second");
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
  EXPECT_THROW(write_file_atomically(temp_path("no-such-dir") / "x" / "y.txt", "z"), std::runtime_error);
}

// Both reports of one run, written through one repeater as nvqual run does.
struct BothReports {
  std::filesystem::path xml;
  std::filesystem::path json;
};

BothReports run_with_both_reports(const sim::Profile& profile, const std::vector<Suite>& suites,
                                  const std::string& stem) {
  BothReports out{temp_path(stem + ".xml"), temp_path(stem + ".json")};
  JunitReporter junit(out.xml);
  JsonReporter json(out.json);
  ListenerRepeater reports;
  reports.add(junit);
  reports.add(json);
  testing::run_on_simulator(profile, suites, testing::quick_options(), &reports);
  return out;
}

void expect_valid(const BothReports& r) {
  ASSERT_TRUE(std::filesystem::exists(r.xml));
  ASSERT_TRUE(std::filesystem::exists(r.json));
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_file(r.xml.c_str())) << read(r.xml);
  testing_schema::expect_valid_against(r.xml, "junit-windyroad.xsd");
  testing_schema::expect_valid_against(r.xml, "junit-jenkins-10.xsd");
  nlohmann::json report;
  EXPECT_NO_THROW(report = nlohmann::json::parse(read(r.json))) << read(r.json);
  EXPECT_TRUE(report.is_object()) << read(r.json);
}

TEST(Reports, ADeviceSerialThatIsNotXmlTextStillGivesBothReports) {
  const sim::Profile profile = sim::load_profile(NVQUAL_SOURCE_DIR
                                                 "/fixtures/sim/faults/harness-identify-serial-bad-utf8.yaml");
  const auto r = run_with_both_reports(profile, {load_suite_file(NVQUAL_SOURCE_DIR "/suites/identify.yaml")}, "serial");
  expect_valid(r);
  EXPECT_THAT(read(r.xml), HasSubstr("NVQS\\xed\\xa0\\x80\\xef\\xbf\\xbf"));
  const auto json = nlohmann::json::parse(read(r.json));
  EXPECT_THAT(json["target"]["serial"].get<std::string>(), HasSubstr("NVQS\\xed\\xa0\\x80\\xef\\xbf\\xbf0001"));
}

TEST(Reports, ASuiteTitleWithUFFFFStillGivesBothReports) {
  const Suite suite = load_suite_text(
      "suite: t\narea: test\ndescription: d\nspec: [x]\ncases:\n"
      "  - id: T-1\n    title: \"odd \\uFFFF title\"\n    spec: Base 2.0 1\n    state: admin\n    steps:\n"
      "      - step: identify_controller\n",
      "t.yaml", "t");
  const auto r = run_with_both_reports(sim::default_profile(), {suite}, "title");
  expect_valid(r);
  EXPECT_THAT(read(r.xml), HasSubstr("odd \\xef\\xbf\\xbf title"));
}

class ThrowingListener final : public RunListener {
 public:
  void on_run_end(const RunSummary&) override { throw std::runtime_error("cannot write broken.json: disk full"); }
};

TEST(Reports, OneReportThatCannotBeWrittenDoesNotStopTheOther) {
  const auto xml = temp_path("survivor.xml");
  JunitReporter junit(xml);
  ThrowingListener before;
  ThrowingListener after;
  ListenerRepeater reports;
  reports.add(before);
  reports.add(junit);
  reports.add(after);  // end events go in reverse: this one throws first
  try {
    testing::run_on_simulator(sim::default_profile(), {}, testing::quick_options(), &reports);
    ADD_FAILURE() << "the failures were not reported";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot write broken.json: disk full; cannot write broken.json: disk full");
  }
  EXPECT_TRUE(std::filesystem::exists(xml));
}

}  // namespace
}  // namespace nvqual::harness
