// Log pages the device fills (driver/src/log_pages.cpp; NVMe Base 2.0,
// 5.16.1.2 Error Information, 5.16.1.3 SMART / Health, 5.16.1.4 Firmware Slot
// Information). The input is given to each parser as it is (a short SMART or
// Firmware Slot page, or an error log that is not a whole number of 64-byte
// entries, must be refused with kInvalidArgument), then as a 512-byte page,
// zero-filled, that must parse. Each encoder is its parser's inverse.
#include <algorithm>

#include "fuzz_input.hpp"
#include "nvqual/driver/errors.hpp"
#include "nvqual/driver/log_pages.hpp"

using namespace nvqual;
using nvqual::fuzz::require;

namespace {

constexpr size_t kPageSize = 512;  // SMART / Health and Firmware Slot Information
constexpr size_t kErrorEntrySize = 64;

template <typename Parse>
bool parses_or_refuses(Parse parse, std::span<const std::byte> input) {
  try {
    (void)parse(input);
    return true;
  } catch (const DriverError& error) {
    require(error.kind() == ErrorKind::kInvalidArgument, "a log of the wrong size is kInvalidArgument");
    return false;
  }
}

void as_given(std::span<const std::byte> input) {
  const bool error_log = parses_or_refuses(parse_error_log, input);
  require(error_log == (input.size() % kErrorEntrySize == 0), "the error log takes whole 64-byte entries only");
  const bool smart = parses_or_refuses(parse_smart_log, input);
  require(smart == (input.size() >= kPageSize), "the SMART log takes 512 bytes or more");
  const bool slots = parses_or_refuses(parse_firmware_slot_log, input);
  require(slots == (input.size() >= kPageSize), "the firmware slot log takes 512 bytes or more");
}

void as_pages(std::span<const std::byte> input) {
  std::vector<std::byte> page(kPageSize);
  std::copy_n(input.begin(), std::min(input.size(), page.size()), page.begin());

  const SmartLog smart = parse_smart_log(page);
  (void)smart.composite_celsius();
  require(parse_smart_log(encode_smart_log(smart)) == smart, "SMART / Health round trip");

  const FirmwareSlotLog slots = parse_firmware_slot_log(page);
  require(parse_firmware_slot_log(encode_firmware_slot_log(slots)) == slots, "Firmware Slot round trip");

  // The error log as the input's whole entries (at least one), in a buffer of exactly that size.
  std::vector<std::byte> entries(std::max<size_t>(1, input.size() / kErrorEntrySize) * kErrorEntrySize);
  std::copy_n(input.begin(), std::min(input.size(), entries.size()), entries.begin());
  const auto errors = parse_error_log(entries);
  require(parse_error_log(encode_error_log(errors)) == errors, "Error Information round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto input = fuzz::as_bytes(data, size);
  as_given(input);
  as_pages(input);
  return 0;
}
