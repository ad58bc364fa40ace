// Identify data structures as typed values (NVMe Base 2.0, 5.17.2; Identify
// Namespace from the NVM Command Set 1.0, 4.1.5.1), their parsers and the
// inverse encoders the simulated controller builds its pages with.
// Each field's offset, width and presentation is written once, in the tables
// of identify_fields.hpp, which drive both directions and the app's output.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "nvqual/driver/uint128.hpp"

namespace nvqual {

inline constexpr size_t kIdentifyPageSize = 4096;

// 2.0 Figure 276: Power State Descriptor (32 bytes). Bit fields are decoded;
// reserved bits are not kept.
struct PowerStateDescriptor {
  uint16_t mp = 0;     // maximum power, in 0.01 W (mxps=0) or 0.0001 W (mxps=1)
  bool mxps = false;   // max power scale (byte 3 bit 0)
  bool nops = false;   // non-operational state (byte 3 bit 1)
  uint32_t enlat = 0;  // entry latency, microseconds
  uint32_t exlat = 0;  // exit latency, microseconds
  uint8_t rrt = 0;     // relative read throughput (bits 4:0)
  uint8_t rrl = 0;     // relative read latency (bits 4:0)
  uint8_t rwt = 0;     // relative write throughput (bits 4:0)
  uint8_t rwl = 0;     // relative write latency (bits 4:0)
  uint16_t idlp = 0;   // idle power
  uint8_t ips = 0;     // idle power scale (byte 18 bits 7:6): 0 none, 1 0.0001 W, 2 0.01 W
  uint16_t actp = 0;   // active power
  uint8_t apw = 0;     // active power workload (byte 22 bits 2:0)
  uint8_t aps = 0;     // active power scale (byte 22 bits 7:6)

  friend bool operator==(const PowerStateDescriptor&, const PowerStateDescriptor&) = default;
};

// 2.0 Figure 275: Identify Controller data structure (CNS 01h), 4096 bytes.
// Field names follow the spec's abbreviations in lower case. Bit-field
// registers (OACS, ONCS, ...) are kept whole: their bits are named in the spec.
struct IdentifyController {
  // Controller capabilities and features (bytes 0-255)
  uint16_t vid = 0;
  uint16_t ssvid = 0;
  std::string sn;  // ASCII; trailing spaces and NULs trimmed
  std::string mn;
  std::string fr;
  uint8_t rab = 0;
  uint32_t ieee = 0;  // 24-bit OUI, bytes 73-75 little-endian
  uint8_t cmic = 0;
  uint8_t mdts = 0;
  uint16_t cntlid = 0;
  uint32_t ver = 0;
  uint32_t rtd3r = 0;
  uint32_t rtd3e = 0;
  uint32_t oaes = 0;
  uint32_t ctratt = 0;
  uint16_t rrls = 0;
  uint8_t cntrltype = 0;
  std::array<uint8_t, 16> fguid{};
  uint16_t crdt1 = 0;
  uint16_t crdt2 = 0;
  uint16_t crdt3 = 0;
  uint8_t nvmsr = 0;  // NVMe-MI fields, bytes 253-255
  uint8_t vwci = 0;
  uint8_t mec = 0;
  // Admin command set attributes (bytes 256-511)
  uint16_t oacs = 0;
  uint8_t acl = 0;
  uint8_t aerl = 0;
  uint8_t frmw = 0;
  uint8_t lpa = 0;
  uint8_t elpe = 0;
  uint8_t npss = 0;
  uint8_t avscc = 0;
  uint8_t apsta = 0;
  uint16_t wctemp = 0;  // Kelvin
  uint16_t cctemp = 0;  // Kelvin
  uint16_t mtfa = 0;
  uint32_t hmpre = 0;
  uint32_t hmmin = 0;
  Uint128 tnvmcap;
  Uint128 unvmcap;
  uint32_t rpmbs = 0;
  uint16_t edstt = 0;
  uint8_t dsto = 0;
  uint8_t fwug = 0;
  uint16_t kas = 0;
  uint16_t hctma = 0;
  uint16_t mntmt = 0;
  uint16_t mxtmt = 0;
  uint32_t sanicap = 0;
  uint32_t hmminds = 0;
  uint16_t hmmaxd = 0;
  uint16_t nsetidmax = 0;
  uint16_t endgidmax = 0;
  uint8_t anatt = 0;
  uint8_t anacap = 0;
  uint32_t anagrpmax = 0;
  uint32_t nanagrpid = 0;
  uint32_t pels = 0;
  uint16_t domainid = 0;
  Uint128 megcap;
  // NVM command set attributes (bytes 512-767)
  uint8_t sqes = 0;
  uint8_t cqes = 0;
  uint16_t maxcmd = 0;
  uint32_t nn = 0;
  uint16_t oncs = 0;
  uint16_t fuses = 0;
  uint8_t fna = 0;
  uint8_t vwc = 0;
  uint16_t awun = 0;
  uint16_t awupf = 0;
  uint8_t icsvscc = 0;
  uint8_t nwpc = 0;
  uint16_t acwu = 0;
  uint16_t ocfs = 0;
  uint32_t sgls = 0;
  uint32_t mnan = 0;
  Uint128 maxdna;
  uint32_t maxcna = 0;
  std::string subnqn;  // bytes 768-1023, NUL padded on the wire
  // Fabrics (bytes 1792-2047)
  uint32_t ioccsz = 0;
  uint32_t iorcsz = 0;
  uint16_t icdoff = 0;
  uint8_t fcatt = 0;
  uint8_t msdbd = 0;
  uint16_t ofcs = 0;
  uint8_t dctype = 0;
  // Power state descriptors (bytes 2048-3071) and vendor specific (3072-4095)
  std::array<PowerStateDescriptor, 32> psd{};
  std::vector<uint8_t> vs = std::vector<uint8_t>(1024, 0);

  // SQES/CQES (NVMe Base 2.0, Figure 275): bits 3:0 the required (minimum)
  // entry size, bits 7:4 the maximum, each as log2 of bytes.
  uint8_t sqes_min() const { return sqes & 0x0F; }
  uint8_t sqes_max() const { return sqes >> 4; }
  uint8_t cqes_min() const { return cqes & 0x0F; }
  uint8_t cqes_max() const { return cqes >> 4; }
  // MDTS (Figure 275) in bytes: 2^MDTS pages of CAP.MPSMIN (`min_page_size`,
  // a power of two); 0 means no limit. A limit of 2^63 bytes or more limits
  // nothing a host can send, so it is reported as none (and a hostile MDTS
  // never shifts past 64 bits).
  uint64_t max_transfer_bytes(uint64_t min_page_size) const {
    if (mdts == 0 || min_page_size == 0) return 0;
    if (std::countr_zero(min_page_size) + mdts >= 63) return 0;
    return min_page_size << mdts;
  }

  friend bool operator==(const IdentifyController&, const IdentifyController&) = default;
};

// NVM Command Set 1.0 Figure 98: LBA Format data structure (4 bytes).
struct LbaFormat {
  uint16_t ms = 0;    // metadata bytes per logical block
  uint8_t lbads = 0;  // LBA data size as a power of two; 0 = format not available
  uint8_t rp = 0;     // relative performance (bits 1:0 of byte 3)

  // Bytes of data per logical block: 2^lbads, or 0 when lbads is 0 (unused
  // format) or too large to be meaningful (>= 64).
  uint64_t data_size() const { return lbads == 0 || lbads >= 64 ? 0 : uint64_t{1} << lbads; }
  friend bool operator==(const LbaFormat&, const LbaFormat&) = default;
};

// NVM Command Set 1.0 Figure 97: Identify Namespace data structure (CNS 00h).
struct IdentifyNamespace {
  uint64_t nsze = 0;
  uint64_t ncap = 0;
  uint64_t nuse = 0;
  uint8_t nsfeat = 0;
  uint8_t nlbaf = 0;  // number of LBA formats, 0-based
  uint8_t flbas = 0;  // formatted LBA size: index bits 3:0 and 6:5, metadata bit 4
  uint8_t mc = 0;
  uint8_t dpc = 0;
  uint8_t dps = 0;
  uint8_t nmic = 0;
  uint8_t rescap = 0;
  uint8_t fpi = 0;
  uint8_t dlfeat = 0;
  uint16_t nawun = 0;
  uint16_t nawupf = 0;
  uint16_t nacwu = 0;
  uint16_t nabsn = 0;
  uint16_t nabo = 0;
  uint16_t nabspf = 0;
  uint16_t noiob = 0;
  Uint128 nvmcap;
  uint16_t npwg = 0;
  uint16_t npwa = 0;
  uint16_t npdg = 0;
  uint16_t npda = 0;
  uint16_t nows = 0;
  uint16_t mssrl = 0;
  uint32_t mcl = 0;
  uint8_t msrc = 0;
  uint8_t nulbaf = 0;
  uint32_t anagrpid = 0;
  uint8_t nsattr = 0;
  uint16_t nvmsetid = 0;
  uint16_t endgid = 0;
  std::array<uint8_t, 16> nguid{};
  std::array<uint8_t, 8> eui64{};
  std::array<LbaFormat, 64> lbaf{};
  std::vector<uint8_t> vs = std::vector<uint8_t>(3712, 0);  // bytes 384-4095

  // FLBAS bits 3:0, with bits 6:5 as bits 5:4 of the index when NLBAF > 16
  // (NVM Command Set 1.0, Figure 97 FLBAS).
  uint8_t active_format_index() const;
  // FLBAS bit 4: metadata transferred at the end of the data LBA (extended LBA).
  bool metadata_extended() const;
  const LbaFormat& active_format() const { return lbaf[active_format_index() % lbaf.size()]; }
  // Data size of the active format, in bytes.
  uint64_t lba_size() const { return active_format().data_size(); }
  // NLBAF is 0-based.
  uint32_t format_count() const { return uint32_t{nlbaf} + 1; }

  friend bool operator==(const IdentifyNamespace&, const IdentifyNamespace&) = default;
};

// LBADS bounds for a format data is moved in. 9 (512 bytes) is the spec's
// minimum (NVM Command Set 1.0, Figure 98). The spec sets no maximum; 16
// (64 KiB) is above any format devices ship, so a larger LBADS is far more
// likely corrupt Identify data than a real block size.
inline constexpr uint8_t kMinLbads = 9;
inline constexpr uint8_t kMaxLbads = 16;

// The active LBA format of namespace `nsid`, checked before any transfer is
// sized from it. Throws DriverError kProtocolViolation when FLBAS selects a
// format beyond NLBAF or LBADS is outside kMinLbads..kMaxLbads (the Identify
// data cannot be right), and kUnsupported when the format carries metadata
// (MS != 0): the driver never sets MPTR and does not size extended LBAs.
const LbaFormat& checked_active_format(const IdentifyNamespace& ns, uint32_t nsid);

// 2.0 5.17.2.3, Figure 278: Namespace Identification Descriptor.
struct NamespaceIdDescriptor {
  enum Type : uint8_t { kEui64 = 1, kNguid = 2, kUuid = 3, kCsi = 4 };
  uint8_t type = 0;         // NIDT
  std::vector<uint8_t> id;  // NID, NIDL bytes

  friend bool operator==(const NamespaceIdDescriptor&, const NamespaceIdDescriptor&) = default;
};

// Parsers. Each needs at least kIdentifyPageSize bytes, else DriverError(kInvalidArgument).
IdentifyController parse_identify_controller(std::span<const std::byte> page);
IdentifyNamespace parse_identify_namespace(std::span<const std::byte> page);
// 2.0 5.17.2.2 (CNS 02h): NSIDs in increasing order, the list ends at the first 0.
std::vector<uint32_t> parse_active_namespace_list(std::span<const std::byte> page);
// Ends at the first descriptor with NIDL 0; a descriptor that runs past the
// page is a DriverError(kProtocolViolation).
std::vector<NamespaceIdDescriptor> parse_namespace_descriptors(std::span<const std::byte> page);

// Encoders, the inverses: each returns exactly kIdentifyPageSize bytes.
// Strings are space padded (SUBNQN is NUL padded); a string or list that
// does not fit is a DriverError(kInvalidArgument).
std::vector<std::byte> encode_identify_controller(const IdentifyController& ctrl);
std::vector<std::byte> encode_identify_namespace(const IdentifyNamespace& ns);
std::vector<std::byte> encode_active_namespace_list(const std::vector<uint32_t>& nsids);
std::vector<std::byte> encode_namespace_descriptors(const std::vector<NamespaceIdDescriptor>& descriptors);

// True when `field` is printable ASCII (20h-7Eh) followed only by space
// padding: the rule for SN, MN and FR (2.0, 1.5 "ASCII string" conventions).
// An all-space field passes; a NUL or control byte anywhere fails.
bool is_printable_ascii_padded(std::span<const std::byte> field);

}  // namespace nvqual
