// Completion status field (NVMe Base 2.0, 4.6.1): the 15 bits above the phase
// tag in completion dword 3. Every bit is kept: dropping SC bit 7 would turn
// 00/80 (LBA out of range) into success.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "nvqual/driver/spec/bits.hpp"

namespace nvqual::spec {

// 4.6.1.2 Status Code Type.
enum class StatusCodeType : uint8_t {
  kGeneric = 0x0,
  kCommandSpecific = 0x1,
  kMediaAndDataIntegrity = 0x2,
  kPathRelated = 0x3,
  kVendorSpecific = 0x7,
};

struct Status {
  uint16_t raw = 0;  // bits 14:0 = status field bits 31:17 of DW3

  constexpr uint8_t sc() const { return static_cast<uint8_t>(detail::get_bits<7, 0>(raw)); }
  constexpr uint8_t sct() const { return static_cast<uint8_t>(detail::get_bits<10, 8>(raw)); }
  constexpr uint8_t crd() const { return static_cast<uint8_t>(detail::get_bits<12, 11>(raw)); }
  constexpr bool more() const { return detail::get_bits<13, 13>(raw) != 0; }
  constexpr bool dnr() const { return detail::get_bits<14, 14>(raw) != 0; }
  constexpr bool ok() const { return sct() == 0 && sc() == 0; }

  static constexpr Status make(uint8_t sct, uint8_t sc, bool dnr = false) {
    uint16_t raw = 0;
    raw = detail::set_bits<7, 0>(raw, sc);
    raw = detail::set_bits<10, 8>(raw, sct);
    raw = detail::set_bits<14, 14>(raw, dnr ? 1 : 0);
    return Status{raw};
  }
  // SCT/SC as the spec and this project write them: "00/80".
  std::string code() const;
  // "00/80 LBA Out of Range" plus " [DNR]" / " [More]" / " [CRD=n]" when set.
  std::string describe() const;
  constexpr bool same_code(Status other) const { return sct() == other.sct() && sc() == other.sc(); }
};

// The spec's name for a status code, or a "Reserved"/"Vendor Specific" label.
std::string_view status_name(uint8_t sct, uint8_t sc);

// Reads a status code as suites and simulator profiles write it, the inverse
// of Status::code(): "SCT/SC" in hex ("00/80", "1/0C"), one or two digits each,
// SCT 0-7. DNR, More and CRD are not part of the text and stay clear.
// nullopt when the text is not of that form.
std::optional<Status> parse_status_code(std::string_view text);
// The form parse_status_code() reads, for the messages of its callers.
inline constexpr std::string_view kStatusCodeForm = "SCT/SC in hex with SCT 0-7, e.g. 00/80";

// Named status codes the driver and simulator use by name.
namespace status {
inline constexpr Status kSuccess = Status::make(0x0, 0x00);
inline constexpr Status kInvalidOpcode = Status::make(0x0, 0x01);
inline constexpr Status kInvalidField = Status::make(0x0, 0x02);
inline constexpr Status kCommandIdConflict = Status::make(0x0, 0x03);
inline constexpr Status kDataTransferError = Status::make(0x0, 0x04);
inline constexpr Status kInternalError = Status::make(0x0, 0x06);
inline constexpr Status kAbortRequested = Status::make(0x0, 0x07);
inline constexpr Status kAbortedSqDeletion = Status::make(0x0, 0x08);
inline constexpr Status kInvalidNamespace = Status::make(0x0, 0x0B);
inline constexpr Status kCommandSequenceError = Status::make(0x0, 0x0C);
inline constexpr Status kPrpOffsetInvalid = Status::make(0x0, 0x13);
inline constexpr Status kLbaOutOfRange = Status::make(0x0, 0x80);
inline constexpr Status kCapacityExceeded = Status::make(0x0, 0x81);
inline constexpr Status kCompletionQueueInvalid = Status::make(0x1, 0x00);
inline constexpr Status kInvalidQueueIdentifier = Status::make(0x1, 0x01);
inline constexpr Status kInvalidQueueSize = Status::make(0x1, 0x02);
inline constexpr Status kAbortLimitExceeded = Status::make(0x1, 0x03);
inline constexpr Status kInvalidLogPage = Status::make(0x1, 0x09);
inline constexpr Status kInvalidInterruptVector = Status::make(0x1, 0x08);
inline constexpr Status kInvalidQueueDeletion = Status::make(0x1, 0x0C);
inline constexpr Status kUnrecoveredReadError = Status::make(0x2, 0x81);
}  // namespace status

}  // namespace nvqual::spec
