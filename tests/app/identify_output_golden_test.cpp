// The Identify presentations, byte for byte: `nvqual identify` against the
// simulator (text and --json, controller and namespace) and the two
// presentations and the re-encoding of pages whose every byte is set, compared with files under
// tests/app/golden/. The goldens were captured before the field table drove
// the output; a difference is a change of the tool's output, which
// ci/qemu/e2e compares with nvme-cli's.
//
// To re-capture after an intended change: NVQUAL_UPDATE_GOLDENS=1 and run the
// test once, then review the diff of tests/app/golden/.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "identify_json.hpp"
#include "identify_print.hpp"
#include "nvqual/driver/identify.hpp"
#include "support/run_cli.hpp"

namespace nvqual {
namespace {

using testing_support::run_cli;
using testing_support::slurp;

std::filesystem::path golden_path(const std::string& name) {
  return std::filesystem::path(NVQUAL_SOURCE_DIR) / "tests/app/golden" / name;
}

void expect_matches_golden(const std::string& actual, const std::string& name) {
  const auto path = golden_path(name);
  if (std::getenv("NVQUAL_UPDATE_GOLDENS") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    GTEST_SKIP() << "re-captured " << path;
  }
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing; capture it with NVQUAL_UPDATE_GOLDENS=1";
  EXPECT_EQ(actual, slurp(path)) << "output differs from " << path;
}

// What `identify --json` prints (cmd_identify.cpp): bytes that are not UTF-8 become U+FFFD.
std::string json_text(const nlohmann::json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// A page whose bytes all differ from their neighbours, so a field read from
// the wrong offset or width, or shown in the wrong form, changes the output.
std::vector<std::byte> patterned_page() {
  std::vector<std::byte> page(kIdentifyPageSize);
  for (size_t i = 0; i < page.size(); ++i) page[i] = static_cast<std::byte>((i * 37 + 11) & 0xFF);
  return page;
}

// Every bit set: the largest value of every field, 128-bit ones beyond 64 bits.
std::vector<std::byte> all_ones_page() { return std::vector<std::byte>(kIdentifyPageSize, std::byte{0xFF}); }

// The encoder's side: a page parsed and encoded again, as 32 bytes of hex per
// line. Reserved bytes and bits come back zero; every named field keeps its bytes.
std::string hex_dump(const std::vector<std::byte>& page) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < page.size(); ++i) {
    const auto b = std::to_integer<unsigned>(page[i]);
    out.push_back(kDigits[b / 16]);
    out.push_back(kDigits[b % 16]);
    if (i % 32 == 31) out.push_back('\n');
  }
  return out;
}

struct CliCase {
  const char* arguments;
  const char* golden;
};

class IdentifyCliGolden : public ::testing::TestWithParam<CliCase> {};

TEST_P(IdentifyCliGolden, OutputIsUnchanged) {
  const auto r = run_cli(GetParam().arguments);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_matches_golden(r.out, GetParam().golden);
}

struct CliCaseName {
  std::string operator()(const ::testing::TestParamInfo<CliCase>& info) const {
    std::string name = info.param.golden;
    name.erase(name.find('.'), 1);  // "sim_id_ctrl.txt" -> "sim_id_ctrltxt"
    std::erase(name, '_');
    return name;
  }
};

INSTANTIATE_TEST_SUITE_P(Simulator, IdentifyCliGolden,
                         ::testing::Values(CliCase{"identify --sim", "sim_id_ctrl.txt"},
                                           CliCase{"identify --sim --json", "sim_id_ctrl.json"},
                                           CliCase{"identify --sim --nsid 1", "sim_id_ns1.txt"},
                                           CliCase{"identify --sim --nsid 1 --json", "sim_id_ns1.json"}),
                         CliCaseName());

TEST(IdentifyGolden, PatternedControllerPage) {
  const auto ctrl = parse_identify_controller(patterned_page());
  expect_matches_golden(app::format_identify_controller(ctrl), "pattern_id_ctrl.txt");
  expect_matches_golden(json_text(app::identify_controller_json(ctrl)), "pattern_id_ctrl.json");
  expect_matches_golden(hex_dump(encode_identify_controller(ctrl)), "pattern_id_ctrl.hex");
}

TEST(IdentifyGolden, PatternedNamespacePage) {
  const auto ns = parse_identify_namespace(patterned_page());
  expect_matches_golden(app::format_identify_namespace(ns, 7), "pattern_id_ns.txt");
  expect_matches_golden(json_text(app::identify_namespace_json(ns)), "pattern_id_ns.json");
  expect_matches_golden(hex_dump(encode_identify_namespace(ns)), "pattern_id_ns.hex");
}

TEST(IdentifyGolden, AllOnesControllerPage) {
  const auto ctrl = parse_identify_controller(all_ones_page());
  expect_matches_golden(app::format_identify_controller(ctrl), "ones_id_ctrl.txt");
  expect_matches_golden(json_text(app::identify_controller_json(ctrl)), "ones_id_ctrl.json");
  expect_matches_golden(hex_dump(encode_identify_controller(ctrl)), "ones_id_ctrl.hex");
}

TEST(IdentifyGolden, AllOnesNamespacePage) {
  const auto ns = parse_identify_namespace(all_ones_page());
  expect_matches_golden(app::format_identify_namespace(ns, 0xFFFFFFFEu), "ones_id_ns.txt");
  expect_matches_golden(json_text(app::identify_namespace_json(ns)), "ones_id_ns.json");
  expect_matches_golden(hex_dump(encode_identify_namespace(ns)), "ones_id_ns.hex");
}

}  // namespace
}  // namespace nvqual
