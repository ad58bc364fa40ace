// Profile loading: the shipped profiles, the embedded default, and every kind
// of error reported with file:line:column.
#include <filesystem>
#include <fstream>
#include <regex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/nested_aliases.hpp"
#include "nvqual/sim/profile.hpp"
#include "support/raw_host.hpp"

namespace nvqual::sim {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// The smallest valid profile; tests replace one line to break it.
constexpr const char* kMinimal =
    "name: t\n"                          // 1
    "registers:\n"                       // 2
    "  mqes: 63\n"                       // 3
    "  to: 10\n"                         // 4
    "  mpsmin: 0\n"                      // 5
    "  mpsmax: 0\n"                      // 6
    "  version: \"1.4\"\n"               // 7
    "controller:\n"                      // 8
    "  vid: 0x1234\n"                    // 9
    "  serial: \"S1\"\n"                 // 10
    "  model: \"M\"\n"                   // 11
    "  firmware: \"F\"\n"                // 12
    "  mdts: 0\n"                        // 13
    "namespaces:\n"                      // 14
    "  - nsid: 1\n"                      // 15
    "    size_blocks: 1024\n"            // 16
    "    formats: [{data_size: 512}]\n"  // 17
    "    content: stamp\n";              // 18

std::string replace_line(std::string text, int line, const std::string& replacement) {
  size_t start = 0;
  for (int i = 1; i < line; ++i) start = text.find('\n', start) + 1;
  const size_t end = text.find('\n', start);
  return text.replace(start, end - start, replacement);
}

std::string error_of(const std::string& text) {
  try {
    parse_profile(text, "bad.yaml");
  } catch (const ProfileError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ProfileError for:\n" << text;
  return "";
}

TEST(Profile, MinimalProfileLoadsWithDocumentedDefaults) {
  const Profile p = parse_profile(kMinimal, "min.yaml");
  EXPECT_EQ(p.name, "t");
  EXPECT_EQ(p.registers.mqes, 63);
  EXPECT_EQ(p.registers.vs, 0x00010400u);
  EXPECT_TRUE(p.registers.cqr);
  EXPECT_EQ(p.controller.vid, 0x1234);
  EXPECT_EQ(p.controller.ssvid, 0x1234);  // defaults to VID
  EXPECT_EQ(p.controller.ver, p.registers.vs);
  EXPECT_EQ(p.controller.nn, 1u);  // derived from the largest NSID
  ASSERT_EQ(p.namespaces.size(), 1u);
  EXPECT_EQ(p.namespaces[0].capacity_blocks, 1024u);
  EXPECT_EQ(p.namespaces[0].utilization_blocks, 1024u);
  EXPECT_EQ(p.namespaces[0].lba_size(), 512u);
  EXPECT_EQ(p.timing, TimingProfile{});
  EXPECT_TRUE(p.faults.empty());
}

TEST(Profile, EmbeddedDefaultEqualsTheShippedFile) {
  const Profile embedded = default_profile();
  const Profile file = load_profile(profile_directory() / "default.yaml");
  EXPECT_TRUE(embedded == file);
  EXPECT_EQ(embedded.name, "default");
  ASSERT_EQ(embedded.namespaces.size(), 1u);
  EXPECT_EQ(embedded.namespaces[0].lba_size(), 512u);
  EXPECT_EQ(embedded.namespaces[0].content, Content::kStamp);
  EXPECT_EQ(embedded.namespaces[0].size_blocks * 512, uint64_t{1} << 30);
}

TEST(Profile, EveryShippedProfileLoadsAndOnlyFaultProfilesHaveFaults) {
  size_t count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(profile_directory())) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().string());
    const Profile p = load_profile(entry.path());
    EXPECT_EQ(p.name, entry.path().stem().string());
    EXPECT_FALSE(p.description.empty());
    if (entry.path().parent_path().filename() != "faults") {
      EXPECT_TRUE(p.faults.empty());
    }
    ++count;
  }
  EXPECT_GE(count, 20u);
}

TEST(Profile, ShippedVariantsSayWhatTheirNamesSay) {
  EXPECT_EQ(sim_test::fixture("4k.yaml").namespaces.at(0).lba_size(), 4096u);
  EXPECT_EQ(sim_test::fixture("mdts0.yaml").controller.mdts, 0);
  EXPECT_EQ(sim_test::fixture("mdts2.yaml").controller.mdts, 2);
  EXPECT_EQ(sim_test::fixture("one-ioqpair.yaml").queues.max_io_queues, 1);
  const Profile multi = sim_test::fixture("multi-ns.yaml");
  ASSERT_EQ(multi.namespaces.size(), 3u);
  EXPECT_EQ(multi.controller.nn, 4u);
  EXPECT_NE(multi.namespaces[0].size_blocks, multi.namespaces[1].size_blocks);
  EXPECT_NE(multi.namespaces[0].lba_size(), multi.namespaces[1].lba_size());
  EXPECT_TRUE(multi.namespaces[2].uuid.has_value());
}

TEST(Profile, FaultEntriesParseIntoTheirTypes) {
  const auto fault_of = [](const char* file) { return sim_test::fixture(std::string("faults/") + file).faults.at(0); };
  EXPECT_TRUE(std::holds_alternative<NeverReadyFault>(fault_of("never-ready.yaml")));
  EXPECT_EQ(std::get<FatalStatusFault>(fault_of("cfs-at-enable.yaml")).after_commands, std::nullopt);
  EXPECT_EQ(std::get<FatalStatusFault>(fault_of("cfs-after-commands.yaml")).after_commands, 5u);
  EXPECT_EQ(std::get<AllOnesFault>(fault_of("all-ones.yaml")).after_commands, 0u);
  const auto sqid = std::get<WrongSqidFault>(fault_of("wrong-sqid.yaml"));
  EXPECT_EQ(sqid.sqid, 7);
  EXPECT_EQ(sqid.match, (CommandMatch{QueueKind::kIo, uint8_t{0x02}, 1, std::nullopt, std::nullopt, {}}));
  const auto status = std::get<StatusFault>(fault_of("identify-status-error.yaml"));
  EXPECT_EQ(status.sct, 0);
  EXPECT_EQ(status.sc, 0x06);
  EXPECT_TRUE(status.dnr);
  EXPECT_EQ(status.match.queue, QueueKind::kAdmin);
  const auto serial = std::get<CorruptIdentifyFault>(fault_of("corrupt-identify-serial.yaml"));
  EXPECT_EQ(serial.page, IdentifyPage::kController);
  EXPECT_EQ(serial.offset, 4);
  const auto read = std::get<CorruptReadFault>(fault_of("corrupt-read-data.yaml"));
  EXPECT_EQ(read.lbas, (std::vector<uint64_t>{0, 4096, 2097151}));
  EXPECT_EQ(read.xor_mask, 0xFF);
  EXPECT_EQ(sim_test::fixture("faults/late-ready.yaml").timing.ready_latency, std::chrono::microseconds(4'500'000));
}

TEST(ProfileErrors, YamlSyntaxErrorNamesFileLineAndColumn) {
  const std::string message = error_of(replace_line(kMinimal, 11, "  model: [unclosed"));
  EXPECT_THAT(message, StartsWith("bad.yaml:12:"));
  EXPECT_THAT(message, HasSubstr("YAML syntax error"));
  EXPECT_THAT(message, HasSubstr("; expected well-formed YAML"));
}

TEST(ProfileErrors, UnknownKeyIsReportedWhereItIs) {
  const std::string message = error_of(replace_line(kMinimal, 4, "  to: 10\n  colour: blue"));
  EXPECT_THAT(message, StartsWith("bad.yaml:5:3: unknown key 'registers.colour'; expected one of:"));
  EXPECT_THAT(message, HasSubstr("mqes"));
}

TEST(ProfileErrors, UnknownTopLevelKey) {
  EXPECT_THAT(error_of(std::string(kMinimal) + "extras: 1\n"), StartsWith("bad.yaml:19:1: unknown key 'extras'"));
}

TEST(ProfileErrors, WrongTypeNamesTheFieldAndTheExpectedType) {
  EXPECT_EQ(error_of(replace_line(kMinimal, 3, "  mqes: many")),
            "bad.yaml:3:9: registers.mqes is 'many', not an integer; expected an integer from 1 to 65535 (decimal "
            "or 0x hex)");
  EXPECT_THAT(error_of(std::string(kMinimal) + "queues: [1, 2]\n"),
              StartsWith("bad.yaml:19:9: queues is a list; expected a mapping"));
  EXPECT_THAT(error_of(replace_line(kMinimal, 18, "    content: 7")),
              StartsWith("bad.yaml:18:14: namespaces[0].content is neither 'stamp' nor a mapping"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "queues:\n  max_io_queues: true\n"),
              StartsWith("bad.yaml:20:18: queues.max_io_queues is 'true', not an integer"));
}

TEST(ProfileErrors, OutOfRangeValues) {
  EXPECT_EQ(error_of(replace_line(kMinimal, 3, "  mqes: 70000")),
            "bad.yaml:3:9: registers.mqes is 70000, out of range; expected an integer from 1 to 65535");
  EXPECT_THAT(error_of(replace_line(kMinimal, 6, "  mpsmax: 16")), StartsWith("bad.yaml:6:11: registers.mpsmax is 16"));
  EXPECT_THAT(error_of(replace_line(kMinimal, 5, "  mpsmin: 2")),
              StartsWith("bad.yaml:6:11: registers.mpsmax is below mpsmin"));
  EXPECT_THAT(error_of(replace_line(kMinimal, 17, "    formats: [{data_size: 1000}]")),
              StartsWith("bad.yaml:17:27: namespaces[0].formats[0].data_size is 1000; expected a power of two"));
  EXPECT_THAT(error_of(replace_line(kMinimal, 10, "  serial: \"123456789012345678901\"")),
              StartsWith("bad.yaml:10:11: controller.serial has 21 characters"));
  EXPECT_THAT(error_of(replace_line(kMinimal, 7, "  version: \"2\"")),
              StartsWith("bad.yaml:7:12: registers.version is '2'"));
}

TEST(ProfileErrors, MissingFieldPointsAtItsMapping) {
  EXPECT_EQ(error_of(replace_line(kMinimal, 13, "")),
            "bad.yaml:9:3: missing field 'controller.mdts'; expected 'mdts' in controller");
  EXPECT_THAT(error_of(replace_line(kMinimal, 1, "")), StartsWith("bad.yaml:2:1: missing field 'name'"));
}

TEST(Profile, DataFaultsAndNarrowMatchesParse) {
  const Profile p = parse_profile(
      std::string(kMinimal) +
          "faults:\n"
          "  - {type: bad-read-transfer, effect: xor, every: 3, qid: 2, byte: 7, xor: 0x0F}\n"
          "  - {type: prp1-only, queue: admin}\n"
          "  - {type: stale-sqhd-after-reset}\n"
          "  - {type: overstate-queues, extra: 2}\n"
          "  - type: status\n"
          "    opcode: 0x05\n"
          "    nsid: 0\n"
          "    fuse: 1\n"
          "    cdw10: {value: 0, mask: 0xFFFF}\n"
          "    cdw12: 7\n"
          "    status: \"01/02\"\n",
      "ok.yaml");
  ASSERT_EQ(p.faults.size(), 5u);
  const auto bad = std::get<BadReadTransferFault>(p.faults[0]);
  EXPECT_EQ(bad, (BadReadTransferFault{ReadTransferEffect::kXor, 3, 2, 7, 0x0F}));
  EXPECT_EQ(std::get<Prp1OnlyFault>(p.faults[1]).queue, QueueKind::kAdmin);
  EXPECT_TRUE(std::holds_alternative<StaleSqhdAfterResetFault>(p.faults[2]));
  EXPECT_EQ(std::get<OverstateQueuesFault>(p.faults[3]).extra, 2);
  const CommandMatch m = std::get<StatusFault>(p.faults[4]).match;
  EXPECT_EQ(m.nsid, 0u);
  EXPECT_EQ(m.fuse, 1);
  EXPECT_EQ(m.dwords, (std::vector<DwordMatch>{{10, 0, 0xFFFF}, {12, 7, 0xFFFFFFFF}}));
  EXPECT_THAT(error_of(std::string(kMinimal) + "faults:\n  - {type: bad-read-transfer, effect: drop}\n"),
              HasSubstr("faults[0].effect is 'drop'; expected skip, xor or drop-prp1-offset"));
  EXPECT_THAT(
      error_of(std::string(kMinimal) + "faults:\n  - {type: status, cdw10: {value: 1, bits: 2}, status: \"00/02\"}\n"),
      HasSubstr("bits"));
}

TEST(ProfileErrors, CrossFieldRulesPointAtTheOffendingValue) {
  const std::string two = std::string(kMinimal) +
                          "  - nsid: 1\n"  // 19
                          "    size_blocks: 8\n"
                          "    formats: [{data_size: 512}]\n"
                          "    content: stamp\n";
  EXPECT_THAT(error_of(two), StartsWith("bad.yaml:19:11: namespaces[1].nsid 1 repeats"));
  const std::string nn = replace_line(kMinimal, 13, "  mdts: 0\n  nn: 0x0\n");
  EXPECT_NO_THROW(parse_profile(nn, "ok.yaml"));
  const std::string fault = std::string(kMinimal) +
                            "faults:\n"                 // 19
                            "  - type: corrupt-read\n"  // 20
                            "    nsid: 1\n"             // 21
                            "    lbas: [5, 1024]\n";    // 22
  EXPECT_THAT(error_of(fault),
              StartsWith("bad.yaml:22:15: faults[0].lbas[1] is beyond the namespace; expected an LBA below 1024"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "faults:\n  - type: explode\n"),
              StartsWith("bad.yaml:20:11: unknown fault type 'explode'; expected one of: never-ready"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "faults:\n  - type: status\n    status: \"0/0\"\n"),
              StartsWith("bad.yaml:21:13: faults[0].status is success"));
}

TEST(ProfileErrors, DuplicateKeysAreRejected) {
  EXPECT_THAT(error_of(replace_line(kMinimal, 4, "  to: 10\n  to: 11")),
              StartsWith("bad.yaml:5:3: duplicate key 'to' (first at line 4, column 3): a key may appear once"));
  // Inside a fault too: the second status would be lost, not used.
  EXPECT_THAT(error_of(std::string(kMinimal) + "faults:\n  - {type: status, status: \"00/06\", status: \"00/07\"}\n"),
              StartsWith("bad.yaml:20:37: duplicate key 'status' (first at line 20, column 20)"));
}

// The strict reader suites and model profiles use: one document, closed quotes, no aliases.
TEST(ProfileErrors, ASecondDocumentIsRejected) {
  // yaml-cpp's Load() would silently drop it.
  EXPECT_EQ(error_of(std::string(kMinimal) + "---\nname: other\n"),
            "bad.yaml:20:1: a second YAML document: a simulator profile is one document; remove the '---' and what "
            "follows, or put it in a file of its own");
  EXPECT_THAT(error_of(std::string(kMinimal) + "---\n"), StartsWith("bad.yaml:19:1: a second YAML document"));
}

TEST(ProfileErrors, AQuotedScalarWithNoClosingQuoteIsRejected) {
  EXPECT_THAT(error_of(std::string(kMinimal) + "description: \"open\n"),
              StartsWith("bad.yaml:19:14: YAML syntax error: the quoted scalar starting here has no closing \""));
}

TEST(ProfileErrors, NestedAliasesAreRejectedAtTheFirstAlias) {
  // A "billion laughs": walking the tree yaml-cpp builds would visit 10^9 nodes.
  EXPECT_THAT(error_of(testing_support::nested_aliases("description") + kMinimal),
              StartsWith(std::string("bad.yaml") + testing_support::kFirstAliasError));
}

TEST(ProfileErrors, StatusTextIsReadAsSuitesReadIt) {
  EXPECT_EQ(error_of(std::string(kMinimal) + "faults:\n  - {type: status, status: \"8/00\"}\n"),
            "bad.yaml:20:28: faults[0].status is '8/00'; expected SCT/SC in hex with SCT 0-7, e.g. 00/80");
  EXPECT_THAT(error_of(std::string(kMinimal) + "faults:\n  - {type: status, status: \"00/100\"}\n"),
              HasSubstr("faults[0].status is '00/100'"));
  const Profile p = parse_profile(std::string(kMinimal) + "faults:\n  - {type: status, status: 2/81, dnr: false}\n",
                                  "ok.yaml");
  const auto status = std::get<StatusFault>(p.faults.at(0));
  EXPECT_EQ(status.sct, 2);
  EXPECT_EQ(status.sc, 0x81);
  EXPECT_FALSE(status.dnr);
}

class TempDir {
 public:
  TempDir()
      : path_(std::filesystem::temp_directory_path() /
              ("nvqual-sim-profile-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
  }

 private:
  std::filesystem::path path_;
};

TEST(ProfileFiles, LoadErrorsNameThePathOfTheFile) {
  TempDir dir;
  dir.write("broken.yaml", replace_line(kMinimal, 3, "  mqes: 0"));
  try {
    load_profile(dir.path() / "broken.yaml");
    FAIL() << "no error";
  } catch (const ProfileError& e) {
    EXPECT_THAT(e.what(),
                StartsWith((dir.path() / "broken.yaml").string() + ":3:9: registers.mqes is 0, out of range"));
  }
  EXPECT_THROW(load_profile(dir.path() / "absent.yaml"), ProfileError);
}

TEST(ProfileFiles, BackingFileIsFoundRelativeToTheProfile) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "images");
  dir.write("images/disk.img", std::string(512 * 40 + 100, 'x'));
  dir.write("file.yaml", replace_line(replace_line(kMinimal, 18, "    content: {file: images/disk.img}"), 16, ""));
  const Profile p = load_profile(dir.path() / "file.yaml");
  ASSERT_EQ(p.namespaces.size(), 1u);
  EXPECT_EQ(p.namespaces[0].content, Content::kFile);
  EXPECT_EQ(p.namespaces[0].backing_file, std::filesystem::absolute(dir.path() / "images/disk.img"));
  EXPECT_EQ(p.namespaces[0].size_blocks, 40u);  // whole blocks of the file

  dir.write("missing.yaml", replace_line(kMinimal, 18, "    content: {file: images/none.img}"));
  try {
    load_profile(dir.path() / "missing.yaml");
    FAIL() << "no error";
  } catch (const ProfileError& e) {
    EXPECT_THAT(e.what(), HasSubstr("missing.yaml:18:21: backing file"));
    EXPECT_THAT(e.what(), HasSubstr("cannot be read"));
  }
  dir.write("large.yaml", replace_line(kMinimal, 18, "    content: {file: images/disk.img}"));
  try {
    load_profile(dir.path() / "large.yaml");
    FAIL() << "no error";
  } catch (const ProfileError& e) {
    EXPECT_THAT(e.what(), HasSubstr("large.yaml:16:18: namespaces[0].size_blocks is larger than the backing file"));
  }
}

TEST(ProfileValidation, ProfilesBuiltInCodeAreCheckedByTheSimulator) {
  Profile p = default_profile();
  p.registers.mpsmin = 3;
  p.registers.mpsmax = 2;
  try {
    SimulatedController sim(p);
    FAIL() << "no error";
  } catch (const ProfileError& e) {
    EXPECT_THAT(e.what(), StartsWith("profile default: registers.mpsmin/mpsmax are 3/2; expected"));
  }
  p = default_profile();
  p.faults.push_back(CorruptReadFault{1, {p.namespaces[0].size_blocks}, 0, 0xFF});
  EXPECT_THROW(SimulatedController{p}, ProfileError);
  p = default_profile();
  p.namespaces.push_back(p.namespaces[0]);
  EXPECT_THROW(SimulatedController{p}, ProfileError);  // NSID 1 twice
  p = default_profile();
  p.namespaces[0].nsid = 2;  // above NN 1
  EXPECT_THROW(SimulatedController{p}, ProfileError);
}

}  // namespace
}  // namespace nvqual::sim
