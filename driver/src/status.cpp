#include "nvqual/driver/spec/status.hpp"

#include <array>
#include <charconv>

#include <fmt/format.h>

namespace nvqual::spec {
namespace {

struct NamedCode {
  uint8_t sc;
  std::string_view name;
};

// 4.6.1.2.1 Generic Command Status (Figure 94) and NVM Command Set 1.0 Figure 26.
constexpr NamedCode kGeneric[] = {
    {0x00, "Successful Completion"},
    {0x01, "Invalid Command Opcode"},
    {0x02, "Invalid Field in Command"},
    {0x03, "Command ID Conflict"},
    {0x04, "Data Transfer Error"},
    {0x05, "Commands Aborted due to Power Loss Notification"},
    {0x06, "Internal Error"},
    {0x07, "Command Abort Requested"},
    {0x08, "Command Aborted due to SQ Deletion"},
    {0x09, "Command Aborted due to Failed Fused Command"},
    {0x0A, "Command Aborted due to Missing Fused Command"},
    {0x0B, "Invalid Namespace or Format"},
    {0x0C, "Command Sequence Error"},
    {0x0D, "Invalid SGL Segment Descriptor"},
    {0x0E, "Invalid Number of SGL Descriptors"},
    {0x0F, "Data SGL Length Invalid"},
    {0x10, "Metadata SGL Length Invalid"},
    {0x11, "SGL Descriptor Type Invalid"},
    {0x12, "Invalid Use of Controller Memory Buffer"},
    {0x13, "PRP Offset Invalid"},
    {0x14, "Atomic Write Unit Exceeded"},
    {0x15, "Operation Denied"},
    {0x16, "SGL Offset Invalid"},
    {0x18, "Host Identifier Inconsistent Format"},
    {0x19, "Keep Alive Timer Expired"},
    {0x1A, "Keep Alive Timeout Invalid"},
    {0x1B, "Command Aborted due to Preempt and Abort"},
    {0x1C, "Sanitize Failed"},
    {0x1D, "Sanitize In Progress"},
    {0x1E, "SGL Data Block Granularity Invalid"},
    {0x1F, "Command Not Supported for Queue in CMB"},
    {0x20, "Namespace is Write Protected"},
    {0x21, "Command Interrupted"},
    {0x22, "Transient Transport Error"},
    {0x23, "Command Prohibited by Command and Feature Lockdown"},
    {0x24, "Admin Command Media Not Ready"},
    {0x80, "LBA Out of Range"},
    {0x81, "Capacity Exceeded"},
    {0x82, "Namespace Not Ready"},
    {0x83, "Reservation Conflict"},
    {0x84, "Format In Progress"},
    {0x85, "Invalid Value Size"},
    {0x86, "Invalid Key Size"},
    {0x87, "KV Key Does Not Exist"},
    {0x88, "Unrecovered Error"},
    {0x89, "Key Exists"},
};

// 4.6.1.2.2 Command Specific Status (Figure 95) and NVM Command Set 1.0 Figure 27, ZNS.
constexpr NamedCode kCommandSpecific[] = {
    {0x00, "Completion Queue Invalid"},
    {0x01, "Invalid Queue Identifier"},
    {0x02, "Invalid Queue Size"},
    {0x03, "Abort Command Limit Exceeded"},
    {0x05, "Asynchronous Event Request Limit Exceeded"},
    {0x06, "Invalid Firmware Slot"},
    {0x07, "Invalid Firmware Image"},
    {0x08, "Invalid Interrupt Vector"},
    {0x09, "Invalid Log Page"},
    {0x0A, "Invalid Format"},
    {0x0B, "Firmware Activation Requires Conventional Reset"},
    {0x0C, "Invalid Queue Deletion"},
    {0x0D, "Feature Identifier Not Saveable"},
    {0x0E, "Feature Not Changeable"},
    {0x0F, "Feature Not Namespace Specific"},
    {0x10, "Firmware Activation Requires NVM Subsystem Reset"},
    {0x11, "Firmware Activation Requires Controller Level Reset"},
    {0x12, "Firmware Activation Requires Maximum Time Violation"},
    {0x13, "Firmware Activation Prohibited"},
    {0x14, "Overlapping Range"},
    {0x15, "Namespace Insufficient Capacity"},
    {0x16, "Namespace Identifier Unavailable"},
    {0x18, "Namespace Already Attached"},
    {0x19, "Namespace Is Private"},
    {0x1A, "Namespace Not Attached"},
    {0x1B, "Thin Provisioning Not Supported"},
    {0x1C, "Controller List Invalid"},
    {0x1D, "Device Self-test In Progress"},
    {0x1E, "Boot Partition Write Prohibited"},
    {0x1F, "Invalid Controller Identifier"},
    {0x20, "Invalid Secondary Controller State"},
    {0x21, "Invalid Number of Controller Resources"},
    {0x22, "Invalid Resource Identifier"},
    {0x23, "Sanitize Prohibited While Persistent Memory Region is Enabled"},
    {0x24, "ANA Group Identifier Invalid"},
    {0x25, "ANA Attach Failed"},
    {0x26, "Insufficient Capacity"},
    {0x27, "Namespace Attachment Limit Exceeded"},
    {0x28, "Prohibition of Command Execution Not Supported"},
    {0x29, "I/O Command Set Not Supported"},
    {0x2A, "I/O Command Set Not Enabled"},
    {0x2B, "I/O Command Set Combination Rejected"},
    {0x2C, "Invalid I/O Command Set"},
    {0x2D, "Identifier Unavailable"},
    {0x80, "Conflicting Attributes"},
    {0x81, "Invalid Protection Information"},
    {0x82, "Attempted Write to Read Only Range"},
    {0x83, "Command Size Limit Exceeded"},
    {0xB8, "Zoned Boundary Error"},
    {0xB9, "Zone Is Full"},
    {0xBA, "Zone Is Read Only"},
    {0xBB, "Zone Is Offline"},
    {0xBC, "Zone Invalid Write"},
    {0xBD, "Too Many Active Zones"},
    {0xBE, "Too Many Open Zones"},
    {0xBF, "Invalid Zone State Transition"},
};

// 4.6.1.2.3 Media and Data Integrity Errors (Figure 96).
constexpr NamedCode kMedia[] = {
    {0x80, "Write Fault"},
    {0x81, "Unrecovered Read Error"},
    {0x82, "End-to-end Guard Check Error"},
    {0x83, "End-to-end Application Tag Check Error"},
    {0x84, "End-to-end Reference Tag Check Error"},
    {0x85, "Compare Failure"},
    {0x86, "Access Denied"},
    {0x87, "Deallocated or Unwritten Logical Block"},
    {0x88, "End-to-End Storage Tag Check Error"},
};

// 4.6.1.2.4 Path Related Status (Figure 97).
constexpr NamedCode kPath[] = {
    {0x00, "Internal Path Error"},
    {0x01, "Asymmetric Access Persistent Loss"},
    {0x02, "Asymmetric Access Inaccessible"},
    {0x03, "Asymmetric Access Transition"},
    {0x60, "Controller Pathing Error"},
    {0x70, "Host Pathing Error"},
    {0x71, "Command Aborted By Host"},
};

// One or two hex digits, nothing else (from_chars alone would take "+1" or
// more digits than the field has).
std::optional<unsigned> hex_field(std::string_view text) {
  if (text.empty() || text.size() > 2) return std::nullopt;
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

template <size_t N>
std::string_view find(const NamedCode (&table)[N], uint8_t sc) {
  for (const auto& entry : table) {
    if (entry.sc == sc) return entry.name;
  }
  if (sc >= 0xC0) return "Vendor Specific";
  return "Reserved";
}

}  // namespace

std::string_view status_name(uint8_t sct, uint8_t sc) {
  switch (static_cast<StatusCodeType>(sct)) {
    case StatusCodeType::kGeneric: return find(kGeneric, sc);
    case StatusCodeType::kCommandSpecific: return find(kCommandSpecific, sc);
    case StatusCodeType::kMediaAndDataIntegrity: return find(kMedia, sc);
    case StatusCodeType::kPathRelated: return find(kPath, sc);
    case StatusCodeType::kVendorSpecific: return "Vendor Specific";
  }
  return "Reserved Status Code Type";
}

std::optional<Status> parse_status_code(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto sct = hex_field(text.substr(0, slash));
  const auto sc = hex_field(text.substr(slash + 1));
  if (!sct || !sc || *sct > 0x7) return std::nullopt;
  return Status::make(static_cast<uint8_t>(*sct), static_cast<uint8_t>(*sc));
}

std::string Status::code() const { return fmt::format("{:02X}/{:02X}", sct(), sc()); }

std::string Status::describe() const {
  std::string text = fmt::format("{} {}", code(), status_name(sct(), sc()));
  if (dnr()) text += " [DNR]";
  if (more()) text += " [More]";
  if (crd() != 0) text += fmt::format(" [CRD={}]", crd());
  return text;
}

}  // namespace nvqual::spec
