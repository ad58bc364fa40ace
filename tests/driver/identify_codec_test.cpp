// Identify parse/encode: round trips, string rules, FLBAS decoding, lists and
// descriptor lists. Encoded pages are also read back through libnvme's
// structures (an independent view of the same bytes).
#include <gtest/gtest.h>

#include <endian.h>

#include <cstring>
#include <string>
#include <vector>

#include <nvme/types.h>

#include "nvqual/driver/errors.hpp"
#include "nvqual/driver/identify.hpp"
#include "nvqual/driver/identify_layout.hpp"

namespace nvqual {
namespace {

// The string fields these tests write into pages directly.
constexpr FieldSpec kSn = id_ctrl_layout::named("sn");
constexpr FieldSpec kMn = id_ctrl_layout::named("mn");
constexpr FieldSpec kFr = id_ctrl_layout::named("fr");

std::vector<std::byte> zero_page() { return std::vector<std::byte>(kIdentifyPageSize); }

void put_text(std::vector<std::byte>& page, const FieldSpec& f, const std::string& text) {
  ASSERT_LE(text.size(), f.width);
  std::memcpy(page.data() + f.offset, text.data(), text.size());
}

// Every field gets a distinct non-zero value, so a swapped or dropped field
// shows up in the round trip.
IdentifyController rich_controller() {
  IdentifyController c;
  c.vid = 0x1b36;
  c.ssvid = 0x1af4;
  c.sn = "SN-0123456789ABCDEF";                       // 19 chars in a 20-byte field
  c.mn = "nvqual simulated controller, model 40 ch";  // exactly fills the field
  c.fr = "7.2.0";
  c.rab = 6;
  c.ieee = 0x525400;
  c.cmic = 0x0b;
  c.mdts = 7;
  c.cntlid = 0x41;
  c.ver = 0x00020000;
  c.rtd3r = 1000000;
  c.rtd3e = 2000000;
  c.oaes = 0x0900;
  c.ctratt = 0x8291;
  c.rrls = 0x3;
  c.cntrltype = 1;
  for (size_t i = 0; i < c.fguid.size(); ++i) c.fguid[i] = static_cast<uint8_t>(0xA0 + i);
  c.crdt1 = 11;
  c.crdt2 = 22;
  c.crdt3 = 33;
  c.nvmsr = 3;
  c.vwci = 0x81;
  c.mec = 2;
  c.oacs = 0x025e;
  c.acl = 3;
  c.aerl = 4;
  c.frmw = 0x17;
  c.lpa = 0x1f;
  c.elpe = 63;
  c.npss = 31;
  c.avscc = 1;
  c.apsta = 1;
  c.wctemp = 343;
  c.cctemp = 373;
  c.mtfa = 100;
  c.hmpre = 0x1000;
  c.hmmin = 0x800;
  c.tnvmcap = Uint128{0x0000001000000000ull, 0x1ull};
  c.unvmcap = Uint128{0x200, 0};
  c.rpmbs = 0x01020304;
  c.edstt = 10;
  c.dsto = 1;
  c.fwug = 8;
  c.kas = 5;
  c.hctma = 1;
  c.mntmt = 273;
  c.mxtmt = 358;
  c.sanicap = 0x60000007;
  c.hmminds = 16;
  c.hmmaxd = 32;
  c.nsetidmax = 4;
  c.endgidmax = 2;
  c.anatt = 10;
  c.anacap = 0x47;
  c.anagrpmax = 128;
  c.nanagrpid = 64;
  c.pels = 255;
  c.domainid = 9;
  c.megcap = Uint128{0x1234, 0x5678};
  c.sqes = 0x66;
  c.cqes = 0x44;
  c.maxcmd = 256;
  c.nn = 256;
  c.oncs = 0x015d;
  c.fuses = 1;
  c.fna = 0x7;
  c.vwc = 0x7;
  c.awun = 15;
  c.awupf = 7;
  c.icsvscc = 1;
  c.nwpc = 0x7;
  c.acwu = 3;
  c.ocfs = 0x3;
  c.sgls = 0x00130001;
  c.mnan = 1024;
  c.maxdna = Uint128{0xFFFFFFFFFFFFFFFFull, 0x7};
  c.maxcna = 77;
  c.subnqn = "nqn.2019-08.org.qemu:serial-0001";
  c.ioccsz = 4;
  c.iorcsz = 1;
  c.icdoff = 2;
  c.fcatt = 1;
  c.msdbd = 16;
  c.ofcs = 1;
  c.dctype = 2;
  for (size_t i = 0; i < c.psd.size(); ++i) {
    auto& p = c.psd[i];
    p.mp = static_cast<uint16_t>(900 + i);
    p.mxps = i % 2 == 0;
    p.nops = i % 3 == 0;
    p.enlat = static_cast<uint32_t>(10 + i);
    p.exlat = static_cast<uint32_t>(20 + i);
    p.rrt = static_cast<uint8_t>(i % 32);
    p.rrl = static_cast<uint8_t>((i + 1) % 32);
    p.rwt = static_cast<uint8_t>((i + 2) % 32);
    p.rwl = static_cast<uint8_t>((i + 3) % 32);
    p.idlp = static_cast<uint16_t>(500 + i);
    p.ips = static_cast<uint8_t>(i % 3);
    p.actp = static_cast<uint16_t>(700 + i);
    p.apw = static_cast<uint8_t>(i % 8);
    p.aps = static_cast<uint8_t>((i + 1) % 3);
  }
  for (size_t i = 0; i < c.vs.size(); ++i) c.vs[i] = static_cast<uint8_t>(i * 7);
  return c;
}

IdentifyNamespace rich_namespace() {
  IdentifyNamespace n;
  n.nsze = 0x200000;
  n.ncap = 0x1F0000;
  n.nuse = 0x100000;
  n.nsfeat = 0x1f;
  n.nlbaf = 19;    // 20 formats: FLBAS uses bits 6:5
  n.flbas = 0x32;  // index 0x12 = 18, metadata extended
  n.mc = 3;
  n.dpc = 0x1f;
  n.dps = 0x9;
  n.nmic = 1;
  n.rescap = 0xff;
  n.fpi = 0x80;
  n.dlfeat = 0x09;
  n.nawun = 1;
  n.nawupf = 2;
  n.nacwu = 3;
  n.nabsn = 4;
  n.nabo = 5;
  n.nabspf = 6;
  n.noiob = 7;
  n.nvmcap = Uint128{0x40000000ull, 0x2};
  n.npwg = 8;
  n.npwa = 9;
  n.npdg = 10;
  n.npda = 11;
  n.nows = 12;
  n.mssrl = 128;
  n.mcl = 4096;
  n.msrc = 127;
  n.nulbaf = 2;
  n.anagrpid = 3;
  n.nsattr = 1;
  n.nvmsetid = 4;
  n.endgid = 5;
  for (size_t i = 0; i < n.nguid.size(); ++i) n.nguid[i] = static_cast<uint8_t>(0x10 + i);
  for (size_t i = 0; i < n.eui64.size(); ++i) n.eui64[i] = static_cast<uint8_t>(0xE0 + i);
  for (size_t i = 0; i < n.lbaf.size(); ++i) {
    n.lbaf[i] = LbaFormat{static_cast<uint16_t>(i * 8), static_cast<uint8_t>(9 + i % 4), static_cast<uint8_t>(i % 4)};
  }
  for (size_t i = 0; i < n.vs.size(); ++i) n.vs[i] = static_cast<uint8_t>(i * 13 + 1);
  return n;
}

TEST(IdentifyCodec, ControllerRoundTrips) {
  const IdentifyController original = rich_controller();
  const auto page = encode_identify_controller(original);
  ASSERT_EQ(page.size(), kIdentifyPageSize);
  const IdentifyController parsed = parse_identify_controller(page);
  EXPECT_EQ(parsed, original);
  // Spot checks with readable failure messages for the tricky members.
  EXPECT_EQ(parsed.ieee, 0x525400u);
  EXPECT_EQ(parsed.tnvmcap, original.tnvmcap);
  EXPECT_EQ(parsed.psd[31], original.psd[31]);
  EXPECT_EQ(parsed.subnqn, original.subnqn);
  // And the page is a fixed point.
  EXPECT_EQ(encode_identify_controller(parsed), page);
}

TEST(IdentifyCodec, NamespaceRoundTrips) {
  const IdentifyNamespace original = rich_namespace();
  const auto page = encode_identify_namespace(original);
  ASSERT_EQ(page.size(), kIdentifyPageSize);
  const IdentifyNamespace parsed = parse_identify_namespace(page);
  EXPECT_EQ(parsed, original);
  EXPECT_EQ(encode_identify_namespace(parsed), page);
}

// libnvme reads the bytes we wrote and must see the same values.
TEST(IdentifyCodec, EncodedControllerReadsTheSameThroughLibnvme) {
  const IdentifyController c = rich_controller();
  const auto page = encode_identify_controller(c);
  nvme_id_ctrl ref;
  std::memcpy(&ref, page.data(), sizeof ref);
  EXPECT_EQ(le16toh(ref.vid), c.vid);
  EXPECT_EQ(le16toh(ref.ssvid), c.ssvid);
  EXPECT_EQ(std::string(ref.sn, sizeof ref.sn), c.sn + " ");  // space padded
  EXPECT_EQ(std::string(ref.mn, sizeof ref.mn), c.mn);
  EXPECT_EQ(std::string(ref.fr, sizeof ref.fr), "7.2.0   ");
  EXPECT_EQ(ref.ieee[0] | ref.ieee[1] << 8 | ref.ieee[2] << 16, static_cast<int>(c.ieee));
  EXPECT_EQ(le32toh(ref.ver), c.ver);
  EXPECT_EQ(le32toh(ref.ctratt), c.ctratt);
  EXPECT_EQ(ref.cntrltype, c.cntrltype);
  EXPECT_EQ(le16toh(ref.crdt3), c.crdt3);
  EXPECT_EQ(ref.mec, c.mec);
  EXPECT_EQ(le16toh(ref.oacs), c.oacs);
  EXPECT_EQ(le16toh(ref.cctemp), c.cctemp);
  uint64_t lo, hi;
  std::memcpy(&lo, ref.tnvmcap, 8);
  std::memcpy(&hi, ref.tnvmcap + 8, 8);
  EXPECT_EQ(le64toh(lo), c.tnvmcap.lo);
  EXPECT_EQ(le64toh(hi), c.tnvmcap.hi);
  EXPECT_EQ(le16toh(ref.domainid), c.domainid);
  EXPECT_EQ(le32toh(ref.nn), c.nn);
  EXPECT_EQ(le32toh(ref.sgls), c.sgls);
  EXPECT_EQ(le32toh(ref.maxcna), c.maxcna);
  EXPECT_STREQ(ref.subnqn, c.subnqn.c_str());  // NUL padded, so a C string
  EXPECT_EQ(le16toh(ref.ofcs), c.ofcs);
  EXPECT_EQ(ref.dctype, c.dctype);
  for (size_t i = 0; i < 32; ++i) {
    const auto& p = c.psd[i];
    EXPECT_EQ(le16toh(ref.psd[i].mp), p.mp) << i;
    EXPECT_EQ(ref.psd[i].flags, (p.mxps ? 1 : 0) | (p.nops ? 2 : 0)) << i;
    EXPECT_EQ(le32toh(ref.psd[i].exlat), p.exlat) << i;
    EXPECT_EQ(ref.psd[i].rwl, p.rwl) << i;
    EXPECT_EQ(ref.psd[i].ips, p.ips << 6) << i;
    EXPECT_EQ(le16toh(ref.psd[i].actp), p.actp) << i;
    EXPECT_EQ(ref.psd[i].apws, p.apw | p.aps << 6) << i;
  }
  EXPECT_EQ(ref.vs[1023], c.vs[1023]);
}

TEST(IdentifyCodec, EncodedNamespaceReadsTheSameThroughLibnvme) {
  const IdentifyNamespace n = rich_namespace();
  const auto page = encode_identify_namespace(n);
  nvme_id_ns ref;
  std::memcpy(&ref, page.data(), sizeof ref);
  EXPECT_EQ(le64toh(ref.nsze), n.nsze);
  EXPECT_EQ(le64toh(ref.ncap), n.ncap);
  EXPECT_EQ(le64toh(ref.nuse), n.nuse);
  EXPECT_EQ(ref.nlbaf, n.nlbaf);
  EXPECT_EQ(ref.flbas, n.flbas);
  EXPECT_EQ(le16toh(ref.noiob), n.noiob);
  EXPECT_EQ(le32toh(ref.mcl), n.mcl);
  EXPECT_EQ(ref.nulbaf, n.nulbaf);
  EXPECT_EQ(le32toh(ref.anagrpid), n.anagrpid);
  EXPECT_EQ(le16toh(ref.endgid), n.endgid);
  EXPECT_EQ(ref.nguid[15], n.nguid[15]);
  EXPECT_EQ(ref.eui64[0], n.eui64[0]);
  for (size_t i = 0; i < 64; ++i) {
    EXPECT_EQ(le16toh(ref.lbaf[i].ms), n.lbaf[i].ms) << i;
    EXPECT_EQ(ref.lbaf[i].ds, n.lbaf[i].lbads) << i;
    EXPECT_EQ(ref.lbaf[i].rp, n.lbaf[i].rp) << i;
  }
  EXPECT_EQ(ref.vs[3703], n.vs[3711]);  // libnvme's vs starts 8 bytes later (lbstm)
  uint8_t libnvme_index = 0;
  libnvme_index = static_cast<uint8_t>(((ref.flbas & NVME_NS_FLBAS_HIGHER_MASK) >> 1) |
                                       (ref.flbas & NVME_NS_FLBAS_LOWER_MASK));
  EXPECT_EQ(n.active_format_index(), libnvme_index);
}

TEST(IdentifyCodec, ParseTrimsTrailingSpacesAndNuls) {
  auto page = zero_page();
  // SN: " S1 X " then a NUL then spaces: both kinds of padding, mixed.
  std::memset(page.data() + kSn.offset, ' ', kSn.width);
  std::memcpy(page.data() + kSn.offset, " S1 X ", 6);
  page[kSn.offset + 7] = std::byte{0};
  put_text(page, kMn, "QEMU NVMe Ctrl");  // rest stays NUL
  std::memset(page.data() + kFr.offset, ' ', kFr.width);
  const auto c = parse_identify_controller(page);
  EXPECT_EQ(c.sn, " S1 X");  // leading and inner spaces are kept
  EXPECT_EQ(c.mn, "QEMU NVMe Ctrl");
  EXPECT_EQ(c.fr, "");  // all padding
  EXPECT_EQ(c.subnqn, "");
}

TEST(IdentifyCodec, EncodePadsWithSpacesAndRejectsOverlongStrings) {
  IdentifyController c;
  c.sn = "ABC";
  auto page = encode_identify_controller(c);
  const auto sn = std::span(page).subspan(kSn.offset, kSn.width);
  EXPECT_EQ(std::to_integer<char>(sn[0]), 'A');
  for (size_t i = 3; i < sn.size(); ++i) EXPECT_EQ(std::to_integer<char>(sn[i]), ' ') << i;
  EXPECT_TRUE(is_printable_ascii_padded(sn));
  // An empty model number is all spaces, which is still well formed.
  EXPECT_TRUE(is_printable_ascii_padded(std::span(page).subspan(kMn.offset, kMn.width)));

  c.sn = std::string(21, 'x');
  try {
    encode_identify_controller(c);
    FAIL() << "a 21-character serial number was encoded";
  } catch (const DriverError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("sn"), std::string::npos) << e.what();
  }
}

TEST(IdentifyCodec, EncodeRejectsValuesWiderThanTheirField) {
  IdentifyController c;
  c.ieee = 0x01000000;  // 25 bits in a 3-byte field
  EXPECT_THROW(encode_identify_controller(c), DriverError);
  c = IdentifyController{};
  c.psd[0].aps = 4;  // two bits on the wire
  EXPECT_THROW(encode_identify_controller(c), DriverError);
  IdentifyNamespace n;
  n.lbaf[3].rp = 4;
  EXPECT_THROW(encode_identify_namespace(n), DriverError);
}

TEST(IdentifyCodec, PrintableAsciiRule) {
  auto bytes = [](const char* s, size_t n) {
    return std::vector<std::byte>(reinterpret_cast<const std::byte*>(s), reinterpret_cast<const std::byte*>(s) + n);
  };
  EXPECT_TRUE(is_printable_ascii_padded(bytes("QEMU NVMe Ctrl      ", 20)));
  EXPECT_TRUE(is_printable_ascii_padded(bytes("~!09AZaz", 8)));
  EXPECT_FALSE(is_printable_ascii_padded(bytes("QEMU\0\0\0\0", 8)));    // NUL padding
  EXPECT_FALSE(is_printable_ascii_padded(bytes("A\tB     ", 8)));       // control byte
  EXPECT_FALSE(is_printable_ascii_padded(bytes("caf\xc3\xa9   ", 8)));  // UTF-8 is not ASCII
  EXPECT_FALSE(is_printable_ascii_padded(bytes("DEL\x7f    ", 8)));
}

TEST(IdentifyCodec, ShortPagesAreRejected) {
  const std::vector<std::byte> short_page(kIdentifyPageSize - 1);
  for (auto parse : {+[](std::span<const std::byte> p) { parse_identify_controller(p); },
                     +[](std::span<const std::byte> p) { parse_identify_namespace(p); },
                     +[](std::span<const std::byte> p) { parse_active_namespace_list(p); },
                     +[](std::span<const std::byte> p) { parse_namespace_descriptors(p); }}) {
    try {
      parse(short_page);
      ADD_FAILURE() << "a 4095-byte page was parsed";
    } catch (const DriverError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
    }
  }
}

TEST(IdentifyCodec, FlbasIndexUsesUpperBitsOnlyBeyondSixteenFormats) {
  IdentifyNamespace n;
  n.flbas = 0x65;  // bits 6:5 = 11b, bit 4 = 0, bits 3:0 = 5
  n.nlbaf = 15;    // 16 formats: bits 6:5 are reserved
  EXPECT_EQ(n.format_count(), 16u);
  EXPECT_EQ(n.active_format_index(), 5);
  n.nlbaf = 16;  // 17 formats: index 53 = 110101b
  EXPECT_EQ(n.active_format_index(), 0x35);
  n.nlbaf = 63;
  n.flbas = 0x5F;  // bits 6:5 = 10b, bit 4 (metadata) set, bits 3:0 = 15
  EXPECT_EQ(n.active_format_index(), 0x2F);
  EXPECT_TRUE(n.metadata_extended());
  n.lbaf[0x2F] = LbaFormat{8, 12, 0};
  EXPECT_EQ(n.lba_size(), 4096u);
  EXPECT_EQ(n.active_format().ms, 8);
}

TEST(IdentifyCodec, LbaFormatDataSize) {
  EXPECT_EQ((LbaFormat{0, 9, 0}.data_size()), 512u);
  EXPECT_EQ((LbaFormat{0, 12, 0}.data_size()), 4096u);
  EXPECT_EQ((LbaFormat{0, 0, 0}.data_size()), 0u);   // format not available
  EXPECT_EQ((LbaFormat{0, 64, 0}.data_size()), 0u);  // nonsense, not UB
  EXPECT_EQ(IdentifyNamespace{}.format_count(), 1u);
}

TEST(IdentifyCodec, ActiveNamespaceListStopsAtFirstZero) {
  const std::vector<uint32_t> nsids = {1, 2, 7, 0xFFFFFFFE};
  auto page = encode_active_namespace_list(nsids);
  EXPECT_EQ(parse_active_namespace_list(page), nsids);
  // An entry after the terminating zero is not part of the list.
  page[5 * 4] = std::byte{9};
  EXPECT_EQ(parse_active_namespace_list(page), nsids);
  // A full page of 1024 NSIDs.
  std::vector<uint32_t> full(1024);
  for (uint32_t i = 0; i < full.size(); ++i) full[i] = i + 1;
  EXPECT_EQ(parse_active_namespace_list(encode_active_namespace_list(full)), full);
  full.push_back(1025);
  EXPECT_THROW(encode_active_namespace_list(full), DriverError);
  EXPECT_TRUE(parse_active_namespace_list(zero_page()).empty());
}

TEST(IdentifyCodec, NamespaceDescriptorsRoundTrip) {
  const std::vector<NamespaceIdDescriptor> descriptors = {
      {NamespaceIdDescriptor::kEui64, {1, 2, 3, 4, 5, 6, 7, 8}},
      {NamespaceIdDescriptor::kNguid, std::vector<uint8_t>(16, 0xAB)},
      {NamespaceIdDescriptor::kUuid, std::vector<uint8_t>(16, 0xCD)},
      {NamespaceIdDescriptor::kCsi, {0}},
  };
  const auto page = encode_namespace_descriptors(descriptors);
  EXPECT_EQ(std::to_integer<int>(page[0]), 1);   // NIDT
  EXPECT_EQ(std::to_integer<int>(page[1]), 8);   // NIDL
  EXPECT_EQ(std::to_integer<int>(page[4]), 1);   // NID starts after the 4-byte header
  EXPECT_EQ(std::to_integer<int>(page[12]), 2);  // second descriptor at 4 + 8
  EXPECT_EQ(parse_namespace_descriptors(page), descriptors);
  EXPECT_TRUE(parse_namespace_descriptors(zero_page()).empty());
}

TEST(IdentifyCodec, NamespaceDescriptorRunningPastThePageIsAProtocolViolation) {
  auto page = zero_page();
  // Fifteen well-formed 4+255-byte descriptors end at 3885; a sixteenth that
  // claims 255 bytes would end at 4144, past the page.
  size_t offset = 0;
  for (int i = 0; i < 16; ++i, offset += 4 + 255) {
    page[offset] = std::byte{3};
    page[offset + 1] = std::byte{255};
  }
  const size_t bad = 15 * (4 + 255);
  ASSERT_GT(bad + 4 + 255, kIdentifyPageSize);
  try {
    parse_namespace_descriptors(page);
    FAIL() << "a descriptor past the page end was accepted";
  } catch (const DriverError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kProtocolViolation);
    EXPECT_NE(std::string(e.what()).find("byte " + std::to_string(bad)), std::string::npos) << e.what();
  }
  // Cut the list short before the bad one (NIDL 0 terminates): it parses.
  page[bad + 1] = std::byte{0};
  EXPECT_EQ(parse_namespace_descriptors(page).size(), 15u);
}

TEST(IdentifyCodec, NamespaceDescriptorsFillingThePageExactlyParse) {
  // 16 descriptors of 4 + 252 bytes fill 4096 bytes with no terminator.
  std::vector<NamespaceIdDescriptor> descriptors(16, {NamespaceIdDescriptor::kUuid, std::vector<uint8_t>(252, 0x5A)});
  EXPECT_EQ(parse_namespace_descriptors(encode_namespace_descriptors(descriptors)), descriptors);
  descriptors.push_back({NamespaceIdDescriptor::kCsi, {0}});
  EXPECT_THROW(encode_namespace_descriptors(descriptors), DriverError);
  EXPECT_THROW(encode_namespace_descriptors({{NamespaceIdDescriptor::kCsi, {}}}), DriverError);
}

TEST(Uint128, DecimalAndOrdering) {
  EXPECT_EQ((Uint128{0, 0}.to_decimal()), "0");
  EXPECT_EQ((Uint128{18446744073709551615ull, 0}.to_decimal()), "18446744073709551615");
  EXPECT_EQ((Uint128{0, 1}.to_decimal()), "18446744073709551616");
  EXPECT_EQ((Uint128{~0ull, ~0ull}.to_decimal()), "340282366920938463463374607431768211455");
  EXPECT_LT((Uint128{~0ull, 0}), (Uint128{0, 1}));
  EXPECT_EQ((Uint128{5, 1}.saturated_64()), ~0ull);
  EXPECT_EQ((Uint128{5, 0}.saturated_64()), 5u);
}

}  // namespace
}  // namespace nvqual
