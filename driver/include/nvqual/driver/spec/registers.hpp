// Controller registers (NVMe Base Specification 2.0, section 3.1.3), as typed
// values with named fields in spec order. Read a register, change a named
// field, write it back: call sites never shift or mask.
#pragma once

#include <chrono>
#include <cstdint>

#include "nvqual/driver/queue_limits.hpp"
#include "nvqual/driver/spec/bits.hpp"

namespace nvqual::spec {

// Byte offsets of the controller properties in BAR0 (2.0, Figure 35).
namespace reg {
inline constexpr uint32_t kCap = 0x00;
inline constexpr uint32_t kVs = 0x08;
inline constexpr uint32_t kIntms = 0x0C;
inline constexpr uint32_t kIntmc = 0x10;
inline constexpr uint32_t kCc = 0x14;
inline constexpr uint32_t kCsts = 0x1C;
inline constexpr uint32_t kNssr = 0x20;
inline constexpr uint32_t kAqa = 0x24;
inline constexpr uint32_t kAsq = 0x28;
inline constexpr uint32_t kAcq = 0x30;
inline constexpr uint32_t kCmbloc = 0x38;
inline constexpr uint32_t kCmbsz = 0x3C;
inline constexpr uint32_t kCrto = 0x68;
inline constexpr uint32_t kDoorbellBase = 0x1000;
}  // namespace reg

// A 32-bit register that reads 0xFFFFFFFF means the device is gone from the bus
// (surprise removal, BAR not reachable); no valid CSTS or CC reads that way.
inline constexpr uint32_t kAllOnes32 = 0xFFFFFFFFu;
inline constexpr uint64_t kAllOnes64 = ~uint64_t{0};

// 3.1.3.1 Offset 00h: CAP - Controller Capabilities.
struct Cap {
  using raw_type = uint64_t;
  raw_type raw = 0;
  NVQUAL_REG_FIELD(mqes, 15, 0)     // maximum queue entries supported, 0-based
  NVQUAL_REG_FIELD(cqr, 16, 16)     // contiguous queues required
  NVQUAL_REG_FIELD(ams, 18, 17)     // arbitration mechanisms supported
  NVQUAL_REG_FIELD(to, 31, 24)      // ready timeout, 500 ms units
  NVQUAL_REG_FIELD(dstrd, 35, 32)   // doorbell stride: 4 << DSTRD bytes
  NVQUAL_REG_FIELD(nssrs, 36, 36)   // NVM subsystem reset supported
  NVQUAL_REG_FIELD(css, 44, 37)     // command sets supported
  NVQUAL_REG_FIELD(bps, 45, 45)     // boot partition support
  NVQUAL_REG_FIELD(cps, 47, 46)     // controller power scope
  NVQUAL_REG_FIELD(mpsmin, 51, 48)  // memory page size minimum: 2^(12+MPSMIN)
  NVQUAL_REG_FIELD(mpsmax, 55, 52)  // memory page size maximum: 2^(12+MPSMAX)
  NVQUAL_REG_FIELD(pmrs, 56, 56)    // persistent memory region supported
  NVQUAL_REG_FIELD(cmbs, 57, 57)    // controller memory buffer supported
  NVQUAL_REG_FIELD(nsss, 58, 58)    // NVM subsystem shutdown supported
  NVQUAL_REG_FIELD(crms, 60, 59)    // controller ready modes supported (bit 0 CRWMS, bit 1 CRIMS)

  static constexpr uint64_t kCssNvm = 1u << 0;        // CSS bit 0: NVM command set
  static constexpr uint64_t kCssIoSets = 1u << 6;     // CSS bit 6: one or more I/O command sets
  static constexpr uint64_t kCssAdminOnly = 1u << 7;  // CSS bit 7: no I/O command set

  // MQES is 0-based: a value of 0x7FF means 2048 entries.
  constexpr uint32_t max_queue_entries() const { return static_cast<uint32_t>(mqes()) + 1; }
  constexpr std::chrono::milliseconds ready_timeout() const { return std::chrono::milliseconds(to() * 500); }
  constexpr uint32_t doorbell_stride_bytes() const { return 4u << dstrd(); }
  constexpr uint64_t min_page_size() const { return uint64_t{1} << (12 + mpsmin()); }
  constexpr uint64_t max_page_size() const { return uint64_t{1} << (12 + mpsmax()); }
  constexpr bool supports_nvm_command_set() const { return (css() & kCssNvm) != 0; }
  // CSS bit 6: CC.CSS may then select 110b (all supported I/O command sets).
  constexpr bool supports_io_command_sets() const { return (css() & kCssIoSets) != 0; }
  constexpr bool has_crto() const { return crms() != 0; }
  // 3.1.3.5 (CC.CSS): whether this CAP offers the set a CC.CSS value selects:
  // 000b NVM needs CSS bit 0, 110b all I/O command sets bit 6, 111b admin only
  // bit 7; every other CC.CSS value is reserved and never offered.
  constexpr bool offers_cc_css(uint32_t cc_css) const {
    switch (cc_css) {
      case 0b000: return (css() & kCssNvm) != 0;
      case 0b110: return (css() & kCssIoSets) != 0;
      case 0b111: return (css() & kCssAdminOnly) != 0;
      default: return false;
    }
  }
};

// 3.1.3.2 Offset 08h: VS - Version.
struct Version {
  using raw_type = uint32_t;
  raw_type raw = 0;
  NVQUAL_REG_FIELD(ter, 7, 0)    // tertiary version
  NVQUAL_REG_FIELD(mnr, 15, 8)   // minor version
  NVQUAL_REG_FIELD(mjr, 31, 16)  // major version
  constexpr bool at_least(uint32_t major, uint32_t minor) const {
    return mjr() > major || (mjr() == major && mnr() >= minor);
  }
};

// 3.1.3.5 Offset 14h: CC - Controller Configuration.
struct Cc {
  using raw_type = uint32_t;
  raw_type raw = 0;
  NVQUAL_REG_FIELD(en, 0, 0)        // enable
  NVQUAL_REG_FIELD(css, 6, 4)       // I/O command set selected
  NVQUAL_REG_FIELD(mps, 10, 7)      // memory page size: 2^(12+MPS)
  NVQUAL_REG_FIELD(ams, 13, 11)     // arbitration mechanism selected
  NVQUAL_REG_FIELD(shn, 15, 14)     // shutdown notification
  NVQUAL_REG_FIELD(iosqes, 19, 16)  // I/O SQ entry size: 2^n bytes
  NVQUAL_REG_FIELD(iocqes, 23, 20)  // I/O CQ entry size: 2^n bytes
  NVQUAL_REG_FIELD(crime, 24, 24)   // controller ready independent of media enable

  static constexpr uint32_t kCssNvm = 0b000;
  static constexpr uint32_t kCssAllIoSets = 0b110;
  static constexpr uint32_t kCssAdminOnly = 0b111;
  static constexpr uint32_t kAmsRoundRobin = 0b000;
  static constexpr uint32_t kShnNone = 0b00;
  static constexpr uint32_t kShnNormal = 0b01;
  static constexpr uint32_t kShnAbrupt = 0b10;
  static constexpr uint32_t kSqEntrySizeLog2 = 6;  // 64-byte submission entries
  static constexpr uint32_t kCqEntrySizeLog2 = 4;  // 16-byte completion entries

  constexpr uint64_t page_size() const { return uint64_t{1} << (12 + mps()); }
};

// 3.1.3.6 Offset 1Ch: CSTS - Controller Status.
struct Csts {
  using raw_type = uint32_t;
  raw_type raw = 0;
  NVQUAL_REG_FIELD(rdy, 0, 0)    // ready
  NVQUAL_REG_FIELD(cfs, 1, 1)    // controller fatal status
  NVQUAL_REG_FIELD(shst, 3, 2)   // shutdown status
  NVQUAL_REG_FIELD(nssro, 4, 4)  // NVM subsystem reset occurred
  NVQUAL_REG_FIELD(pp, 5, 5)     // processing paused
  NVQUAL_REG_FIELD(st, 6, 6)     // shutdown type

  static constexpr uint32_t kShstNormal = 0b00;
  static constexpr uint32_t kShstOccurring = 0b01;
  static constexpr uint32_t kShstComplete = 0b10;

  constexpr bool all_ones() const { return raw == kAllOnes32; }
};

// 3.1.3.3 Offset 0Ch: INTMS - Interrupt Mask Set. Writing 1 to a bit masks that
// vector; reads return the current mask. Pin-based and MSI only: with MSI-X
// (and for a polled driver) it has no effect, so nvqual only reads it.
struct Intms {
  using raw_type = uint32_t;
  raw_type raw = 0;
  NVQUAL_REG_FIELD(ivms, 31, 0)  // interrupt vector mask set
};

// 3.1.3.4 Offset 10h: INTMC - Interrupt Mask Clear. Writing 1 to a bit unmasks
// that vector; reads return the same mask as INTMS.
struct Intmc {
  using raw_type = uint32_t;
  raw_type raw = 0;
  NVQUAL_REG_FIELD(ivmc, 31, 0)  // interrupt vector mask clear
};

// 3.1.3.7 Offset 20h: NSSR - NVM Subsystem Reset. Writing "NVMe" starts a
// reset (when CAP.NSSRS); any other value has no effect; reads return 0.
struct Nssr {
  using raw_type = uint32_t;
  raw_type raw = 0;
  NVQUAL_REG_FIELD(nssrc, 31, 0)                       // NVM subsystem reset control
  static constexpr uint32_t kResetValue = 0x4E564D65;  // "NVMe"
  static constexpr Nssr reset() { return Nssr{kResetValue}; }
};

// 3.1.3.8 Offset 24h: AQA - Admin Queue Attributes. Both sizes are 0-based.
struct Aqa {
  using raw_type = uint32_t;
  raw_type raw = 0;
  NVQUAL_REG_FIELD(asqs, 11, 0)   // admin submission queue size, 0-based
  NVQUAL_REG_FIELD(acqs, 27, 16)  // admin completion queue size, 0-based
  static constexpr uint32_t kMaxEntries = queue_limits::kMaxAdminEntries;
  static constexpr Aqa for_entries(uint32_t sq_entries, uint32_t cq_entries) {
    return Aqa{}.set_asqs(sq_entries - 1).set_acqs(cq_entries - 1);
  }
  constexpr uint32_t sq_entries() const { return asqs() + 1; }
  constexpr uint32_t cq_entries() const { return acqs() + 1; }
};

// 3.1.3.9 / 3.1.3.10 Offsets 28h, 30h: ASQ, ACQ - admin queue base addresses.
// Bits 11:0 are reserved: the base is 4 KiB aligned.
struct QueueBase {
  using raw_type = uint64_t;
  raw_type raw = 0;
  static constexpr uint64_t kAlignment = 4096;
  constexpr uint64_t address() const { return raw & ~(kAlignment - 1); }
};

// 3.1.3.11 Offset 38h: CMBLOC - Controller Memory Buffer Location.
struct Cmbloc {
  using raw_type = uint32_t;
  raw_type raw = 0;
  NVQUAL_REG_FIELD(bir, 2, 0)
  NVQUAL_REG_FIELD(cqmms, 3, 3)
  NVQUAL_REG_FIELD(cqpds, 4, 4)
  NVQUAL_REG_FIELD(cdpmls, 5, 5)
  NVQUAL_REG_FIELD(cdpcils, 6, 6)
  NVQUAL_REG_FIELD(cdmmms, 7, 7)
  NVQUAL_REG_FIELD(cqda, 8, 8)
  NVQUAL_REG_FIELD(ofst, 31, 12)
};

// 3.1.3.12 Offset 3Ch: CMBSZ - Controller Memory Buffer Size.
struct Cmbsz {
  using raw_type = uint32_t;
  raw_type raw = 0;
  NVQUAL_REG_FIELD(sqs, 0, 0)
  NVQUAL_REG_FIELD(cqs, 1, 1)
  NVQUAL_REG_FIELD(lists, 2, 2)
  NVQUAL_REG_FIELD(rds, 3, 3)
  NVQUAL_REG_FIELD(wds, 4, 4)
  NVQUAL_REG_FIELD(szu, 11, 8)
  NVQUAL_REG_FIELD(sz, 31, 12)
  constexpr uint64_t size_bytes() const { return sz() * (uint64_t{4096} << (4 * szu())); }
};

// 3.1.3.20 Offset 68h: CRTO - Controller Ready Timeouts (2.0).
struct Crto {
  using raw_type = uint32_t;
  raw_type raw = 0;
  NVQUAL_REG_FIELD(crwmt, 15, 0)   // ready with media timeout, 500 ms units
  NVQUAL_REG_FIELD(crimt, 31, 16)  // ready independent of media timeout, 500 ms units
  constexpr std::chrono::milliseconds ready_with_media_timeout() const {
    return std::chrono::milliseconds(crwmt() * 500);
  }
};

// 3.1.3 (PCIe transport 3.1.2): doorbells follow the registers at 1000h.
constexpr uint32_t sq_tail_doorbell(uint16_t qid, uint32_t stride_bytes) {
  return reg::kDoorbellBase + (2u * qid) * stride_bytes;
}
constexpr uint32_t cq_head_doorbell(uint16_t qid, uint32_t stride_bytes) {
  return reg::kDoorbellBase + (2u * qid + 1u) * stride_bytes;
}

}  // namespace nvqual::spec
