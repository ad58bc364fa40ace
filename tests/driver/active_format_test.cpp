// checked_active_format(): the active LBA format is checked before any
// transfer is sized from it, and a metadata format is refused by the driver
// itself, whoever builds the ReadRequest.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/sim_rig.hpp"

namespace nvqual {
namespace {

using ::testing::HasSubstr;
using testing_support::capture_error;
using testing_support::profile_with;
using testing_support::SimRig;
using testing_support::violations_text;

// Two formats, 512 B and 4 KiB, format 0 active: the shape of the default profile.
IdentifyNamespace two_formats() {
  IdentifyNamespace ns;
  ns.nsze = ns.ncap = ns.nuse = 1024;
  ns.nlbaf = 1;
  ns.lbaf[0].lbads = 9;
  ns.lbaf[1].lbads = 12;
  return ns;
}

TEST(ActiveFormat, ValidFormatsPass) {
  IdentifyNamespace ns = two_formats();
  EXPECT_EQ(checked_active_format(ns, 1).data_size(), 512u);
  ns.flbas = 1;
  EXPECT_EQ(checked_active_format(ns, 1).data_size(), 4096u);
  ns.lbaf[1].lbads = kMaxLbads;
  EXPECT_EQ(checked_active_format(ns, 1).data_size(), 65536u);
}

TEST(ActiveFormat, IndexBeyondNlbafIsNamed) {
  IdentifyNamespace ns = two_formats();
  ns.flbas = 5;  // formats 2..63 are unused: LBADS 0, data size 0
  const DriverError error = capture_error([&] { checked_active_format(ns, 3); });
  EXPECT_EQ(error.kind(), ErrorKind::kProtocolViolation);
  EXPECT_THAT(error.what(), HasSubstr("namespace 3"));
  EXPECT_THAT(error.what(), HasSubstr("FLBAS selects LBA format 5"));
  EXPECT_THAT(error.what(), HasSubstr("0..1"));
}

TEST(ActiveFormat, UpperIndexBitsCountWithMoreThanSixteenFormats) {
  IdentifyNamespace ns = two_formats();
  ns.nlbaf = 16;  // 17 formats: FLBAS bits 6:5 are index bits 5:4
  for (auto& f : ns.lbaf) f.lbads = 9;
  ns.flbas = 0b0010'0000;  // index 16
  EXPECT_EQ(ns.active_format_index(), 16u);
  EXPECT_NO_THROW(checked_active_format(ns, 1));
  ns.flbas = 0b0010'0001;  // index 17, beyond NLBAF
  EXPECT_EQ(capture_error([&] { checked_active_format(ns, 1); }).kind(), ErrorKind::kProtocolViolation);
}

// int, not uint8_t: gtest would print the LBADS values as characters.
class ImplausibleLbads : public testing::TestWithParam<int> {};

TEST_P(ImplausibleLbads, IsAProtocolViolation) {
  IdentifyNamespace ns = two_formats();
  ns.lbaf[0].lbads = static_cast<uint8_t>(GetParam());
  const DriverError error = capture_error([&] { checked_active_format(ns, 1); });
  EXPECT_EQ(error.kind(), ErrorKind::kProtocolViolation);
  EXPECT_THAT(error.what(), HasSubstr(fmt::format("LBADS {}", GetParam())));
}
INSTANTIATE_TEST_SUITE_P(Values, ImplausibleLbads, testing::Values(0, 8, 17, 63, 64, 255),
                         [](const testing::TestParamInfo<int>& info) { return "lbads_" + std::to_string(info.param); });

TEST(ActiveFormat, MetadataIsUnsupportedInBothLayouts) {
  IdentifyNamespace ns = two_formats();
  ns.lbaf[0].ms = 8;
  DriverError error = capture_error([&] { checked_active_format(ns, 1); });
  EXPECT_EQ(error.kind(), ErrorKind::kUnsupported);
  EXPECT_THAT(error.what(), HasSubstr("8 bytes of metadata"));
  EXPECT_THAT(error.what(), HasSubstr("separate"));
  ns.flbas = 0x10;  // FLBAS bit 4: metadata at the end of each block
  error = capture_error([&] { checked_active_format(ns, 1); });
  EXPECT_EQ(error.kind(), ErrorKind::kUnsupported);
  EXPECT_THAT(error.what(), HasSubstr("extended"));
}

TEST(ActiveFormat, ParsedFromACorruptedIdentifyPage) {
  // Byte 26 is FLBAS: the simulator reports format 5 active while NLBAF is 1.
  SimRig rig(profile_with(sim::CorruptIdentifyFault{sim::IdentifyPage::kNamespace, 1, 26, 0x05}));
  rig.controller.reset();
  const IdentifyNamespace ns = rig.controller.identify_namespace(1);
  EXPECT_EQ(ns.lba_size(), 0u) << "the unchecked accessor reports the unused format's size";
  EXPECT_EQ(capture_error([&] { checked_active_format(ns, 1); }).kind(), ErrorKind::kProtocolViolation);
}

// The driver refuses a metadata read itself, so a caller that fills the
// ReadRequest by hand cannot send a command whose metadata would go to IOVA 0.
TEST(MetadataReads, RefusedBeforeReachingTheDevice) {
  // Byte 128 is MS of LBA format 0, the active one.
  SimRig rig(profile_with(sim::CorruptIdentifyFault{sim::IdentifyPage::kNamespace, 1, 128, 8}));
  rig.controller.reset();
  rig.controller.identify_controller();
  const IdentifyNamespace ns = rig.controller.identify_namespace(1);
  ASSERT_EQ(ns.active_format().ms, 8u);
  rig.controller.set_number_of_queues(1, 1);
  QueuePair& queue = rig.controller.create_io_queue_pair(1, 8);
  DmaBuffer buffer(rig.sim, 4096);
  const ReadRequest request{1, 0, 1, std::nullopt};  // no format given: the controller resolves it
  const uint64_t reads_before = rig.sim.counters().io_commands[0x02];
  DriverError error = capture_error([&] { rig.controller.read(queue, request, buffer); });
  EXPECT_EQ(error.kind(), ErrorKind::kUnsupported);
  EXPECT_THAT(error.what(), HasSubstr("8 bytes of metadata"));
  error = capture_error([&] { rig.controller.read_once(queue, request, buffer); });
  EXPECT_EQ(error.kind(), ErrorKind::kUnsupported);
  EXPECT_EQ(rig.sim.counters().io_commands[0x02], reads_before);
  EXPECT_TRUE(rig.controller.enabled()) << "a refused request is not a device failure";
  EXPECT_NO_VIOLATIONS(rig.sim);
}

}  // namespace
}  // namespace nvqual
