// The Identify and log page parsers take whatever a device returns: any 4 KiB
// (every byte value, every length field, every list count) must parse to a
// value or be reported as a DriverError, never read outside the page; and a
// parsed value encodes back to a page that parses to the same value. Random
// pages from a fixed seed plus the corner patterns; fuzzing goes further.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "nvqual/driver/errors.hpp"
#include "nvqual/driver/identify.hpp"
#include "nvqual/driver/log_pages.hpp"

namespace nvqual {
namespace {

// xorshift64*: the same pages on every run and every machine.
class PageSource {
 public:
  explicit PageSource(uint64_t seed) : state_(seed) {}
  std::vector<std::byte> next() {
    std::vector<std::byte> page(kIdentifyPageSize);
    for (auto& b : page) b = static_cast<std::byte>(step() >> 56);
    return page;
  }

 private:
  uint64_t step() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1Dull;
  }
  uint64_t state_;
};

std::vector<std::vector<std::byte>> pages() {
  std::vector<std::vector<std::byte>> out;
  out.emplace_back(kIdentifyPageSize, std::byte{0});
  out.emplace_back(kIdentifyPageSize, std::byte{0xFF});
  out.emplace_back(kIdentifyPageSize, std::byte{0x20});  // all spaces
  PageSource source(0x6e7671756131ull);
  for (int i = 0; i < 300; ++i) out.push_back(source.next());
  return out;
}

TEST(IdentifyAnyBytes, ControllerParsesAndReencodesToTheSameValue) {
  for (const auto& page : pages()) {
    const IdentifyController ctrl = parse_identify_controller(page);
    EXPECT_EQ(parse_identify_controller(encode_identify_controller(ctrl)), ctrl);
  }
}

TEST(IdentifyAnyBytes, NamespaceParsesAndReencodesToTheSameValue) {
  for (const auto& page : pages()) {
    const IdentifyNamespace ns = parse_identify_namespace(page);
    EXPECT_EQ(parse_identify_namespace(encode_identify_namespace(ns)), ns);
    EXPECT_LT(ns.active_format_index(), ns.lbaf.size());
    (void)ns.lba_size();
    try {
      const LbaFormat& format = checked_active_format(ns, 1);
      EXPECT_GE(format.lbads, kMinLbads);
    } catch (const DriverError& e) {
      EXPECT_TRUE(e.kind() == ErrorKind::kProtocolViolation || e.kind() == ErrorKind::kUnsupported) << e.what();
    }
  }
}

TEST(IdentifyAnyBytes, ListsParseOrReportAProtocolViolation) {
  for (const auto& page : pages()) {
    const auto nsids = parse_active_namespace_list(page);
    EXPECT_LE(nsids.size(), kIdentifyPageSize / 4);
    for (uint32_t nsid : nsids) EXPECT_NE(nsid, 0u);
    try {
      size_t bytes = 0;
      for (const auto& d : parse_namespace_descriptors(page)) bytes += 4 + d.id.size();
      EXPECT_LE(bytes, kIdentifyPageSize);
    } catch (const DriverError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kProtocolViolation) << e.what();
    }
  }
}

TEST(LogPagesAnyBytes, ParseAndReencodeToTheSameValue) {
  for (const auto& page : pages()) {
    const auto errors = parse_error_log(page);
    EXPECT_EQ(errors.size(), kIdentifyPageSize / 64);
    EXPECT_EQ(parse_error_log(encode_error_log(errors)), errors);
    const SmartLog smart = parse_smart_log(page);
    EXPECT_EQ(parse_smart_log(encode_smart_log(smart)), smart);
    const FirmwareSlotLog slots = parse_firmware_slot_log(page);
    EXPECT_EQ(parse_firmware_slot_log(encode_firmware_slot_log(slots)), slots);
  }
}

}  // namespace
}  // namespace nvqual
