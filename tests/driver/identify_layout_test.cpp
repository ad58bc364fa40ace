// Checks nvqual's Identify layout tables against an independent reference:
// libnvme's <nvme/types.h> (Debian libnvme-dev), through offsetof/sizeof.
// Every field libnvme names is listed below and must map to one of ours with
// the same offset and width; ours and libnvme's reserved ranges must tile the
// whole structure, so a field missing from our tables cannot hide in a gap.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nvme/types.h>  // C header; compiles cleanly as C++ (plain structs, no C-only syntax)

#include "nvqual/driver/identify.hpp"
#include "nvqual/driver/identify_layout.hpp"

namespace nvqual {
namespace {

struct Ref {
  std::string name;
  size_t offset;
  size_t size;
};

#define NVQUAL_REF(type, member) \
  Ref { #member, offsetof(type, member), sizeof(type::member) }

// Names where nvqual and libnvme differ, ours -> theirs; every other field
// carries the same (spec) name in both. The one other difference, the
// namespace's vs, is compared on its own in NamespaceMatchesLibnvme.
const std::map<std::string, std::string> kLbafRenames = {{"lbads", "ds"}};  // LBADS: libnvme calls it ds

template <size_t N>
void expect_fields_match(const std::array<FieldSpec, N>& ours, const std::vector<Ref>& theirs,
                         const std::map<std::string, std::string>& renames, const std::set<std::string>& only_ours) {
  std::map<std::string, Ref> by_name;
  for (const auto& r : theirs) by_name.emplace(r.name, r);
  std::set<std::string> compared;
  for (const auto& f : ours) {
    if (only_ours.count(f.name)) continue;
    const auto rename = renames.find(f.name);
    const std::string their_name = rename == renames.end() ? f.name : rename->second;
    const auto it = by_name.find(their_name);
    if (it == by_name.end()) {
      ADD_FAILURE() << "our field '" << f.name << "' has no libnvme counterpart '" << their_name << "'";
      continue;
    }
    EXPECT_EQ(f.offset, it->second.offset) << "offset of " << f.name;
    EXPECT_EQ(f.width, it->second.size) << "width of " << f.name;
    compared.insert(their_name);
  }
  for (const auto& r : theirs) {
    EXPECT_TRUE(compared.count(r.name)) << "libnvme field '" << r.name << "' was not compared with any of ours";
  }
}

// Our fields plus the reserved ranges must cover [0, size) exactly once.
template <size_t N>
void expect_tiles(const std::array<FieldSpec, N>& ours, const std::vector<Ref>& reserved, size_t size) {
  std::vector<int> owners(size, 0);
  auto mark = [&](const std::string& name, size_t offset, size_t width) {
    ASSERT_LE(offset + width, size) << name << " runs past the structure";
    for (size_t i = offset; i < offset + width; ++i) ++owners[i];
  };
  for (const auto& f : ours) mark(f.name, f.offset, f.width);
  for (const auto& r : reserved) mark(r.name, r.offset, r.size);
  for (size_t i = 0; i < size; ++i) {
    EXPECT_EQ(owners[i], 1) << "byte " << i << " is covered " << owners[i] << " times";
  }
}

TEST(IdentifyLayout, ControllerMatchesLibnvme) {
  static_assert(sizeof(nvme_id_ctrl) == kIdentifyPageSize);
  const std::vector<Ref> theirs = {
      NVQUAL_REF(nvme_id_ctrl, vid),       NVQUAL_REF(nvme_id_ctrl, ssvid),     NVQUAL_REF(nvme_id_ctrl, sn),
      NVQUAL_REF(nvme_id_ctrl, mn),        NVQUAL_REF(nvme_id_ctrl, fr),        NVQUAL_REF(nvme_id_ctrl, rab),
      NVQUAL_REF(nvme_id_ctrl, ieee),      NVQUAL_REF(nvme_id_ctrl, cmic),      NVQUAL_REF(nvme_id_ctrl, mdts),
      NVQUAL_REF(nvme_id_ctrl, cntlid),    NVQUAL_REF(nvme_id_ctrl, ver),       NVQUAL_REF(nvme_id_ctrl, rtd3r),
      NVQUAL_REF(nvme_id_ctrl, rtd3e),     NVQUAL_REF(nvme_id_ctrl, oaes),      NVQUAL_REF(nvme_id_ctrl, ctratt),
      NVQUAL_REF(nvme_id_ctrl, rrls),      NVQUAL_REF(nvme_id_ctrl, cntrltype), NVQUAL_REF(nvme_id_ctrl, fguid),
      NVQUAL_REF(nvme_id_ctrl, crdt1),     NVQUAL_REF(nvme_id_ctrl, crdt2),     NVQUAL_REF(nvme_id_ctrl, crdt3),
      NVQUAL_REF(nvme_id_ctrl, nvmsr),     NVQUAL_REF(nvme_id_ctrl, vwci),      NVQUAL_REF(nvme_id_ctrl, mec),
      NVQUAL_REF(nvme_id_ctrl, oacs),      NVQUAL_REF(nvme_id_ctrl, acl),       NVQUAL_REF(nvme_id_ctrl, aerl),
      NVQUAL_REF(nvme_id_ctrl, frmw),      NVQUAL_REF(nvme_id_ctrl, lpa),       NVQUAL_REF(nvme_id_ctrl, elpe),
      NVQUAL_REF(nvme_id_ctrl, npss),      NVQUAL_REF(nvme_id_ctrl, avscc),     NVQUAL_REF(nvme_id_ctrl, apsta),
      NVQUAL_REF(nvme_id_ctrl, wctemp),    NVQUAL_REF(nvme_id_ctrl, cctemp),    NVQUAL_REF(nvme_id_ctrl, mtfa),
      NVQUAL_REF(nvme_id_ctrl, hmpre),     NVQUAL_REF(nvme_id_ctrl, hmmin),     NVQUAL_REF(nvme_id_ctrl, tnvmcap),
      NVQUAL_REF(nvme_id_ctrl, unvmcap),   NVQUAL_REF(nvme_id_ctrl, rpmbs),     NVQUAL_REF(nvme_id_ctrl, edstt),
      NVQUAL_REF(nvme_id_ctrl, dsto),      NVQUAL_REF(nvme_id_ctrl, fwug),      NVQUAL_REF(nvme_id_ctrl, kas),
      NVQUAL_REF(nvme_id_ctrl, hctma),     NVQUAL_REF(nvme_id_ctrl, mntmt),     NVQUAL_REF(nvme_id_ctrl, mxtmt),
      NVQUAL_REF(nvme_id_ctrl, sanicap),   NVQUAL_REF(nvme_id_ctrl, hmminds),   NVQUAL_REF(nvme_id_ctrl, hmmaxd),
      NVQUAL_REF(nvme_id_ctrl, nsetidmax), NVQUAL_REF(nvme_id_ctrl, endgidmax), NVQUAL_REF(nvme_id_ctrl, anatt),
      NVQUAL_REF(nvme_id_ctrl, anacap),    NVQUAL_REF(nvme_id_ctrl, anagrpmax), NVQUAL_REF(nvme_id_ctrl, nanagrpid),
      NVQUAL_REF(nvme_id_ctrl, pels),      NVQUAL_REF(nvme_id_ctrl, domainid),  NVQUAL_REF(nvme_id_ctrl, megcap),
      NVQUAL_REF(nvme_id_ctrl, sqes),      NVQUAL_REF(nvme_id_ctrl, cqes),      NVQUAL_REF(nvme_id_ctrl, maxcmd),
      NVQUAL_REF(nvme_id_ctrl, nn),        NVQUAL_REF(nvme_id_ctrl, oncs),      NVQUAL_REF(nvme_id_ctrl, fuses),
      NVQUAL_REF(nvme_id_ctrl, fna),       NVQUAL_REF(nvme_id_ctrl, vwc),       NVQUAL_REF(nvme_id_ctrl, awun),
      NVQUAL_REF(nvme_id_ctrl, awupf),     NVQUAL_REF(nvme_id_ctrl, icsvscc),   NVQUAL_REF(nvme_id_ctrl, nwpc),
      NVQUAL_REF(nvme_id_ctrl, acwu),      NVQUAL_REF(nvme_id_ctrl, ocfs),      NVQUAL_REF(nvme_id_ctrl, sgls),
      NVQUAL_REF(nvme_id_ctrl, mnan),      NVQUAL_REF(nvme_id_ctrl, maxdna),    NVQUAL_REF(nvme_id_ctrl, maxcna),
      NVQUAL_REF(nvme_id_ctrl, subnqn),    NVQUAL_REF(nvme_id_ctrl, ioccsz),    NVQUAL_REF(nvme_id_ctrl, iorcsz),
      NVQUAL_REF(nvme_id_ctrl, icdoff),    NVQUAL_REF(nvme_id_ctrl, fcatt),     NVQUAL_REF(nvme_id_ctrl, msdbd),
      NVQUAL_REF(nvme_id_ctrl, ofcs),      NVQUAL_REF(nvme_id_ctrl, dctype),    NVQUAL_REF(nvme_id_ctrl, psd),
      NVQUAL_REF(nvme_id_ctrl, vs),
  };
  expect_fields_match(id_ctrl_layout::all, theirs, {}, {});
  expect_tiles(id_ctrl_layout::all,
               {NVQUAL_REF(nvme_id_ctrl, rsvd102), NVQUAL_REF(nvme_id_ctrl, rsvd134), NVQUAL_REF(nvme_id_ctrl, rsvd358),
                NVQUAL_REF(nvme_id_ctrl, rsvd384), NVQUAL_REF(nvme_id_ctrl, rsvd564),
                NVQUAL_REF(nvme_id_ctrl, rsvd1024), NVQUAL_REF(nvme_id_ctrl, rsvd1807)},
               kIdentifyPageSize);
  EXPECT_EQ(id_ctrl_layout::kPsdCount * id_psd_layout::kSize, sizeof(nvme_id_ctrl::psd));
  EXPECT_EQ(id_ctrl_layout::kPsdCount, sizeof(nvme_id_ctrl::psd) / sizeof(nvme_id_psd));
}

TEST(IdentifyLayout, PowerStateDescriptorMatchesLibnvme) {
  static_assert(sizeof(nvme_id_psd) == id_psd_layout::kSize);
  const std::vector<Ref> theirs = {
      NVQUAL_REF(nvme_id_psd, mp),    NVQUAL_REF(nvme_id_psd, flags), NVQUAL_REF(nvme_id_psd, enlat),
      NVQUAL_REF(nvme_id_psd, exlat), NVQUAL_REF(nvme_id_psd, rrt),   NVQUAL_REF(nvme_id_psd, rrl),
      NVQUAL_REF(nvme_id_psd, rwt),   NVQUAL_REF(nvme_id_psd, rwl),   NVQUAL_REF(nvme_id_psd, idlp),
      NVQUAL_REF(nvme_id_psd, ips),   NVQUAL_REF(nvme_id_psd, actp),  NVQUAL_REF(nvme_id_psd, apws),
  };
  expect_fields_match(id_psd_layout::all, theirs, {}, {});
  expect_tiles(id_psd_layout::all,
               {NVQUAL_REF(nvme_id_psd, rsvd2), NVQUAL_REF(nvme_id_psd, rsvd19), NVQUAL_REF(nvme_id_psd, rsvd23)},
               id_psd_layout::kSize);
}

TEST(IdentifyLayout, NamespaceMatchesLibnvme) {
  static_assert(sizeof(nvme_id_ns) == kIdentifyPageSize);
  const std::vector<Ref> theirs = {
      NVQUAL_REF(nvme_id_ns, nsze),     NVQUAL_REF(nvme_id_ns, ncap),   NVQUAL_REF(nvme_id_ns, nuse),
      NVQUAL_REF(nvme_id_ns, nsfeat),   NVQUAL_REF(nvme_id_ns, nlbaf),  NVQUAL_REF(nvme_id_ns, flbas),
      NVQUAL_REF(nvme_id_ns, mc),       NVQUAL_REF(nvme_id_ns, dpc),    NVQUAL_REF(nvme_id_ns, dps),
      NVQUAL_REF(nvme_id_ns, nmic),     NVQUAL_REF(nvme_id_ns, rescap), NVQUAL_REF(nvme_id_ns, fpi),
      NVQUAL_REF(nvme_id_ns, dlfeat),   NVQUAL_REF(nvme_id_ns, nawun),  NVQUAL_REF(nvme_id_ns, nawupf),
      NVQUAL_REF(nvme_id_ns, nacwu),    NVQUAL_REF(nvme_id_ns, nabsn),  NVQUAL_REF(nvme_id_ns, nabo),
      NVQUAL_REF(nvme_id_ns, nabspf),   NVQUAL_REF(nvme_id_ns, noiob),  NVQUAL_REF(nvme_id_ns, nvmcap),
      NVQUAL_REF(nvme_id_ns, npwg),     NVQUAL_REF(nvme_id_ns, npwa),   NVQUAL_REF(nvme_id_ns, npdg),
      NVQUAL_REF(nvme_id_ns, npda),     NVQUAL_REF(nvme_id_ns, nows),   NVQUAL_REF(nvme_id_ns, mssrl),
      NVQUAL_REF(nvme_id_ns, mcl),      NVQUAL_REF(nvme_id_ns, msrc),   NVQUAL_REF(nvme_id_ns, nulbaf),
      NVQUAL_REF(nvme_id_ns, anagrpid), NVQUAL_REF(nvme_id_ns, nsattr), NVQUAL_REF(nvme_id_ns, nvmsetid),
      NVQUAL_REF(nvme_id_ns, endgid),   NVQUAL_REF(nvme_id_ns, nguid),  NVQUAL_REF(nvme_id_ns, eui64),
      NVQUAL_REF(nvme_id_ns, lbaf),
  };
  // vs: ours spans bytes 384-4095 (NVM Command Set 1.0 Figure 97); libnvme
  // names bytes 384-391 lbstm and 392-4095 vs. Checked as one range here.
  expect_fields_match(id_ns_layout::all, theirs, {}, {"vs"});
  EXPECT_EQ(id_ns_layout::vs.offset, offsetof(nvme_id_ns, lbstm));
  EXPECT_EQ(id_ns_layout::vs.end(), offsetof(nvme_id_ns, vs) + sizeof(nvme_id_ns::vs));
  EXPECT_EQ(id_ns_layout::vs.width, sizeof(nvme_id_ns::lbstm) + sizeof(nvme_id_ns::vs));
  expect_tiles(id_ns_layout::all,
               {NVQUAL_REF(nvme_id_ns, rsvd81), NVQUAL_REF(nvme_id_ns, rsvd83), NVQUAL_REF(nvme_id_ns, rsvd96)},
               kIdentifyPageSize);
  EXPECT_EQ(id_ns_layout::kLbafCount, sizeof(nvme_id_ns::lbaf) / sizeof(nvme_lbaf));
}

TEST(IdentifyLayout, LbaFormatMatchesLibnvme) {
  static_assert(sizeof(nvme_lbaf) == id_lbaf_layout::kSize);
  const std::vector<Ref> theirs = {NVQUAL_REF(nvme_lbaf, ms), NVQUAL_REF(nvme_lbaf, ds), NVQUAL_REF(nvme_lbaf, rp)};
  expect_fields_match(id_lbaf_layout::all, theirs, kLbafRenames, {});
  expect_tiles(id_lbaf_layout::all, {}, id_lbaf_layout::kSize);
}

TEST(IdentifyLayout, NamespaceDescriptorHeaderMatchesLibnvme) {
  EXPECT_EQ(ns_id_desc_layout::nidt.offset, offsetof(nvme_ns_id_desc, nidt));
  EXPECT_EQ(ns_id_desc_layout::nidl.offset, offsetof(nvme_ns_id_desc, nidl));
  EXPECT_EQ(ns_id_desc_layout::kHeaderSize, offsetof(nvme_ns_id_desc, nid));
}

TEST(IdentifyLayout, FieldNamesAreUniqueWithinEachTable) {
  auto unique = [](const auto& table) {
    std::set<std::string> names;
    for (const auto& f : table) names.insert(f.name);
    return names.size() == table.size();
  };
  EXPECT_TRUE(unique(id_ctrl_layout::all));
  EXPECT_TRUE(unique(id_psd_layout::all));
  EXPECT_TRUE(unique(id_ns_layout::all));
  EXPECT_TRUE(unique(id_lbaf_layout::all));
}

}  // namespace
}  // namespace nvqual
