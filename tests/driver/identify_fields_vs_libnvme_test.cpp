// Identify and log page fields, one by one, against an independent reader:
// libnvme's structures (<nvme/types.h>, Debian libnvme-dev). The layout test
// compares offsets, but nvqual's encoder, parser and simulator share one field
// table, so two fields of the same width swapped in it (rtd3r and rtd3e, sqes
// and cqes...) would pass every round trip. Here a page is filled with a
// different value in every field, read through libnvme's struct and through
// nvqual's public parser, and every field nvqual parses is compared by name.
//
// Completeness: each comparison also builds the struct nvqual should have
// parsed from libnvme's values alone; the whole parsed struct must then equal
// it, so a member nvqual parses that this test does not name fails too.
#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <set>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <nvme/types.h>  // C header; compiles cleanly as C++

#include "nvqual/driver/identify.hpp"
#include "nvqual/driver/log_pages.hpp"

namespace nvqual {
namespace {

// libnvme's __le fields are read as plain integers: true on the hosts nvqual runs on.
static_assert(std::endian::native == std::endian::little);

// Every byte differs from its neighbours and from the byte 256 further on; the
// constants are chosen so that no two fields of one width compared below hold
// the same value (Compared checks it), so any swap of two fields shows.
std::vector<std::byte> distinct_bytes(size_t size) {
  std::vector<std::byte> page(size);
  for (size_t i = 0; i < size; ++i) page[i] = std::byte(static_cast<uint8_t>(i * 3 + (i >> 8) * 11 + 1));
  return page;
}

// Printable ASCII ('0'..'z' cycling from `seed`) over [offset, offset + width).
void put_text(std::vector<std::byte>& page, size_t offset, size_t width, unsigned seed) {
  for (size_t i = 0; i < width; ++i) page[offset + i] = std::byte(static_cast<uint8_t>('0' + (seed + i) % 75));
}

template <typename T>
T as(const std::vector<std::byte>& page) {
  static_assert(sizeof(T) <= 4096);
  T out;
  std::memcpy(&out, page.data(), sizeof(T));
  return out;
}

// What nvqual keeps of a fixed-width ASCII field: trailing spaces and NULs trimmed.
std::string text(const char* field, size_t width) {
  std::string s(field, width);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

Uint128 u128(const __u8 (&bytes)[16]) {
  Uint128 v;
  std::memcpy(&v.lo, bytes, 8);
  std::memcpy(&v.hi, bytes + 8, 8);
  return v;
}

template <size_t N>
std::array<uint8_t, N> bytes_of(const __u8 (&bytes)[N]) {
  std::array<uint8_t, N> out{};
  std::memcpy(out.data(), bytes, N);
  return out;
}

// Records that a field was compared, and which value it had, so the test can
// show the fill gives every compared field of one width its own value.
class Compared {
 public:
  template <typename T>
  void number(const std::string& name, T value) {
    if (!seen_.insert(name).second) ADD_FAILURE() << name << " compared twice";
    if constexpr (std::is_same_v<T, bool>) return;  // two values only: nothing to tell apart
    const auto [it, fresh] = by_value_.emplace(std::pair{sizeof(T), uint64_t(value)}, name);
    EXPECT_TRUE(fresh) << name << " and " << it->second << " hold the same value " << uint64_t(value)
                       << ": a swap of the two would go unseen";
  }
  void other(const std::string& name) {
    if (!seen_.insert(name).second) ADD_FAILURE() << name << " compared twice";
  }
  size_t count() const { return seen_.size(); }

 private:
  std::set<std::string> seen_;
  std::map<std::pair<size_t, uint64_t>, std::string> by_value_;
};

// Compares one numeric field by name and sets it in the expected struct.
#define NVQUAL_SAME(field, theirs)                                                        \
  do {                                                                                    \
    expected.field = static_cast<decltype(expected.field)>(theirs);                       \
    EXPECT_EQ(parsed.field, expected.field) << #field << " (libnvme: " << #theirs << ")"; \
    compared.number(#field, expected.field);                                              \
  } while (0)
// The same for a field that is not a plain integer (text, bytes, 128 bits).
#define NVQUAL_SAME_OTHER(field, theirs)                                                      \
  do {                                                                                        \
    expected.field = theirs;                                                                  \
    EXPECT_TRUE(parsed.field == expected.field) << #field << " (libnvme: " << #theirs << ")"; \
    compared.other(#field);                                                                   \
  } while (0)

std::vector<std::byte> controller_page() {
  auto page = distinct_bytes(kIdentifyPageSize);
  put_text(page, offsetof(nvme_id_ctrl, sn), sizeof(nvme_id_ctrl::sn), 1);
  put_text(page, offsetof(nvme_id_ctrl, mn), sizeof(nvme_id_ctrl::mn), 30);
  put_text(page, offsetof(nvme_id_ctrl, fr), sizeof(nvme_id_ctrl::fr), 60);
  put_text(page, offsetof(nvme_id_ctrl, subnqn), sizeof(nvme_id_ctrl::subnqn), 9);
  return page;
}

TEST(IdentifyFieldsVsLibnvme, EveryControllerFieldReadsAsLibnvmeReadsIt) {
  const auto page = controller_page();
  const auto theirs = as<nvme_id_ctrl>(page);
  const IdentifyController parsed = parse_identify_controller(page);
  IdentifyController expected;
  Compared compared;

  NVQUAL_SAME(vid, theirs.vid);
  NVQUAL_SAME(ssvid, theirs.ssvid);
  NVQUAL_SAME_OTHER(sn, text(theirs.sn, sizeof theirs.sn));
  NVQUAL_SAME_OTHER(mn, text(theirs.mn, sizeof theirs.mn));
  NVQUAL_SAME_OTHER(fr, text(theirs.fr, sizeof theirs.fr));
  NVQUAL_SAME(rab, theirs.rab);
  NVQUAL_SAME(ieee, theirs.ieee[0] | theirs.ieee[1] << 8 | theirs.ieee[2] << 16);
  NVQUAL_SAME(cmic, theirs.cmic);
  NVQUAL_SAME(mdts, theirs.mdts);
  NVQUAL_SAME(cntlid, theirs.cntlid);
  NVQUAL_SAME(ver, theirs.ver);
  NVQUAL_SAME(rtd3r, theirs.rtd3r);
  NVQUAL_SAME(rtd3e, theirs.rtd3e);
  NVQUAL_SAME(oaes, theirs.oaes);
  NVQUAL_SAME(ctratt, theirs.ctratt);
  NVQUAL_SAME(rrls, theirs.rrls);
  NVQUAL_SAME(cntrltype, theirs.cntrltype);
  NVQUAL_SAME_OTHER(fguid, bytes_of(theirs.fguid));
  NVQUAL_SAME(crdt1, theirs.crdt1);
  NVQUAL_SAME(crdt2, theirs.crdt2);
  NVQUAL_SAME(crdt3, theirs.crdt3);
  NVQUAL_SAME(nvmsr, theirs.nvmsr);
  NVQUAL_SAME(vwci, theirs.vwci);
  NVQUAL_SAME(mec, theirs.mec);
  NVQUAL_SAME(oacs, theirs.oacs);
  NVQUAL_SAME(acl, theirs.acl);
  NVQUAL_SAME(aerl, theirs.aerl);
  NVQUAL_SAME(frmw, theirs.frmw);
  NVQUAL_SAME(lpa, theirs.lpa);
  NVQUAL_SAME(elpe, theirs.elpe);
  NVQUAL_SAME(npss, theirs.npss);
  NVQUAL_SAME(avscc, theirs.avscc);
  NVQUAL_SAME(apsta, theirs.apsta);
  NVQUAL_SAME(wctemp, theirs.wctemp);
  NVQUAL_SAME(cctemp, theirs.cctemp);
  NVQUAL_SAME(mtfa, theirs.mtfa);
  NVQUAL_SAME(hmpre, theirs.hmpre);
  NVQUAL_SAME(hmmin, theirs.hmmin);
  NVQUAL_SAME_OTHER(tnvmcap, u128(theirs.tnvmcap));
  NVQUAL_SAME_OTHER(unvmcap, u128(theirs.unvmcap));
  NVQUAL_SAME(rpmbs, theirs.rpmbs);
  NVQUAL_SAME(edstt, theirs.edstt);
  NVQUAL_SAME(dsto, theirs.dsto);
  NVQUAL_SAME(fwug, theirs.fwug);
  NVQUAL_SAME(kas, theirs.kas);
  NVQUAL_SAME(hctma, theirs.hctma);
  NVQUAL_SAME(mntmt, theirs.mntmt);
  NVQUAL_SAME(mxtmt, theirs.mxtmt);
  NVQUAL_SAME(sanicap, theirs.sanicap);
  NVQUAL_SAME(hmminds, theirs.hmminds);
  NVQUAL_SAME(hmmaxd, theirs.hmmaxd);
  NVQUAL_SAME(nsetidmax, theirs.nsetidmax);
  NVQUAL_SAME(endgidmax, theirs.endgidmax);
  NVQUAL_SAME(anatt, theirs.anatt);
  NVQUAL_SAME(anacap, theirs.anacap);
  NVQUAL_SAME(anagrpmax, theirs.anagrpmax);
  NVQUAL_SAME(nanagrpid, theirs.nanagrpid);
  NVQUAL_SAME(pels, theirs.pels);
  NVQUAL_SAME(domainid, theirs.domainid);
  NVQUAL_SAME_OTHER(megcap, u128(theirs.megcap));
  NVQUAL_SAME(sqes, theirs.sqes);
  NVQUAL_SAME(cqes, theirs.cqes);
  NVQUAL_SAME(maxcmd, theirs.maxcmd);
  NVQUAL_SAME(nn, theirs.nn);
  NVQUAL_SAME(oncs, theirs.oncs);
  NVQUAL_SAME(fuses, theirs.fuses);
  NVQUAL_SAME(fna, theirs.fna);
  NVQUAL_SAME(vwc, theirs.vwc);
  NVQUAL_SAME(awun, theirs.awun);
  NVQUAL_SAME(awupf, theirs.awupf);
  NVQUAL_SAME(icsvscc, theirs.icsvscc);
  NVQUAL_SAME(nwpc, theirs.nwpc);
  NVQUAL_SAME(acwu, theirs.acwu);
  NVQUAL_SAME(ocfs, theirs.ocfs);
  NVQUAL_SAME(sgls, theirs.sgls);
  NVQUAL_SAME(mnan, theirs.mnan);
  NVQUAL_SAME_OTHER(maxdna, u128(theirs.maxdna));
  NVQUAL_SAME(maxcna, theirs.maxcna);
  NVQUAL_SAME_OTHER(subnqn, text(theirs.subnqn, sizeof theirs.subnqn));
  NVQUAL_SAME(ioccsz, theirs.ioccsz);
  NVQUAL_SAME(iorcsz, theirs.iorcsz);
  NVQUAL_SAME(icdoff, theirs.icdoff);
  NVQUAL_SAME(fcatt, theirs.fcatt);
  NVQUAL_SAME(msdbd, theirs.msdbd);
  NVQUAL_SAME(ofcs, theirs.ofcs);
  NVQUAL_SAME(dctype, theirs.dctype);
  NVQUAL_SAME_OTHER(vs, std::vector<uint8_t>(std::begin(theirs.vs), std::end(theirs.vs)));

  // Power state descriptors (2.0 Figure 276): nvqual decodes the bit fields.
  for (size_t i = 0; i < 32; ++i) {
    SCOPED_TRACE("psd[" + std::to_string(i) + "]");
    const nvme_id_psd& t = theirs.psd[i];
    PowerStateDescriptor& e = expected.psd[i];
    const PowerStateDescriptor& p = parsed.psd[i];
    e.mp = t.mp;
    e.mxps = (t.flags & 0x01) != 0;
    e.nops = (t.flags & 0x02) != 0;
    e.enlat = t.enlat;
    e.exlat = t.exlat;
    e.rrt = t.rrt & 0x1F;
    e.rrl = t.rrl & 0x1F;
    e.rwt = t.rwt & 0x1F;
    e.rwl = t.rwl & 0x1F;
    e.idlp = t.idlp;
    e.ips = t.ips >> 6;
    e.actp = t.actp;
    e.apw = t.apws & 0x07;
    e.aps = t.apws >> 6;
    EXPECT_EQ(p.mp, e.mp) << "mp";
    EXPECT_EQ(p.mxps, e.mxps) << "mxps";
    EXPECT_EQ(p.nops, e.nops) << "nops";
    EXPECT_EQ(p.enlat, e.enlat) << "enlat";
    EXPECT_EQ(p.exlat, e.exlat) << "exlat";
    EXPECT_EQ(p.rrt, e.rrt) << "rrt";
    EXPECT_EQ(p.rrl, e.rrl) << "rrl";
    EXPECT_EQ(p.rwt, e.rwt) << "rwt";
    EXPECT_EQ(p.rwl, e.rwl) << "rwl";
    EXPECT_EQ(p.idlp, e.idlp) << "idlp";
    EXPECT_EQ(p.ips, e.ips) << "ips";
    EXPECT_EQ(p.actp, e.actp) << "actp";
    EXPECT_EQ(p.apw, e.apw) << "apw";
    EXPECT_EQ(p.aps, e.aps) << "aps";
  }
  compared.other("psd");

  EXPECT_EQ(compared.count(), 88u);
  EXPECT_TRUE(parsed == expected) << "nvqual parses a member of IdentifyController this test does not compare";
}

TEST(IdentifyFieldsVsLibnvme, EveryNamespaceFieldReadsAsLibnvmeReadsIt) {
  const auto page = distinct_bytes(kIdentifyPageSize);
  const auto theirs = as<nvme_id_ns>(page);
  const IdentifyNamespace parsed = parse_identify_namespace(page);
  IdentifyNamespace expected;
  Compared compared;

  NVQUAL_SAME(nsze, theirs.nsze);
  NVQUAL_SAME(ncap, theirs.ncap);
  NVQUAL_SAME(nuse, theirs.nuse);
  NVQUAL_SAME(nsfeat, theirs.nsfeat);
  NVQUAL_SAME(nlbaf, theirs.nlbaf);
  NVQUAL_SAME(flbas, theirs.flbas);
  NVQUAL_SAME(mc, theirs.mc);
  NVQUAL_SAME(dpc, theirs.dpc);
  NVQUAL_SAME(dps, theirs.dps);
  NVQUAL_SAME(nmic, theirs.nmic);
  NVQUAL_SAME(rescap, theirs.rescap);
  NVQUAL_SAME(fpi, theirs.fpi);
  NVQUAL_SAME(dlfeat, theirs.dlfeat);
  NVQUAL_SAME(nawun, theirs.nawun);
  NVQUAL_SAME(nawupf, theirs.nawupf);
  NVQUAL_SAME(nacwu, theirs.nacwu);
  NVQUAL_SAME(nabsn, theirs.nabsn);
  NVQUAL_SAME(nabo, theirs.nabo);
  NVQUAL_SAME(nabspf, theirs.nabspf);
  NVQUAL_SAME(noiob, theirs.noiob);
  NVQUAL_SAME_OTHER(nvmcap, u128(theirs.nvmcap));
  NVQUAL_SAME(npwg, theirs.npwg);
  NVQUAL_SAME(npwa, theirs.npwa);
  NVQUAL_SAME(npdg, theirs.npdg);
  NVQUAL_SAME(npda, theirs.npda);
  NVQUAL_SAME(nows, theirs.nows);
  NVQUAL_SAME(mssrl, theirs.mssrl);
  NVQUAL_SAME(mcl, theirs.mcl);
  NVQUAL_SAME(msrc, theirs.msrc);
  NVQUAL_SAME(nulbaf, theirs.nulbaf);
  NVQUAL_SAME(anagrpid, theirs.anagrpid);
  NVQUAL_SAME(nsattr, theirs.nsattr);
  NVQUAL_SAME(nvmsetid, theirs.nvmsetid);
  NVQUAL_SAME(endgid, theirs.endgid);
  NVQUAL_SAME_OTHER(nguid, bytes_of(theirs.nguid));
  NVQUAL_SAME_OTHER(eui64, bytes_of(theirs.eui64));
  // nvqual's vs is bytes 384-4095: libnvme's lbstm (NVM Command Set 2.0) and vs.
  std::vector<uint8_t> tail(sizeof theirs.lbstm);
  std::memcpy(tail.data(), &theirs.lbstm, sizeof theirs.lbstm);
  tail.insert(tail.end(), std::begin(theirs.vs), std::end(theirs.vs));
  NVQUAL_SAME_OTHER(vs, tail);

  // LBA formats (NVM Command Set 1.0 Figure 98): RP is bits 1:0 of byte 3.
  for (size_t i = 0; i < 64; ++i) {
    SCOPED_TRACE("lbaf[" + std::to_string(i) + "]");
    const nvme_lbaf& t = theirs.lbaf[i];
    LbaFormat& e = expected.lbaf[i];
    e.ms = t.ms;
    e.lbads = t.ds;
    e.rp = t.rp & 0x03;
    EXPECT_EQ(parsed.lbaf[i].ms, e.ms) << "ms";
    EXPECT_EQ(parsed.lbaf[i].lbads, e.lbads) << "lbads (libnvme: ds)";
    EXPECT_EQ(parsed.lbaf[i].rp, e.rp) << "rp";
  }
  compared.other("lbaf");

  EXPECT_EQ(compared.count(), 38u);
  EXPECT_TRUE(parsed == expected) << "nvqual parses a member of IdentifyNamespace this test does not compare";
}

TEST(LogPageFieldsVsLibnvme, EveryErrorLogFieldReadsAsLibnvmeReadsIt) {
  constexpr size_t kEntries = 3;
  static_assert(sizeof(nvme_error_log_page) == 64);
  const auto log = distinct_bytes(kEntries * sizeof(nvme_error_log_page));
  const std::vector<ErrorLogEntry> parsed_entries = parse_error_log(log);
  ASSERT_EQ(parsed_entries.size(), kEntries);
  for (size_t i = 0; i < kEntries; ++i) {
    SCOPED_TRACE("entry " + std::to_string(i));
    nvme_error_log_page theirs;
    std::memcpy(&theirs, log.data() + i * sizeof theirs, sizeof theirs);
    const ErrorLogEntry& parsed = parsed_entries[i];
    ErrorLogEntry expected;
    Compared compared;
    NVQUAL_SAME(error_count, theirs.error_count);
    NVQUAL_SAME(sqid, theirs.sqid);
    NVQUAL_SAME(cid, theirs.cmdid);
    NVQUAL_SAME(phase_tag, theirs.status_field & 1);
    // Status field bits 15:1 are the completion's status (2.0 Figure 206).
    expected.status.raw = static_cast<uint16_t>(theirs.status_field >> 1);
    EXPECT_EQ(parsed.status.raw, expected.status.raw) << "status (libnvme: status_field >> 1)";
    compared.other("status");
    NVQUAL_SAME(parm_error_location, theirs.parm_error_location);
    NVQUAL_SAME(lba, theirs.lba);
    NVQUAL_SAME(nsid, theirs.nsid);
    NVQUAL_SAME(vs, theirs.vs);
    NVQUAL_SAME(trtype, theirs.trtype);
    NVQUAL_SAME(csi, theirs.rsvd[0]);  // byte 30: CSI in 2.0, still reserved in libnvme's struct
    NVQUAL_SAME(cmd_specific, theirs.cs);
    NVQUAL_SAME(trtype_specific, theirs.trtype_spec_info);
    EXPECT_EQ(compared.count(), 13u);
    EXPECT_TRUE(parsed == expected) << "nvqual parses a member of ErrorLogEntry this test does not compare";
  }
}

TEST(LogPageFieldsVsLibnvme, EverySmartLogFieldReadsAsLibnvmeReadsIt) {
  static_assert(sizeof(nvme_smart_log) == 512);
  const auto log = distinct_bytes(512);
  const auto theirs = as<nvme_smart_log>(log);
  const SmartLog parsed = parse_smart_log(log);
  SmartLog expected;
  Compared compared;
  NVQUAL_SAME(critical_warning, theirs.critical_warning);
  NVQUAL_SAME(composite_temperature, theirs.temperature[0] | theirs.temperature[1] << 8);
  NVQUAL_SAME(avail_spare, theirs.avail_spare);
  NVQUAL_SAME(spare_thresh, theirs.spare_thresh);
  NVQUAL_SAME(percent_used, theirs.percent_used);
  NVQUAL_SAME(endurance_group_summary, theirs.endu_grp_crit_warn_sumry);
  NVQUAL_SAME_OTHER(data_units_read, u128(theirs.data_units_read));
  NVQUAL_SAME_OTHER(data_units_written, u128(theirs.data_units_written));
  NVQUAL_SAME_OTHER(host_reads, u128(theirs.host_reads));
  NVQUAL_SAME_OTHER(host_writes, u128(theirs.host_writes));
  NVQUAL_SAME_OTHER(ctrl_busy_time, u128(theirs.ctrl_busy_time));
  NVQUAL_SAME_OTHER(power_cycles, u128(theirs.power_cycles));
  NVQUAL_SAME_OTHER(power_on_hours, u128(theirs.power_on_hours));
  NVQUAL_SAME_OTHER(unsafe_shutdowns, u128(theirs.unsafe_shutdowns));
  NVQUAL_SAME_OTHER(media_errors, u128(theirs.media_errors));
  NVQUAL_SAME_OTHER(num_err_log_entries, u128(theirs.num_err_log_entries));
  NVQUAL_SAME(warning_temp_time, theirs.warning_temp_time);
  NVQUAL_SAME(critical_comp_time, theirs.critical_comp_time);
  std::array<uint16_t, 8> sensors{};
  std::memcpy(sensors.data(), theirs.temp_sensor, sizeof sensors);
  NVQUAL_SAME_OTHER(temp_sensor, sensors);
  NVQUAL_SAME(thm_temp1_trans_count, theirs.thm_temp1_trans_count);
  NVQUAL_SAME(thm_temp2_trans_count, theirs.thm_temp2_trans_count);
  NVQUAL_SAME(thm_temp1_total_time, theirs.thm_temp1_total_time);
  NVQUAL_SAME(thm_temp2_total_time, theirs.thm_temp2_total_time);
  EXPECT_EQ(compared.count(), 23u);
  EXPECT_TRUE(parsed == expected) << "nvqual parses a member of SmartLog this test does not compare";
}

TEST(LogPageFieldsVsLibnvme, EveryFirmwareSlotFieldReadsAsLibnvmeReadsIt) {
  static_assert(sizeof(nvme_firmware_slot) == 512);
  auto log = distinct_bytes(512);
  for (size_t slot = 0; slot < 7; ++slot) {
    put_text(log, offsetof(nvme_firmware_slot, frs) + slot * 8, 8, static_cast<unsigned>(slot * 9));
  }
  const auto theirs = as<nvme_firmware_slot>(log);
  const FirmwareSlotLog parsed = parse_firmware_slot_log(log);
  FirmwareSlotLog expected;
  Compared compared;
  NVQUAL_SAME(afi, theirs.afi);
  for (size_t slot = 0; slot < 7; ++slot) {
    expected.frs[slot] = text(theirs.frs[slot], 8);
    EXPECT_EQ(parsed.frs[slot], expected.frs[slot]) << "frs" << slot + 1;
    EXPECT_NE(expected.frs[slot], slot == 0 ? expected.frs[1] : expected.frs[0]) << "two slots hold one text";
  }
  compared.other("frs");
  EXPECT_EQ(compared.count(), 2u);
  EXPECT_TRUE(parsed == expected) << "nvqual parses a member of FirmwareSlotLog this test does not compare";
}

}  // namespace
}  // namespace nvqual
