// The Identify presentations: nvme-cli's JSON key set and value forms, and the
// id-ctrl / id-ns style text lines.
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "identify_json.hpp"
#include "identify_print.hpp"
#include "nvqual/driver/identify.hpp"

namespace nvqual {
namespace {

using ::testing::HasSubstr;

std::set<std::string> keys_of(const nlohmann::json& object) {
  std::set<std::string> keys;
  for (const auto& item : object.items()) keys.insert(item.key());
  return keys;
}

IdentifyController sample_controller() {
  IdentifyController c;
  c.vid = 0x1b36;
  c.ssvid = 0x1af4;
  c.sn = "deadbeef";
  c.mn = "QEMU NVMe Ctrl";
  c.fr = "7.2.0";
  c.ieee = 0x525400;
  c.mdts = 7;
  c.ver = 0x10400;
  c.oacs = 0x12a;
  c.npss = 1;  // two power states
  c.psd[0] = PowerStateDescriptor{.mp = 2500, .enlat = 16, .exlat = 4};
  c.psd[1] = PowerStateDescriptor{
      .mp = 5, .mxps = true, .nops = true, .idlp = 300, .ips = 2, .actp = 12, .apw = 2, .aps = 1};
  c.psd[2].mp = 999;  // beyond NPSS: must not be shown
  c.tnvmcap = Uint128{1ull << 40, 0};
  c.maxdna = Uint128{0, 1};  // 2^64 does not fit a JSON integer
  c.sqes = 0x66;
  c.cqes = 0x44;
  c.nn = 256;
  c.oncs = 0x15d;
  c.subnqn = "nqn.2019-08.org.qemu:deadbeef";
  c.fguid = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
  return c;
}

IdentifyNamespace sample_namespace() {
  IdentifyNamespace n;
  n.nsze = n.ncap = n.nuse = 0x200000;
  n.nlbaf = 1;
  n.flbas = 1;
  n.lbaf[0] = LbaFormat{0, 9, 0};
  n.lbaf[1] = LbaFormat{8, 12, 2};
  n.lbaf[2] = LbaFormat{0, 13, 0};  // beyond NLBAF: not listed
  n.nguid = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  n.eui64 = {0x52, 0x54, 0, 0, 0, 0, 0, 1};
  n.nvmcap = Uint128{0x40000000, 0};
  const std::string vendor = "VENDOR-DATA-0123456789";
  std::copy(vendor.begin(), vendor.end(), n.vs.begin());
  return n;
}

TEST(IdentifyJson, ControllerKeysAreNvmeCliKeys) {
  // nvme-cli's id-ctrl JSON keys for the fields of NVMe Base 2.0 (nvme-print-json.c).
  const std::set<std::string> expected = {
      "vid",    "ssvid",     "sn",        "mn",      "fr",       "rab",    "ieee",      "cmic",      "mdts",
      "cntlid", "ver",       "rtd3r",     "rtd3e",   "oaes",     "ctratt", "rrls",      "cntrltype", "fguid",
      "crdt1",  "crdt2",     "crdt3",     "nvmsr",   "vwci",     "mec",    "oacs",      "acl",       "aerl",
      "frmw",   "lpa",       "elpe",      "npss",    "avscc",    "apsta",  "wctemp",    "cctemp",    "mtfa",
      "hmpre",  "hmmin",     "tnvmcap",   "unvmcap", "rpmbs",    "edstt",  "dsto",      "fwug",      "kas",
      "hctma",  "mntmt",     "mxtmt",     "sanicap", "hmminds",  "hmmaxd", "nsetidmax", "endgidmax", "anatt",
      "anacap", "anagrpmax", "nanagrpid", "pels",    "domainid", "megcap", "sqes",      "cqes",      "maxcmd",
      "nn",     "oncs",      "fuses",     "fna",     "vwc",      "awun",   "awupf",     "icsvscc",   "nwpc",
      "acwu",   "ocfs",      "sgls",      "mnan",    "maxdna",   "maxcna", "subnqn",    "ioccsz",    "iorcsz",
      "icdoff", "fcatt",     "msdbd",     "ofcs",    "dctype",   "psds",
  };
  const auto json = app::identify_controller_json(sample_controller());
  EXPECT_EQ(keys_of(json), expected);

  ASSERT_TRUE(json["psds"].is_array());
  ASSERT_EQ(json["psds"].size(), 2u);  // NPSS 1 is 0-based
  const std::set<std::string> psd_keys = {"max_power",         "max_power_scale", "non-operational_state",
                                          "entry_lat",         "exit_lat",        "read_tput",
                                          "read_lat",          "write_tput",      "write_lat",
                                          "idle_power",        "idle_scale",      "active_power",
                                          "active_power_work", "active_scale"};
  for (const auto& psd : json["psds"]) EXPECT_EQ(keys_of(psd), psd_keys);
}

TEST(IdentifyJson, ControllerValuesUseNvmeCliForms) {
  const auto json = app::identify_controller_json(sample_controller());
  EXPECT_EQ(json["vid"], 0x1b36);  // numbers, not hex strings
  EXPECT_EQ(json["ieee"], 0x525400);
  EXPECT_EQ(json["ver"], 0x10400);
  EXPECT_EQ(json["mn"], "QEMU NVMe Ctrl");
  EXPECT_EQ(json["fguid"], "12345678-9abc-def0-0123-456789abcdef");
  EXPECT_EQ(json["tnvmcap"], 1ull << 40);
  EXPECT_EQ(json["maxdna"], "18446744073709551616");
  EXPECT_EQ(json["psds"][0]["max_power"], 2500);
  EXPECT_EQ(json["psds"][0]["entry_lat"], 16);
  EXPECT_EQ(json["psds"][1]["max_power_scale"], 1);
  EXPECT_EQ(json["psds"][1]["non-operational_state"], 1);
  EXPECT_EQ(json["psds"][1]["idle_scale"], 2);
  EXPECT_EQ(json["psds"][1]["active_power_work"], 2);
  EXPECT_EQ(json["psds"][1]["active_scale"], 1);
}

TEST(IdentifyJson, NamespaceKeysAreNvmeCliKeys) {
  const std::set<std::string> expected = {
      "nsze",     "ncap",   "nuse",     "nsfeat", "nlbaf",  "flbas", "mc",    "dpc",  "dps",    "nmic",
      "rescap",   "fpi",    "dlfeat",   "nawun",  "nawupf", "nacwu", "nabsn", "nabo", "nabspf", "noiob",
      "nvmcap",   "npwg",   "npwa",     "npdg",   "npda",   "nows",  "mssrl", "mcl",  "msrc",   "nulbaf",
      "anagrpid", "nsattr", "nvmsetid", "endgid", "nguid",  "eui64", "lbafs", "vs",
  };
  const auto json = app::identify_namespace_json(sample_namespace());
  EXPECT_EQ(keys_of(json), expected);
  ASSERT_EQ(json["lbafs"].size(), 2u);  // NLBAF 1 is 0-based
  for (const auto& lbaf : json["lbafs"]) EXPECT_EQ(keys_of(lbaf), (std::set<std::string>{"ms", "ds", "rp"}));
}

TEST(IdentifyJson, NamespaceValues) {
  const auto json = app::identify_namespace_json(sample_namespace());
  EXPECT_EQ(json["nsze"], 0x200000);
  EXPECT_EQ(json["flbas"], 1);
  EXPECT_EQ(json["lbafs"][1]["ms"], 8);
  EXPECT_EQ(json["lbafs"][1]["ds"], 12);
  EXPECT_EQ(json["lbafs"][1]["rp"], 2);
  EXPECT_EQ(json["nguid"], "000102030405060708090a0b0c0d0e0f");
  EXPECT_EQ(json["eui64"], "5254000000000001");
  EXPECT_EQ(json["nvmcap"], 0x40000000);
  EXPECT_EQ(json["vs"], (nlohmann::json{"VENDOR-DATA-0123", "456789"}));
}

TEST(IdentifyPrint, ControllerLinesFollowIdCtrl) {
  const std::string text = app::format_identify_controller(sample_controller());
  EXPECT_THAT(text, HasSubstr("NVME Identify Controller:\n"));
  EXPECT_THAT(text, HasSubstr("\nvid       : 0x1b36\n"));
  EXPECT_THAT(text, HasSubstr("\nmn        : QEMU NVMe Ctrl\n"));
  EXPECT_THAT(text, HasSubstr("\nieee      : 525400\n"));
  EXPECT_THAT(text, HasSubstr("\nmdts      : 7\n"));
  EXPECT_THAT(text, HasSubstr("\ncmic      : 0\n"));  // %#x of zero
  EXPECT_THAT(text, HasSubstr("\noncs      : 0x15d\n"));
  EXPECT_THAT(text, HasSubstr("\nnn        : 256\n"));
  EXPECT_THAT(text, HasSubstr("\ntnvmcap   : 1099511627776\n"));
  EXPECT_THAT(text, HasSubstr("\nsubnqn    : nqn.2019-08.org.qemu:deadbeef\n"));
  EXPECT_THAT(text, HasSubstr("ps    0 : mp:25.00W operational enlat:16 exlat:4 rrt:0 rrl:0\n"));
  EXPECT_THAT(text, HasSubstr("ps    1 : mp:0.0005W non-operational"));
  EXPECT_THAT(text, HasSubstr("idle_power:3.00W active_power:0.0012W\n"));
  EXPECT_THAT(text, HasSubstr("active_power_workload:Heavy Sequential Writes\n"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("ps    2")));
}

TEST(IdentifyPrint, NamespaceLinesFollowIdNs) {
  const std::string text = app::format_identify_namespace(sample_namespace(), 1);
  EXPECT_THAT(text, HasSubstr("NVME Identify Namespace 1:\n"));
  EXPECT_THAT(text, HasSubstr("\nnsze    : 0x200000\n"));
  EXPECT_THAT(text, HasSubstr("\nnlbaf   : 1\n"));
  EXPECT_THAT(text, HasSubstr("\neui64   : 5254000000000001\n"));
  EXPECT_THAT(text, HasSubstr("\nlbaf  0 : ms:0   lbads:9  rp:0\n"));
  EXPECT_THAT(text, HasSubstr("\nlbaf  1 : ms:8   lbads:12 rp:0x2 (in use)\n"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("lbaf  2")));
}

}  // namespace
}  // namespace nvqual
