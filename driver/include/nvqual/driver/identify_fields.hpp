// Every field of Identify Controller and Identify Namespace, written once:
// spec name, byte offset, width, the member that holds it (identify.hpp),
// nvme-cli's JSON key where it is not the spec name, and how nvme-cli shows it
// (identify_field_descriptor.hpp). The parsers, the encoders the simulator
// builds its pages with, the layout tables (identify_layout.hpp) and the
// app's `identify` text and JSON all read these tables; adding a field is
// adding its member and one line here. tests/driver/identify_layout_test.cpp
// checks the offsets against libnvme's <nvme/types.h>.
#pragma once

#include <array>
#include <type_traits>

#include "nvqual/driver/identify.hpp"
#include "nvqual/driver/identify_field_descriptor.hpp"

namespace nvqual {

// NVMe Base 2.0, Figure 276: Power State Descriptor (32 bytes per entry).
// JSON keys are nvme-cli's "psds" entry keys.
inline constexpr std::array kPowerStateFields = [] {
  using P = PowerStateDescriptor;
  return std::array{
      field("mp", 0, 2, &P::mp).key("max_power"),
      field("flags", 3, 1, &P::mxps).bit_range(0, 1).key("max_power_scale"),
      field("flags", 3, 1, &P::nops).bit_range(1, 1).key("non-operational_state"),
      field("enlat", 4, 4, &P::enlat).key("entry_lat"),
      field("exlat", 8, 4, &P::exlat).key("exit_lat"),
      field("rrt", 12, 1, &P::rrt).bit_range(0, 5).key("read_tput"),   // 7:5 reserved
      field("rrl", 13, 1, &P::rrl).bit_range(0, 5).key("read_lat"),    // 7:5 reserved
      field("rwt", 14, 1, &P::rwt).bit_range(0, 5).key("write_tput"),  // 7:5 reserved
      field("rwl", 15, 1, &P::rwl).bit_range(0, 5).key("write_lat"),   // 7:5 reserved
      field("idlp", 16, 2, &P::idlp).key("idle_power"),
      field("ips", 18, 1, &P::ips).bit_range(6, 2).key("idle_scale"),
      field("actp", 20, 2, &P::actp).key("active_power"),
      field("apws", 22, 1, &P::apw).bit_range(0, 3).key("active_power_work"),
      field("apws", 22, 1, &P::aps).bit_range(6, 2).key("active_scale"),
  };
}();
static_assert(well_formed(kPowerStateFields, kEntryWireSize<PowerStateDescriptor>));

// NVMe Base 2.0, Figure 275: Identify Controller data structure (CNS 01h).
inline constexpr std::array kIdentifyControllerFields = [] {
  using C = IdentifyController;
  using enum Show;
  return std::array{
      // Controller capabilities and features (bytes 0-255)
      field("vid", 0, 2, &C::vid, kHex),
      field("ssvid", 2, 2, &C::ssvid, kHex),
      field("sn", 4, 20, &C::sn, kText),
      field("mn", 24, 40, &C::mn, kText),
      field("fr", 64, 8, &C::fr, kText),
      field("rab", 72, 1, &C::rab),
      field("ieee", 73, 3, &C::ieee, kOui),
      field("cmic", 76, 1, &C::cmic, kHex),
      field("mdts", 77, 1, &C::mdts),
      field("cntlid", 78, 2, &C::cntlid, kHex),
      field("ver", 80, 4, &C::ver, kHex),
      field("rtd3r", 84, 4, &C::rtd3r, kHex),
      field("rtd3e", 88, 4, &C::rtd3e, kHex),
      field("oaes", 92, 4, &C::oaes, kHex),
      field("ctratt", 96, 4, &C::ctratt, kHex),
      field("rrls", 100, 2, &C::rrls, kHex),
      field("cntrltype", 111, 1, &C::cntrltype),
      field("fguid", 112, 16, &C::fguid, kUuid),
      field("crdt1", 128, 2, &C::crdt1),
      field("crdt2", 130, 2, &C::crdt2),
      field("crdt3", 132, 2, &C::crdt3),
      field("nvmsr", 253, 1, &C::nvmsr),  // NVMe-MI fields, bytes 253-255
      field("vwci", 254, 1, &C::vwci),
      field("mec", 255, 1, &C::mec),
      // Admin command set attributes and optional controller capabilities (bytes 256-511)
      field("oacs", 256, 2, &C::oacs, kHex),
      field("acl", 258, 1, &C::acl),
      field("aerl", 259, 1, &C::aerl),
      field("frmw", 260, 1, &C::frmw, kHex),
      field("lpa", 261, 1, &C::lpa, kHex),
      field("elpe", 262, 1, &C::elpe),
      field("npss", 263, 1, &C::npss),
      field("avscc", 264, 1, &C::avscc, kHex),
      field("apsta", 265, 1, &C::apsta, kHex),
      field("wctemp", 266, 2, &C::wctemp),
      field("cctemp", 268, 2, &C::cctemp),
      field("mtfa", 270, 2, &C::mtfa),
      field("hmpre", 272, 4, &C::hmpre),
      field("hmmin", 276, 4, &C::hmmin),
      field("tnvmcap", 280, 16, &C::tnvmcap),
      field("unvmcap", 296, 16, &C::unvmcap),
      field("rpmbs", 312, 4, &C::rpmbs, kHex),
      field("edstt", 316, 2, &C::edstt),
      field("dsto", 318, 1, &C::dsto),
      field("fwug", 319, 1, &C::fwug),
      field("kas", 320, 2, &C::kas),
      field("hctma", 322, 2, &C::hctma, kHex),
      field("mntmt", 324, 2, &C::mntmt),
      field("mxtmt", 326, 2, &C::mxtmt),
      field("sanicap", 328, 4, &C::sanicap, kHex),
      field("hmminds", 332, 4, &C::hmminds),
      field("hmmaxd", 336, 2, &C::hmmaxd),
      field("nsetidmax", 338, 2, &C::nsetidmax),
      field("endgidmax", 340, 2, &C::endgidmax),
      field("anatt", 342, 1, &C::anatt),
      field("anacap", 343, 1, &C::anacap),
      field("anagrpmax", 344, 4, &C::anagrpmax),
      field("nanagrpid", 348, 4, &C::nanagrpid),
      field("pels", 352, 4, &C::pels),
      field("domainid", 356, 2, &C::domainid),
      field("megcap", 368, 16, &C::megcap),
      // NVM command set attributes (bytes 512-767)
      field("sqes", 512, 1, &C::sqes, kHex),
      field("cqes", 513, 1, &C::cqes, kHex),
      field("maxcmd", 514, 2, &C::maxcmd),
      field("nn", 516, 4, &C::nn),
      field("oncs", 520, 2, &C::oncs, kHex),
      field("fuses", 522, 2, &C::fuses, kHex),
      field("fna", 524, 1, &C::fna, kHex),
      field("vwc", 525, 1, &C::vwc, kHex),
      field("awun", 526, 2, &C::awun),
      field("awupf", 528, 2, &C::awupf),
      field("icsvscc", 530, 1, &C::icsvscc),
      field("nwpc", 531, 1, &C::nwpc),
      field("acwu", 532, 2, &C::acwu),
      field("ocfs", 534, 2, &C::ocfs, kHex),
      field("sgls", 536, 4, &C::sgls, kHex),
      field("mnan", 540, 4, &C::mnan),
      field("maxdna", 544, 16, &C::maxdna),
      field("maxcna", 560, 4, &C::maxcna),
      field("subnqn", 768, 256, &C::subnqn, kText).nul_padded(),
      // NVMe over Fabrics attributes (bytes 1792-2047)
      field("ioccsz", 1792, 4, &C::ioccsz),
      field("iorcsz", 1796, 4, &C::iorcsz),
      field("icdoff", 1800, 2, &C::icdoff),
      field("fcatt", 1802, 1, &C::fcatt, kHex),
      field("msdbd", 1803, 1, &C::msdbd),
      field("ofcs", 1804, 2, &C::ofcs),
      field("dctype", 1806, 1, &C::dctype),
      // Power state descriptors 0..NPSS (bytes 2048-3071) and vendor specific (3072-4095)
      field("psd", 2048, 1024, &C::psd, kEntries).key("psds").entries_up_to(&C::npss),
      field("vs", 3072, 1024, &C::vs, kNotShown),
  };
}();
static_assert(well_formed(kIdentifyControllerFields, kIdentifyPageSize));

// NVM Command Set 1.0, Figure 98: LBA Format data structure (4 bytes per
// entry). JSON keys are nvme-cli's "lbafs" entry keys.
inline constexpr std::array kLbaFormatFields = [] {
  using F = LbaFormat;
  return std::array{
      field("ms", 0, 2, &F::ms),
      field("lbads", 2, 1, &F::lbads).key("ds"),
      field("rp", 3, 1, &F::rp, Show::kHex).bit_range(0, 2),
  };
}();
static_assert(well_formed(kLbaFormatFields, kEntryWireSize<LbaFormat>));

// NVM Command Set 1.0, Figure 97: Identify Namespace data structure (CNS 00h).
inline constexpr std::array kIdentifyNamespaceFields = [] {
  using N = IdentifyNamespace;
  using enum Show;
  return std::array{
      field("nsze", 0, 8, &N::nsze, kHex),
      field("ncap", 8, 8, &N::ncap, kHex),
      field("nuse", 16, 8, &N::nuse, kHex),
      field("nsfeat", 24, 1, &N::nsfeat, kHex),
      field("nlbaf", 25, 1, &N::nlbaf),
      field("flbas", 26, 1, &N::flbas, kHex),
      field("mc", 27, 1, &N::mc, kHex),
      field("dpc", 28, 1, &N::dpc, kHex),
      field("dps", 29, 1, &N::dps, kHex),
      field("nmic", 30, 1, &N::nmic, kHex),
      field("rescap", 31, 1, &N::rescap, kHex),
      field("fpi", 32, 1, &N::fpi, kHex),
      field("dlfeat", 33, 1, &N::dlfeat),
      field("nawun", 34, 2, &N::nawun),
      field("nawupf", 36, 2, &N::nawupf),
      field("nacwu", 38, 2, &N::nacwu),
      field("nabsn", 40, 2, &N::nabsn),
      field("nabo", 42, 2, &N::nabo),
      field("nabspf", 44, 2, &N::nabspf),
      field("noiob", 46, 2, &N::noiob),
      field("nvmcap", 48, 16, &N::nvmcap),
      // Unlike nvme-cli, which hides them unless NSFEAT bit 4 is set, the
      // preferred granularity fields are always shown: a conformance tool
      // wants to see a value the device should have left zero.
      field("npwg", 64, 2, &N::npwg),
      field("npwa", 66, 2, &N::npwa),
      field("npdg", 68, 2, &N::npdg),
      field("npda", 70, 2, &N::npda),
      field("nows", 72, 2, &N::nows),
      field("mssrl", 74, 2, &N::mssrl),
      field("mcl", 76, 4, &N::mcl),
      field("msrc", 80, 1, &N::msrc),
      field("nulbaf", 82, 1, &N::nulbaf),
      field("anagrpid", 92, 4, &N::anagrpid),
      field("nsattr", 99, 1, &N::nsattr),
      field("nvmsetid", 100, 2, &N::nvmsetid),
      field("endgid", 102, 2, &N::endgid),
      field("nguid", 104, 16, &N::nguid, kHexBytes),
      field("eui64", 120, 8, &N::eui64, kHexBytes),
      // LBA formats 0..NLBAF (bytes 128-383)
      field("lbaf", 128, 256, &N::lbaf, kEntries).key("lbafs").entries_up_to(&N::nlbaf),
      // Bytes 384-4095 as one vendor range (libnvme names bytes 384-391 LBSTM, from a later revision).
      field("vs", 384, 3712, &N::vs, kVendorRows),
  };
}();
static_assert(well_formed(kIdentifyNamespaceFields, kIdentifyPageSize));

// The table that describes one entry of a list field.
constexpr const auto& entry_fields(std::type_identity<PowerStateDescriptor>) { return kPowerStateFields; }
constexpr const auto& entry_fields(std::type_identity<LbaFormat>) { return kLbaFormatFields; }

}  // namespace nvqual
