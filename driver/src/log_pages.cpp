// Log pages <-> typed values (NVMe Base 2.0, 5.16.1.2-5.16.1.4).
#include "nvqual/driver/log_pages.hpp"

#include <string>

#include "field_codec.hpp"
#include "log_page_fields.hpp"
#include "nvqual/driver/errors.hpp"
#include "nvqual/driver/log_page_layout.hpp"

namespace nvqual {
namespace {

void require_size(std::span<const std::byte> log, size_t size, const char* what) {
  if (log.size() < size) {
    throw DriverError(ErrorKind::kInvalidArgument, std::string(what) + ": got " + std::to_string(log.size()) +
                                                       " bytes, the log page is " + std::to_string(size) +
                                                       "; request the whole page");
  }
}

}  // namespace

std::vector<ErrorLogEntry> parse_error_log(std::span<const std::byte> log) {
  constexpr size_t kEntry = error_log_layout::kEntrySize;
  if (log.size() % kEntry != 0) {
    throw DriverError(ErrorKind::kInvalidArgument, "Error Information log: " + std::to_string(log.size()) +
                                                       " bytes is not a whole number of 64-byte entries; "
                                                       "request a multiple of 64 bytes");
  }
  std::vector<ErrorLogEntry> entries(log.size() / kEntry);
  for (size_t i = 0; i < entries.size(); ++i) {
    detail::bind_error_log_entry(detail::FieldReader(log.subspan(i * kEntry, kEntry)), entries[i]);
  }
  return entries;
}

SmartLog parse_smart_log(std::span<const std::byte> log) {
  require_size(log, smart_log_layout::kSize, "SMART / Health Information log");
  SmartLog smart;
  detail::bind_smart_log(detail::FieldReader(log.first(smart_log_layout::kSize)), smart);
  return smart;
}

FirmwareSlotLog parse_firmware_slot_log(std::span<const std::byte> log) {
  namespace L = firmware_slot_layout;
  require_size(log, L::kSize, "Firmware Slot Information log");
  const detail::FieldReader reader(log.first(L::kSize));
  FirmwareSlotLog slots;
  reader.field(L::afi, slots.afi);
  for (size_t slot = 1; slot <= L::kSlots; ++slot) {
    reader.text(L::frs_slot(slot), slots.frs[slot - 1], detail::Pad::kSpace);
  }
  return slots;
}

std::vector<std::byte> encode_error_log(const std::vector<ErrorLogEntry>& entries) {
  constexpr size_t kEntry = error_log_layout::kEntrySize;
  std::vector<std::byte> log(entries.size() * kEntry);
  const std::span<std::byte> bytes(log);
  for (size_t i = 0; i < entries.size(); ++i) {
    detail::bind_error_log_entry(detail::FieldWriter(bytes.subspan(i * kEntry, kEntry)), entries[i]);
  }
  return log;
}

std::vector<std::byte> encode_smart_log(const SmartLog& smart) {
  std::vector<std::byte> log(smart_log_layout::kSize);
  detail::bind_smart_log(detail::FieldWriter(log), smart);
  return log;
}

std::vector<std::byte> encode_firmware_slot_log(const FirmwareSlotLog& slots) {
  namespace L = firmware_slot_layout;
  std::vector<std::byte> log(L::kSize);
  const detail::FieldWriter writer(log);
  writer.field(L::afi, slots.afi);
  for (size_t slot = 1; slot <= L::kSlots; ++slot) {
    // An unused slot stays all zeros; a used one is an ASCII revision padded with spaces.
    if (!slots.frs[slot - 1].empty()) writer.text(L::frs_slot(slot), slots.frs[slot - 1], detail::Pad::kSpace);
  }
  return log;
}

}  // namespace nvqual
