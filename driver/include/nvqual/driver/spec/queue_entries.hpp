// Submission and completion queue entries (NVMe Base 2.0, 4.2 and 4.6) and
// opcodes (5.1 admin, NVM Command Set 1.0 section 3 I/O).
#pragma once

#include <cstddef>
#include <cstdint>

#include "nvqual/driver/spec/bits.hpp"
#include "nvqual/driver/spec/status.hpp"

namespace nvqual::spec {

// 5 Admin Command Set, Figure 138.
enum class AdminOpcode : uint8_t {
  kDeleteIoSq = 0x00,
  kCreateIoSq = 0x01,
  kGetLogPage = 0x02,
  kDeleteIoCq = 0x04,
  kCreateIoCq = 0x05,
  kIdentify = 0x06,
  kAbort = 0x08,
  kSetFeatures = 0x09,
  kGetFeatures = 0x0A,
  kAsyncEventRequest = 0x0C,
  kNamespaceManagement = 0x0D,
  kFirmwareCommit = 0x10,
  kFirmwareDownload = 0x11,
  kDeviceSelfTest = 0x14,
  kNamespaceAttachment = 0x15,
  kKeepAlive = 0x18,
  kDirectiveSend = 0x19,
  kDirectiveReceive = 0x1A,
  kVirtualizationManagement = 0x1C,
  kNvmeMiSend = 0x1D,
  kNvmeMiReceive = 0x1E,
  kCapacityManagement = 0x20,
  kLockdown = 0x24,
  kDoorbellBufferConfig = 0x7C,
  kFormatNvm = 0x80,
  kSecuritySend = 0x81,
  kSecurityReceive = 0x82,
  kSanitize = 0x84,
  kGetLbaStatus = 0x86,
};

// NVM Command Set 1.0, Figure 18.
enum class NvmOpcode : uint8_t {
  kFlush = 0x00,
  kWrite = 0x01,
  kRead = 0x02,
  kWriteUncorrectable = 0x04,
  kCompare = 0x05,
  kWriteZeroes = 0x08,
  kDatasetManagement = 0x09,
  kVerify = 0x0C,
  kReservationRegister = 0x0D,
  kReservationReport = 0x0E,
  kReservationAcquire = 0x11,
  kReservationRelease = 0x15,
  kCopy = 0x19,
};

// Commands that change what the media holds, or destroy or reshape it.
// nvqual refuses these unless the caller opted in twice (suite and command line).
constexpr bool admin_opcode_changes_media(uint8_t opcode) {
  switch (static_cast<AdminOpcode>(opcode)) {
    case AdminOpcode::kFormatNvm:
    case AdminOpcode::kSanitize:
    case AdminOpcode::kNamespaceManagement:
    case AdminOpcode::kNamespaceAttachment:
    case AdminOpcode::kFirmwareDownload:
    case AdminOpcode::kFirmwareCommit:
    case AdminOpcode::kSecuritySend:
    case AdminOpcode::kCapacityManagement:
    case AdminOpcode::kLockdown:
    case AdminOpcode::kVirtualizationManagement: return true;
    default:
      // Vendor-specific admin opcodes (C0h-FFh) can do anything: treat them as changing media.
      return opcode >= 0xC0;
  }
}

constexpr bool nvm_opcode_changes_media(uint8_t opcode) {
  switch (static_cast<NvmOpcode>(opcode)) {
    case NvmOpcode::kFlush:
    case NvmOpcode::kRead:
    case NvmOpcode::kCompare:
    case NvmOpcode::kVerify:
    case NvmOpcode::kReservationReport: return false;
    default:
      // Write, Write Zeroes, Write Uncorrectable, Dataset Management (deallocate),
      // Copy, reservations and every vendor-specific or unknown opcode.
      return true;
  }
}

// 4.2 Submission Queue Entry, Figure 87 and 88. 64 bytes.
struct SubmissionEntry {
  uint32_t cdw0 = 0;  // opcode 7:0, FUSE 9:8, PSDT 15:14, CID 31:16
  uint32_t nsid = 0;
  uint32_t cdw2 = 0;
  uint32_t cdw3 = 0;
  uint64_t mptr = 0;
  uint64_t prp1 = 0;  // data pointer: PRP entry 1 (or SGL1 bytes 0-7)
  uint64_t prp2 = 0;  // data pointer: PRP entry 2 or PRP list pointer
  uint32_t cdw10 = 0;
  uint32_t cdw11 = 0;
  uint32_t cdw12 = 0;
  uint32_t cdw13 = 0;
  uint32_t cdw14 = 0;
  uint32_t cdw15 = 0;

  constexpr uint8_t opcode() const { return static_cast<uint8_t>(detail::get_bits<7, 0>(cdw0)); }
  constexpr uint8_t fuse() const { return static_cast<uint8_t>(detail::get_bits<9, 8>(cdw0)); }
  constexpr uint8_t psdt() const { return static_cast<uint8_t>(detail::get_bits<15, 14>(cdw0)); }
  constexpr uint16_t cid() const { return static_cast<uint16_t>(detail::get_bits<31, 16>(cdw0)); }
  constexpr void set_opcode(uint8_t v) { cdw0 = detail::set_bits<7, 0>(cdw0, v); }
  constexpr void set_fuse(uint8_t v) { cdw0 = detail::set_bits<9, 8>(cdw0, v); }
  constexpr void set_psdt(uint8_t v) { cdw0 = detail::set_bits<15, 14>(cdw0, v); }
  constexpr void set_cid(uint16_t v) { cdw0 = detail::set_bits<31, 16>(cdw0, v); }
};
static_assert(sizeof(SubmissionEntry) == 64);
static_assert(offsetof(SubmissionEntry, nsid) == 4);
static_assert(offsetof(SubmissionEntry, mptr) == 16);
static_assert(offsetof(SubmissionEntry, prp1) == 24);
static_assert(offsetof(SubmissionEntry, prp2) == 32);
static_assert(offsetof(SubmissionEntry, cdw10) == 40);
static_assert(offsetof(SubmissionEntry, cdw15) == 60);

// 4.6 Completion Queue Entry, Figure 89-92. 16 bytes.
struct CompletionEntry {
  uint32_t dw0 = 0;  // command specific
  uint32_t dw1 = 0;  // command specific
  uint32_t dw2 = 0;  // SQHD 15:0, SQID 31:16
  uint32_t dw3 = 0;  // CID 15:0, phase tag 16, status field 31:17

  constexpr uint16_t sqhd() const { return static_cast<uint16_t>(detail::get_bits<15, 0>(dw2)); }
  constexpr uint16_t sqid() const { return static_cast<uint16_t>(detail::get_bits<31, 16>(dw2)); }
  constexpr uint16_t cid() const { return static_cast<uint16_t>(detail::get_bits<15, 0>(dw3)); }
  constexpr bool phase() const { return detail::get_bits<16, 16>(dw3) != 0; }
  constexpr Status status() const { return Status{static_cast<uint16_t>(detail::get_bits<31, 17>(dw3))}; }
  constexpr void set_sqhd(uint16_t v) { dw2 = detail::set_bits<15, 0>(dw2, v); }
  constexpr void set_sqid(uint16_t v) { dw2 = detail::set_bits<31, 16>(dw2, v); }
  constexpr void set_cid(uint16_t v) { dw3 = detail::set_bits<15, 0>(dw3, v); }
  constexpr void set_phase(bool v) { dw3 = detail::set_bits<16, 16>(dw3, v ? 1u : 0u); }
  constexpr void set_status(Status s) { dw3 = detail::set_bits<31, 17>(dw3, s.raw); }
};
static_assert(sizeof(CompletionEntry) == 16);
static_assert(offsetof(CompletionEntry, dw2) == 8);
static_assert(offsetof(CompletionEntry, dw3) == 12);

// Queue entry sizes the driver programs in CC.IOSQES / CC.IOCQES.
inline constexpr size_t kSubmissionEntrySize = sizeof(SubmissionEntry);
inline constexpr size_t kCompletionEntrySize = sizeof(CompletionEntry);

// 5.15 Identify: CNS values nvqual uses.
enum class Cns : uint8_t {
  kNamespace = 0x00,
  kController = 0x01,
  kActiveNamespaceList = 0x02,
  kNamespaceDescriptorList = 0x03,
};

// 5.16 Get Log Page: log identifiers.
enum class LogPage : uint8_t {
  kErrorInformation = 0x01,
  kSmartHealth = 0x02,
  kFirmwareSlot = 0x03,
  kChangedNamespaceList = 0x04,
  kCommandsSupportedAndEffects = 0x05,
};

// 5.27.1 Feature identifiers nvqual uses.
enum class FeatureId : uint8_t {
  kArbitration = 0x01,
  kPowerManagement = 0x02,
  kTemperatureThreshold = 0x04,
  kErrorRecovery = 0x05,
  kVolatileWriteCache = 0x06,
  kNumberOfQueues = 0x07,
  kInterruptCoalescing = 0x08,
  kInterruptVectorConfig = 0x09,
  kWriteAtomicityNormal = 0x0A,
  kAsyncEventConfig = 0x0B,
};

}  // namespace nvqual::spec
