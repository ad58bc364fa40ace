// Byte offsets and widths of every named field in the Identify structures: the
// single source of truth that the parsers, the encoders and raw conformance
// checks all read. Offsets are from NVMe Base 2.0 Figure 275 (controller),
// Figure 276 (power state descriptor) and NVM Command Set 1.0 Figures 97/98
// (namespace, LBA format). tests/driver/identify_layout_test.cpp checks them
// against libnvme's <nvme/types.h>.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace nvqual {

struct FieldSpec {
  const char* name;
  uint16_t offset;  // from the start of the enclosing structure
  uint16_t width;   // bytes
  constexpr uint16_t end() const { return static_cast<uint16_t>(offset + width); }
};

// 2.0 Figure 275: Identify Controller.
namespace id_ctrl_layout {
inline constexpr FieldSpec vid{"vid", 0, 2};
inline constexpr FieldSpec ssvid{"ssvid", 2, 2};
inline constexpr FieldSpec sn{"sn", 4, 20};
inline constexpr FieldSpec mn{"mn", 24, 40};
inline constexpr FieldSpec fr{"fr", 64, 8};
inline constexpr FieldSpec rab{"rab", 72, 1};
inline constexpr FieldSpec ieee{"ieee", 73, 3};
inline constexpr FieldSpec cmic{"cmic", 76, 1};
inline constexpr FieldSpec mdts{"mdts", 77, 1};
inline constexpr FieldSpec cntlid{"cntlid", 78, 2};
inline constexpr FieldSpec ver{"ver", 80, 4};
inline constexpr FieldSpec rtd3r{"rtd3r", 84, 4};
inline constexpr FieldSpec rtd3e{"rtd3e", 88, 4};
inline constexpr FieldSpec oaes{"oaes", 92, 4};
inline constexpr FieldSpec ctratt{"ctratt", 96, 4};
inline constexpr FieldSpec rrls{"rrls", 100, 2};
inline constexpr FieldSpec cntrltype{"cntrltype", 111, 1};
inline constexpr FieldSpec fguid{"fguid", 112, 16};
inline constexpr FieldSpec crdt1{"crdt1", 128, 2};
inline constexpr FieldSpec crdt2{"crdt2", 130, 2};
inline constexpr FieldSpec crdt3{"crdt3", 132, 2};
inline constexpr FieldSpec nvmsr{"nvmsr", 253, 1};
inline constexpr FieldSpec vwci{"vwci", 254, 1};
inline constexpr FieldSpec mec{"mec", 255, 1};
inline constexpr FieldSpec oacs{"oacs", 256, 2};
inline constexpr FieldSpec acl{"acl", 258, 1};
inline constexpr FieldSpec aerl{"aerl", 259, 1};
inline constexpr FieldSpec frmw{"frmw", 260, 1};
inline constexpr FieldSpec lpa{"lpa", 261, 1};
inline constexpr FieldSpec elpe{"elpe", 262, 1};
inline constexpr FieldSpec npss{"npss", 263, 1};
inline constexpr FieldSpec avscc{"avscc", 264, 1};
inline constexpr FieldSpec apsta{"apsta", 265, 1};
inline constexpr FieldSpec wctemp{"wctemp", 266, 2};
inline constexpr FieldSpec cctemp{"cctemp", 268, 2};
inline constexpr FieldSpec mtfa{"mtfa", 270, 2};
inline constexpr FieldSpec hmpre{"hmpre", 272, 4};
inline constexpr FieldSpec hmmin{"hmmin", 276, 4};
inline constexpr FieldSpec tnvmcap{"tnvmcap", 280, 16};
inline constexpr FieldSpec unvmcap{"unvmcap", 296, 16};
inline constexpr FieldSpec rpmbs{"rpmbs", 312, 4};
inline constexpr FieldSpec edstt{"edstt", 316, 2};
inline constexpr FieldSpec dsto{"dsto", 318, 1};
inline constexpr FieldSpec fwug{"fwug", 319, 1};
inline constexpr FieldSpec kas{"kas", 320, 2};
inline constexpr FieldSpec hctma{"hctma", 322, 2};
inline constexpr FieldSpec mntmt{"mntmt", 324, 2};
inline constexpr FieldSpec mxtmt{"mxtmt", 326, 2};
inline constexpr FieldSpec sanicap{"sanicap", 328, 4};
inline constexpr FieldSpec hmminds{"hmminds", 332, 4};
inline constexpr FieldSpec hmmaxd{"hmmaxd", 336, 2};
inline constexpr FieldSpec nsetidmax{"nsetidmax", 338, 2};
inline constexpr FieldSpec endgidmax{"endgidmax", 340, 2};
inline constexpr FieldSpec anatt{"anatt", 342, 1};
inline constexpr FieldSpec anacap{"anacap", 343, 1};
inline constexpr FieldSpec anagrpmax{"anagrpmax", 344, 4};
inline constexpr FieldSpec nanagrpid{"nanagrpid", 348, 4};
inline constexpr FieldSpec pels{"pels", 352, 4};
inline constexpr FieldSpec domainid{"domainid", 356, 2};
inline constexpr FieldSpec megcap{"megcap", 368, 16};
inline constexpr FieldSpec sqes{"sqes", 512, 1};
inline constexpr FieldSpec cqes{"cqes", 513, 1};
inline constexpr FieldSpec maxcmd{"maxcmd", 514, 2};
inline constexpr FieldSpec nn{"nn", 516, 4};
inline constexpr FieldSpec oncs{"oncs", 520, 2};
inline constexpr FieldSpec fuses{"fuses", 522, 2};
inline constexpr FieldSpec fna{"fna", 524, 1};
inline constexpr FieldSpec vwc{"vwc", 525, 1};
inline constexpr FieldSpec awun{"awun", 526, 2};
inline constexpr FieldSpec awupf{"awupf", 528, 2};
inline constexpr FieldSpec icsvscc{"icsvscc", 530, 1};
inline constexpr FieldSpec nwpc{"nwpc", 531, 1};
inline constexpr FieldSpec acwu{"acwu", 532, 2};
inline constexpr FieldSpec ocfs{"ocfs", 534, 2};
inline constexpr FieldSpec sgls{"sgls", 536, 4};
inline constexpr FieldSpec mnan{"mnan", 540, 4};
inline constexpr FieldSpec maxdna{"maxdna", 544, 16};
inline constexpr FieldSpec maxcna{"maxcna", 560, 4};
inline constexpr FieldSpec subnqn{"subnqn", 768, 256};
inline constexpr FieldSpec ioccsz{"ioccsz", 1792, 4};
inline constexpr FieldSpec iorcsz{"iorcsz", 1796, 4};
inline constexpr FieldSpec icdoff{"icdoff", 1800, 2};
inline constexpr FieldSpec fcatt{"fcatt", 1802, 1};
inline constexpr FieldSpec msdbd{"msdbd", 1803, 1};
inline constexpr FieldSpec ofcs{"ofcs", 1804, 2};
inline constexpr FieldSpec dctype{"dctype", 1806, 1};
inline constexpr FieldSpec psd{"psd", 2048, 1024};  // 32 descriptors, see id_psd_layout
inline constexpr FieldSpec vs{"vs", 3072, 1024};

inline constexpr std::size_t kPsdCount = 32;

inline constexpr std::array all{
    vid,       ssvid,     sn,     mn,       fr,      rab,       ieee,    cmic,      mdts,      cntlid, ver,
    rtd3r,     rtd3e,     oaes,   ctratt,   rrls,    cntrltype, fguid,   crdt1,     crdt2,     crdt3,  nvmsr,
    vwci,      mec,       oacs,   acl,      aerl,    frmw,      lpa,     elpe,      npss,      avscc,  apsta,
    wctemp,    cctemp,    mtfa,   hmpre,    hmmin,   tnvmcap,   unvmcap, rpmbs,     edstt,     dsto,   fwug,
    kas,       hctma,     mntmt,  mxtmt,    sanicap, hmminds,   hmmaxd,  nsetidmax, endgidmax, anatt,  anacap,
    anagrpmax, nanagrpid, pels,   domainid, megcap,  sqes,      cqes,    maxcmd,    nn,        oncs,   fuses,
    fna,       vwc,       awun,   awupf,    icsvscc, nwpc,      acwu,    ocfs,      sgls,      mnan,   maxdna,
    maxcna,    subnqn,    ioccsz, iorcsz,   icdoff,  fcatt,     msdbd,   ofcs,      dctype,    psd,    vs,
};
}  // namespace id_ctrl_layout

// 2.0 Figure 276: Power State Descriptor, offsets within one 32-byte entry.
// Byte 3 holds MXPS (bit 0) and NOPS (bit 1); byte 18 holds IPS (bits 7:6);
// byte 22 holds APW (bits 2:0) and APS (bits 7:6).
namespace id_psd_layout {
inline constexpr uint16_t kSize = 32;
inline constexpr FieldSpec mp{"mp", 0, 2};
inline constexpr FieldSpec flags{"flags", 3, 1};
inline constexpr FieldSpec enlat{"enlat", 4, 4};
inline constexpr FieldSpec exlat{"exlat", 8, 4};
inline constexpr FieldSpec rrt{"rrt", 12, 1};
inline constexpr FieldSpec rrl{"rrl", 13, 1};
inline constexpr FieldSpec rwt{"rwt", 14, 1};
inline constexpr FieldSpec rwl{"rwl", 15, 1};
inline constexpr FieldSpec idlp{"idlp", 16, 2};
inline constexpr FieldSpec ips{"ips", 18, 1};
inline constexpr FieldSpec actp{"actp", 20, 2};
inline constexpr FieldSpec apws{"apws", 22, 1};

inline constexpr std::array all{mp, flags, enlat, exlat, rrt, rrl, rwt, rwl, idlp, ips, actp, apws};
}  // namespace id_psd_layout

// NVM Command Set 1.0 Figure 97: Identify Namespace.
namespace id_ns_layout {
inline constexpr FieldSpec nsze{"nsze", 0, 8};
inline constexpr FieldSpec ncap{"ncap", 8, 8};
inline constexpr FieldSpec nuse{"nuse", 16, 8};
inline constexpr FieldSpec nsfeat{"nsfeat", 24, 1};
inline constexpr FieldSpec nlbaf{"nlbaf", 25, 1};
inline constexpr FieldSpec flbas{"flbas", 26, 1};
inline constexpr FieldSpec mc{"mc", 27, 1};
inline constexpr FieldSpec dpc{"dpc", 28, 1};
inline constexpr FieldSpec dps{"dps", 29, 1};
inline constexpr FieldSpec nmic{"nmic", 30, 1};
inline constexpr FieldSpec rescap{"rescap", 31, 1};
inline constexpr FieldSpec fpi{"fpi", 32, 1};
inline constexpr FieldSpec dlfeat{"dlfeat", 33, 1};
inline constexpr FieldSpec nawun{"nawun", 34, 2};
inline constexpr FieldSpec nawupf{"nawupf", 36, 2};
inline constexpr FieldSpec nacwu{"nacwu", 38, 2};
inline constexpr FieldSpec nabsn{"nabsn", 40, 2};
inline constexpr FieldSpec nabo{"nabo", 42, 2};
inline constexpr FieldSpec nabspf{"nabspf", 44, 2};
inline constexpr FieldSpec noiob{"noiob", 46, 2};
inline constexpr FieldSpec nvmcap{"nvmcap", 48, 16};
inline constexpr FieldSpec npwg{"npwg", 64, 2};
inline constexpr FieldSpec npwa{"npwa", 66, 2};
inline constexpr FieldSpec npdg{"npdg", 68, 2};
inline constexpr FieldSpec npda{"npda", 70, 2};
inline constexpr FieldSpec nows{"nows", 72, 2};
inline constexpr FieldSpec mssrl{"mssrl", 74, 2};
inline constexpr FieldSpec mcl{"mcl", 76, 4};
inline constexpr FieldSpec msrc{"msrc", 80, 1};
inline constexpr FieldSpec nulbaf{"nulbaf", 82, 1};
inline constexpr FieldSpec anagrpid{"anagrpid", 92, 4};
inline constexpr FieldSpec nsattr{"nsattr", 99, 1};
inline constexpr FieldSpec nvmsetid{"nvmsetid", 100, 2};
inline constexpr FieldSpec endgid{"endgid", 102, 2};
inline constexpr FieldSpec nguid{"nguid", 104, 16};
inline constexpr FieldSpec eui64{"eui64", 120, 8};
inline constexpr FieldSpec lbaf{"lbaf", 128, 256};  // 64 formats, see id_lbaf_layout
inline constexpr FieldSpec vs{"vs", 384, 3712};

inline constexpr std::size_t kLbafCount = 64;

inline constexpr std::array all{
    nsze,  ncap,   nuse,  nsfeat, nlbaf,    flbas,  mc,       dpc,    dps,   nmic,  rescap, fpi,  dlfeat,
    nawun, nawupf, nacwu, nabsn,  nabo,     nabspf, noiob,    nvmcap, npwg,  npwa,  npdg,   npda, nows,
    mssrl, mcl,    msrc,  nulbaf, anagrpid, nsattr, nvmsetid, endgid, nguid, eui64, lbaf,   vs,
};
}  // namespace id_ns_layout

// NVM Command Set 1.0 Figure 98: LBA Format, offsets within one 4-byte entry.
// Byte 3 holds RP in bits 1:0.
namespace id_lbaf_layout {
inline constexpr uint16_t kSize = 4;
inline constexpr FieldSpec ms{"ms", 0, 2};
inline constexpr FieldSpec lbads{"lbads", 2, 1};
inline constexpr FieldSpec rp{"rp", 3, 1};

inline constexpr std::array all{ms, lbads, rp};
}  // namespace id_lbaf_layout

// 2.0 Figure 278: Namespace Identification Descriptor header.
namespace ns_id_desc_layout {
inline constexpr FieldSpec nidt{"nidt", 0, 1};
inline constexpr FieldSpec nidl{"nidl", 1, 1};
inline constexpr uint16_t kHeaderSize = 4;  // bytes 2-3 reserved
}  // namespace ns_id_desc_layout

}  // namespace nvqual
