// Identify data the device fills (driver/src/identify_parse.cpp; NVMe Base
// 2.0, 5.17.2): each input is one 4 KiB page (shorter inputs zero-filled),
// parsed as Identify Controller, Identify Namespace, the Active Namespace ID
// list and the Namespace Identification Descriptor list. Every page parses
// (descriptors may throw kProtocolViolation), derived values stay defined,
// and each parser's encoder is its inverse: parse(encode(parse(page))) ==
// parse(page). A short page must be refused with kInvalidArgument.
#include <algorithm>
#include <array>
#include <cstring>

#include "fuzz_input.hpp"
#include "nvqual/driver/errors.hpp"
#include "nvqual/driver/identify.hpp"

using namespace nvqual;
using nvqual::fuzz::require;

namespace {

void controller(std::span<const std::byte> page) {
  const IdentifyController ctrl = parse_identify_controller(page);
  for (const uint64_t page_size : {uint64_t{4096}, uint64_t{1} << 63}) (void)ctrl.max_transfer_bytes(page_size);
  (void)ctrl.sqes_min();
  require(parse_identify_controller(encode_identify_controller(ctrl)) == ctrl, "Identify Controller round trip");
}

void name_space(std::span<const std::byte> page) {
  const IdentifyNamespace ns = parse_identify_namespace(page);
  (void)ns.lba_size();
  (void)ns.metadata_extended();
  try {
    const LbaFormat& format = checked_active_format(ns, 1);
    require(format.lbads >= kMinLbads && format.lbads <= kMaxLbads && format.ms == 0,
            "a checked format is usable for reads");
  } catch (const DriverError& error) {
    require(error.kind() == ErrorKind::kProtocolViolation || error.kind() == ErrorKind::kUnsupported,
            "checked_active_format refuses with kProtocolViolation or kUnsupported");
  }
  require(parse_identify_namespace(encode_identify_namespace(ns)) == ns, "Identify Namespace round trip");
}

void active_list(std::span<const std::byte> page) {
  const std::vector<uint32_t> nsids = parse_active_namespace_list(page);
  require(nsids.size() <= 1024, "an active list holds at most 1024 NSIDs");
  require(std::find(nsids.begin(), nsids.end(), 0u) == nsids.end(), "the list ends at the first 0");
  require(parse_active_namespace_list(encode_active_namespace_list(nsids)) == nsids, "active list round trip");
}

void descriptors(std::span<const std::byte> page) {
  std::vector<NamespaceIdDescriptor> list;
  try {
    list = parse_namespace_descriptors(page);
  } catch (const DriverError& error) {
    require(error.kind() == ErrorKind::kProtocolViolation, "a malformed descriptor list is kProtocolViolation");
    return;
  }
  std::vector<std::byte> encoded;
  try {
    encoded = encode_namespace_descriptors(list);
  } catch (const DriverError&) {
    return;  // a NIDT/NIDL pair the spec forbids: the encoder refuses to write it
  }
  require(parse_namespace_descriptors(encoded) == list, "descriptor list round trip");
}

void refused_when_short(std::span<const std::byte> input) {
  const auto expect_refusal = [&](auto parse) {
    try {
      (void)parse(input);
      require(false, "a page shorter than 4096 bytes is refused");
    } catch (const DriverError& error) {
      require(error.kind() == ErrorKind::kInvalidArgument, "a short page is kInvalidArgument");
    }
  };
  expect_refusal(parse_identify_controller);
  expect_refusal(parse_identify_namespace);
  expect_refusal(parse_active_namespace_list);
  expect_refusal(parse_namespace_descriptors);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto input = fuzz::as_bytes(data, size);
  if (input.size() < kIdentifyPageSize) refused_when_short(input);
  // A fresh heap buffer of exactly one page, so ASan sees any read past it.
  std::vector<std::byte> page(kIdentifyPageSize);
  std::copy_n(input.begin(), std::min(input.size(), page.size()), page.begin());
  controller(page);
  name_space(page);
  active_list(page);
  descriptors(page);
  return 0;
}
