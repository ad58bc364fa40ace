// Admin commands: Identify, Get Log Page, Features, queue creation and
// deletion, Abort, AER, and the statuses a strict controller returns.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "nvqual/driver/identify.hpp"
#include "nvqual/driver/lba_stamp.hpp"
#include "nvqual/driver/log_pages.hpp"
#include "support/raw_host.hpp"

namespace nvqual::sim_test {
namespace {

struct AdminRig : Rig {
  explicit AdminRig(sim::Profile profile = sim::default_profile()) : Rig(std::move(profile)), page(sim, 8192) {
    host.bring_up();
  }
  spec::CompletionEntry admin(spec::SubmissionEntry sqe) { return host.execute(host.admin(), sqe, page); }
  spec::CompletionEntry admin_no_data(spec::SubmissionEntry sqe) { return host.execute(host.admin(), sqe); }
  std::span<const std::byte> data(size_t n = 4096) const { return page.bytes().first(n); }
  DmaBuffer page;
};

spec::SubmissionEntry with_fuse(spec::SubmissionEntry sqe, uint8_t fuse) {
  sqe.set_fuse(fuse);
  return sqe;
}

// ---- Identify ------------------------------------------------------------------

TEST(Identify, ControllerDataComesFromTheProfile) {
  AdminRig rig;
  ASSERT_TRUE(rig.admin(cmd::identify(spec::Cns::kController, 0)).status().ok());
  const IdentifyController id = parse_identify_controller(rig.data());
  const sim::ControllerProfile& c = rig.sim.profile().controller;
  EXPECT_EQ(id.vid, c.vid);
  EXPECT_EQ(id.ssvid, c.ssvid);
  EXPECT_EQ(id.sn, c.serial);
  EXPECT_EQ(id.mn, c.model);
  EXPECT_EQ(id.fr, c.firmware);
  EXPECT_EQ(id.mdts, c.mdts);
  EXPECT_EQ(id.ver, 0x00020000u);
  EXPECT_EQ(id.nn, 1u);
  EXPECT_EQ(id.rtd3e, c.rtd3e);
  EXPECT_EQ(id.oacs, c.oacs);
  EXPECT_EQ(id.sqes, 0x66);
  EXPECT_EQ(id.cqes, 0x44);
  EXPECT_EQ(id.subnqn, c.subnqn);
  EXPECT_TRUE(is_printable_ascii_padded(rig.data().subspan(4, 20)));
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Identify, NamespaceDataAndStatuses) {
  AdminRig rig(fixture("multi-ns.yaml"));
  ASSERT_TRUE(rig.admin(cmd::identify(spec::Cns::kNamespace, 2)).status().ok());
  const IdentifyNamespace ns2 = parse_identify_namespace(rig.data());
  EXPECT_EQ(ns2.nsze, 65536u);
  EXPECT_EQ(ns2.lba_size(), 4096u);
  EXPECT_EQ(ns2.format_count(), 2u);
  EXPECT_EQ(ns2.active_format_index(), 1u);
  ASSERT_TRUE(rig.admin(cmd::identify(spec::Cns::kNamespace, 3)).status().ok());
  const IdentifyNamespace ns3 = parse_identify_namespace(rig.data());
  EXPECT_EQ(ns3.nsze, 32768u);
  EXPECT_EQ(ns3.nuse, 16384u);
  EXPECT_GE(ns3.nsze, ns3.ncap);
  EXPECT_GE(ns3.ncap, ns3.nuse);

  // NSID 4 is at or below NN but inactive: a zero-filled structure.
  std::fill(rig.page.bytes().begin(), rig.page.bytes().end(), std::byte{0xAA});
  ASSERT_TRUE(rig.admin(cmd::identify(spec::Cns::kNamespace, 4)).status().ok());
  EXPECT_TRUE(std::all_of(rig.data().begin(), rig.data().end(), [](std::byte b) { return b == std::byte{0}; }));

  EXPECT_EQ(code(rig.admin(cmd::identify(spec::Cns::kNamespace, 0))), "00/0B");
  EXPECT_EQ(code(rig.admin(cmd::identify(spec::Cns::kNamespace, 5))), "00/0B");
  EXPECT_EQ(code(rig.admin(cmd::identify(spec::Cns::kNamespace, 0xFFFFFFFF))), "00/0B");
  EXPECT_TRUE(rig.admin(cmd::identify(spec::Cns::kNamespace, 0)).status().dnr());
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Identify, ActiveNamespaceList) {
  AdminRig rig(fixture("multi-ns.yaml"));
  ASSERT_TRUE(rig.admin(cmd::identify(spec::Cns::kActiveNamespaceList, 0)).status().ok());
  EXPECT_EQ(parse_active_namespace_list(rig.data()), (std::vector<uint32_t>{1, 2, 3}));
  ASSERT_TRUE(rig.admin(cmd::identify(spec::Cns::kActiveNamespaceList, 1)).status().ok());
  EXPECT_EQ(parse_active_namespace_list(rig.data()), (std::vector<uint32_t>{2, 3}));
  ASSERT_TRUE(rig.admin(cmd::identify(spec::Cns::kActiveNamespaceList, 3)).status().ok());
  EXPECT_TRUE(parse_active_namespace_list(rig.data()).empty());
  EXPECT_EQ(code(rig.admin(cmd::identify(spec::Cns::kActiveNamespaceList, 0xFFFFFFFE))), "00/0B");
  EXPECT_EQ(code(rig.admin(cmd::identify(spec::Cns::kActiveNamespaceList, 0xFFFFFFFF))), "00/0B");
}

TEST(Identify, NamespaceIdentificationDescriptors) {
  AdminRig rig(fixture("multi-ns.yaml"));
  ASSERT_TRUE(rig.admin(cmd::identify(spec::Cns::kNamespaceDescriptorList, 3)).status().ok());
  const auto descriptors = parse_namespace_descriptors(rig.data());
  ASSERT_EQ(descriptors.size(), 2u);
  EXPECT_EQ(descriptors[0].type, NamespaceIdDescriptor::kEui64);
  EXPECT_EQ(descriptors[0].id, (std::vector<uint8_t>{0x4e, 0x56, 0x51, 0, 0, 0, 0, 3}));
  EXPECT_EQ(descriptors[1].type, NamespaceIdDescriptor::kUuid);
  EXPECT_EQ(code(rig.admin(cmd::identify(spec::Cns::kNamespaceDescriptorList, 0))), "00/0B");
  EXPECT_EQ(code(rig.admin(cmd::identify(spec::Cns::kNamespaceDescriptorList, 4))), "00/0B");
}

TEST(Identify, ReservedCnsIsAnInvalidField) {
  AdminRig rig;
  for (uint8_t cns : {0x04, 0x10, 0x1F, 0xFF}) {
    EXPECT_EQ(code(rig.admin(cmd::identify_raw(cns, 0))), "00/02") << "CNS " << int{cns};
  }
}

TEST(Identify, PageCrossingBufferThroughPrp1AndPrp2) {
  AdminRig rig;
  ASSERT_TRUE(rig.admin(cmd::identify(spec::Cns::kController, 0)).status().ok());
  const std::vector<std::byte> reference(rig.data().begin(), rig.data().end());
  std::fill(rig.page.bytes().begin(), rig.page.bytes().end(), std::byte{0});
  ASSERT_TRUE(
      rig.host.execute(rig.host.admin(), cmd::identify(spec::Cns::kController, 0), rig.page, 2048).status().ok());
  EXPECT_TRUE(std::equal(reference.begin(), reference.end(), rig.page.bytes().begin() + 2048));
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(AdminCommands, InvalidOpcodeFuseAndUnsupportedCommands) {
  AdminRig rig;
  spec::SubmissionEntry vendor{};
  vendor.set_opcode(0xC1);
  EXPECT_EQ(code(rig.admin_no_data(vendor)), "00/01");
  spec::SubmissionEntry format{};
  format.set_opcode(static_cast<uint8_t>(spec::AdminOpcode::kFormatNvm));
  EXPECT_EQ(code(rig.admin_no_data(format)), "00/01");
  spec::SubmissionEntry reserved{};
  reserved.set_opcode(0x7F);
  EXPECT_EQ(code(rig.admin_no_data(reserved)), "00/01");
  EXPECT_EQ(code(rig.admin(with_fuse(cmd::identify(spec::Cns::kController, 0), 1))), "00/02");
  EXPECT_EQ(rig.sim.counters().admin_commands[0xC1], 1u);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(AdminCommands, AbortAnswersNotAborted) {
  AdminRig rig;
  const auto done = rig.admin_no_data(cmd::abort(1, 7));
  EXPECT_TRUE(done.status().ok());
  EXPECT_EQ(done.dw0 & 1u, 1u);
}

TEST(AdminCommands, AsyncEventRequestsStayOutstandingUpToTheLimit) {
  AdminRig rig;  // AERL 3: four may be outstanding
  spec::SubmissionEntry aer{};
  aer.set_opcode(static_cast<uint8_t>(spec::AdminOpcode::kAsyncEventRequest));
  for (int i = 0; i < 4; ++i) rig.host.submit(rig.host.admin(), aer);
  EXPECT_FALSE(rig.host.take(rig.host.admin()).has_value());
  EXPECT_EQ(code(rig.admin_no_data(aer)), "01/05");
}

// ---- Get Log Page ----------------------------------------------------------------

TEST(LogPages, ErrorSmartAndFirmwareSlot) {
  AdminRig rig;
  // One failing command goes into the error log.
  EXPECT_EQ(code(rig.admin(cmd::identify_raw(0x7, 0))), "00/02");
  ASSERT_TRUE(rig.admin(cmd::get_log_page(0x01, 0, 1024 / 4)).status().ok());
  const auto errors = parse_error_log(rig.data(1024));
  ASSERT_EQ(errors.size(), 16u);
  EXPECT_EQ(errors[0].error_count, 1u);
  EXPECT_EQ(errors[0].sqid, 0u);
  EXPECT_EQ(errors[0].status.code(), "00/02");
  EXPECT_FALSE(errors[1].used());

  ASSERT_TRUE(rig.admin(cmd::get_log_page(0x02, 0xFFFFFFFF, 512 / 4)).status().ok());
  const SmartLog smart = parse_smart_log(rig.data(512));
  EXPECT_EQ(smart.composite_temperature, rig.sim.profile().health.temperature);
  EXPECT_EQ(smart.avail_spare, 100u);
  EXPECT_EQ(smart.num_err_log_entries, (Uint128{1, 0}));
  EXPECT_EQ(smart.critical_warning, 0u);

  ASSERT_TRUE(rig.admin(cmd::get_log_page(0x03, 0, 512 / 4)).status().ok());
  const FirmwareSlotLog slots = parse_firmware_slot_log(rig.data(512));
  EXPECT_EQ(slots.active_slot(), 1u);
  EXPECT_EQ(slots.frs[0], rig.sim.profile().controller.firmware);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(LogPages, OffsetAndLengthAreHonoured) {
  AdminRig rig;
  ASSERT_TRUE(rig.admin(cmd::get_log_page(0x03, 0, 512 / 4)).status().ok());
  const std::vector<std::byte> whole(rig.data(512).begin(), rig.data(512).end());
  std::fill(rig.page.bytes().begin(), rig.page.bytes().end(), std::byte{0xEE});
  ASSERT_TRUE(rig.admin(cmd::get_log_page(0x03, 0, 2, 8)).status().ok());  // FRS1 only
  EXPECT_TRUE(std::equal(whole.begin() + 8, whole.begin() + 16, rig.page.bytes().begin()));
  EXPECT_EQ(rig.page.bytes()[8], std::byte{0xEE});                          // nothing past the 8 bytes asked for
  EXPECT_EQ(code(rig.admin(cmd::get_log_page(0x03, 0, 2, 512))), "00/02");  // offset past the log
  EXPECT_EQ(code(rig.admin(cmd::get_log_page(0x03, 0, 2, 6))), "00/02");    // not dword aligned
}

TEST(LogPages, UnsupportedLogIsInvalidLogPage) {
  AdminRig rig;
  for (uint8_t lid : {0x04, 0x05, 0x06, 0x80, 0xC0}) {
    EXPECT_EQ(code(rig.admin(cmd::get_log_page(lid, 0, 128))), "01/09") << "LID " << int{lid};
  }
  EXPECT_EQ(code(rig.admin(cmd::get_log_page(0x02, 1, 128))), "00/02");  // LPA bit 0 clear: no per-namespace SMART
}

TEST(LogPages, SmartCountsReads) {
  AdminRig rig;
  Ring io = rig.host.create_io_pair(1, 4);
  DmaBuffer data(rig.sim, 4096);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(rig.host.execute(io, cmd::read(1, 0, 8), data).status().ok());
  ASSERT_TRUE(rig.admin(cmd::get_log_page(0x02, 0, 512 / 4)).status().ok());
  const SmartLog smart = parse_smart_log(rig.data(512));
  EXPECT_EQ(smart.host_reads, (Uint128{3, 0}));
  EXPECT_EQ(smart.data_units_read, (Uint128{1, 0}));  // 24 units of 512 bytes, in thousands rounded up
  rig.host.delete_io_pair(io);
}

// ---- Features --------------------------------------------------------------------

TEST(Features, NumberOfQueuesGrantsAtMostTheProfileMaximum) {
  AdminRig rig;
  const auto asked = rig.admin_no_data(cmd::set_number_of_queues(4, 3));
  ASSERT_TRUE(asked.status().ok());
  EXPECT_EQ(cmd::decode_number_of_queues(asked.dw0).io_sq, 4u);
  EXPECT_EQ(cmd::decode_number_of_queues(asked.dw0).io_cq, 3u);
  const auto current = rig.admin_no_data(cmd::get_features(0x07));
  EXPECT_EQ(current.dw0, asked.dw0);

  const auto many = rig.admin_no_data(cmd::set_number_of_queues(1000, 1000));
  EXPECT_EQ(cmd::decode_number_of_queues(many.dw0).io_sq, 64u);
  EXPECT_EQ(code(rig.admin_no_data(cmd::set_features(0x07, 0xFFFFFFFF))), "00/02");  // 65535 is invalid

  // Once an I/O queue exists the count is fixed until a reset.
  Ring io = rig.host.create_io_pair(1, 4);
  EXPECT_EQ(code(rig.admin_no_data(cmd::set_number_of_queues(2, 2))), "00/0C");
  rig.host.delete_io_pair(io);
  EXPECT_EQ(code(rig.admin_no_data(cmd::set_number_of_queues(2, 2))), "00/0C");
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Features, QueuesAboveTheGrantedCountAreInvalid) {
  AdminRig rig(fixture("one-ioqpair.yaml"));
  const auto granted = rig.admin_no_data(cmd::set_number_of_queues(8, 8));
  EXPECT_EQ(cmd::decode_number_of_queues(granted.dw0).io_sq, 1u);
  DmaBuffer ring(rig.sim, 4096);
  EXPECT_EQ(code(rig.admin_no_data(cmd::create_io_cq(2, 4, ring.iova(), true))), "01/01");
  EXPECT_TRUE(rig.admin_no_data(cmd::create_io_cq(1, 4, ring.iova(), true)).status().ok());
  EXPECT_TRUE(rig.admin_no_data(cmd::delete_io_cq(1)).status().ok());
}

TEST(Features, OtherFeaturesRoundTripAndRejectWhatIsUnsupported) {
  AdminRig rig;
  ASSERT_TRUE(rig.admin_no_data(cmd::set_features(0x01, 0x3)).status().ok());  // arbitration burst
  EXPECT_EQ(rig.admin_no_data(cmd::get_features(0x01)).dw0, 0x3u);
  EXPECT_EQ(rig.admin_no_data(cmd::get_features(0x01, 1)).dw0, 0u);    // default
  EXPECT_EQ(rig.admin_no_data(cmd::get_features(0x01, 3)).dw0, 0x4u);  // changeable, not saveable
  EXPECT_EQ(rig.admin_no_data(cmd::get_features(0x04)).dw0 & 0xFFFFu, rig.sim.profile().controller.wctemp);
  EXPECT_EQ(code(rig.admin_no_data(cmd::set_features(0x01, 0x3, true))), "01/0D");  // not saveable
  EXPECT_EQ(code(rig.admin_no_data(cmd::set_features(0x02, 0x1))), "00/02");        // only power state 0
  EXPECT_TRUE(rig.admin_no_data(cmd::get_features(0x06)).status().ok());  // the default has a volatile write cache
  sim::Profile no_cache = sim::default_profile();
  no_cache.controller.vwc = 0;
  AdminRig without(no_cache);
  EXPECT_EQ(code(without.admin_no_data(cmd::get_features(0x06))), "00/02");  // no volatile write cache
  EXPECT_EQ(code(rig.admin_no_data(cmd::get_features(0x7F))), "00/02");
  EXPECT_EQ(code(rig.admin_no_data(cmd::get_features(0x01, 4))), "00/02");  // reserved SEL
}

// ---- queue creation and deletion (5.4 - 5.7) --------------------------------------------

struct QueueRig : AdminRig {
  QueueRig() : cq_ring(sim, 4096 * 2), sq_ring(sim, 4096 * 4) {}
  spec::CompletionEntry create_cq(uint16_t qid, uint32_t entries, uint64_t prp1, bool pc = true, bool ien = false,
                                  uint16_t iv = 0) {
    return admin_no_data(cmd::create_io_cq(qid, entries, prp1, pc, ien, iv));
  }
  spec::CompletionEntry create_sq(uint16_t qid, uint32_t entries, uint16_t cqid, uint64_t prp1, bool pc = true) {
    return admin_no_data(cmd::create_io_sq(qid, entries, prp1, cqid, pc));
  }
  DmaBuffer cq_ring;
  DmaBuffer sq_ring;
};

TEST(Queues, CreateCompletionQueueStatuses) {
  QueueRig rig;
  const uint64_t mqes = rig.host.cap().mqes();
  EXPECT_EQ(code(rig.create_cq(0, 4, rig.cq_ring.iova())), "01/01");
  EXPECT_EQ(code(rig.create_cq(65, 4, rig.cq_ring.iova())), "01/01");  // above the 64 granted
  EXPECT_EQ(code(rig.create_cq(1, 1, rig.cq_ring.iova())), "01/02");   // QSIZE 0
  EXPECT_EQ(code(rig.create_cq(1, static_cast<uint32_t>(mqes) + 2, rig.cq_ring.iova())), "01/02");
  EXPECT_EQ(code(rig.create_cq(1, 4, rig.cq_ring.iova() + 0x100)), "00/13");
  EXPECT_EQ(code(rig.create_cq(1, 4, rig.cq_ring.iova(), false)), "00/02");  // CAP.CQR=1
  EXPECT_EQ(code(rig.create_cq(1, 4, rig.cq_ring.iova(), true, true, 65)), "01/08");
  EXPECT_TRUE(has_violation(rig.sim, "Create I/O CQ 1: PRP1"));
  rig.sim.clear_violations();
  EXPECT_TRUE(rig.create_cq(1, 4, rig.cq_ring.iova(), true, true, 64).status().ok());
  EXPECT_EQ(code(rig.create_cq(1, 4, rig.cq_ring.iova() + 4096)), "01/01");  // duplicate
  EXPECT_TRUE(rig.admin_no_data(cmd::delete_io_cq(1)).status().ok());
  // Exactly MQES+1 entries is the largest queue.
  DmaBuffer big(rig.sim, (mqes + 1) * 16);
  EXPECT_TRUE(rig.create_cq(2, static_cast<uint32_t>(mqes) + 1, big.iova()).status().ok());
  EXPECT_TRUE(rig.admin_no_data(cmd::delete_io_cq(2)).status().ok());
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Queues, CreateSubmissionQueueStatuses) {
  QueueRig rig;
  ASSERT_TRUE(rig.create_cq(1, 4, rig.cq_ring.iova()).status().ok());
  EXPECT_EQ(code(rig.create_sq(0, 4, 1, rig.sq_ring.iova())), "01/01");
  EXPECT_EQ(code(rig.create_sq(65, 4, 1, rig.sq_ring.iova())), "01/01");
  EXPECT_EQ(code(rig.create_sq(1, 4, 2, rig.sq_ring.iova())), "01/00");  // CQ 2 does not exist
  EXPECT_EQ(code(rig.create_sq(1, 4, 0, rig.sq_ring.iova())), "01/01");  // the admin CQ
  EXPECT_EQ(code(rig.create_sq(1, 1, 1, rig.sq_ring.iova())), "01/02");
  EXPECT_EQ(code(rig.create_sq(1, 4, 1, rig.sq_ring.iova() + 64)), "00/13");
  EXPECT_EQ(code(rig.create_sq(1, 4, 1, rig.sq_ring.iova(), false)), "00/02");
  rig.sim.clear_violations();
  EXPECT_TRUE(rig.create_sq(1, 4, 1, rig.sq_ring.iova()).status().ok());
  EXPECT_EQ(code(rig.create_sq(1, 4, 1, rig.sq_ring.iova() + 4096)), "01/01");  // duplicate
  // Deleting the CQ while an SQ uses it; deleting in the right order; deleting twice.
  EXPECT_EQ(code(rig.admin_no_data(cmd::delete_io_cq(1))), "01/0C");
  EXPECT_TRUE(rig.admin_no_data(cmd::delete_io_sq(1)).status().ok());
  EXPECT_EQ(code(rig.admin_no_data(cmd::delete_io_sq(1))), "01/01");
  EXPECT_TRUE(rig.admin_no_data(cmd::delete_io_cq(1)).status().ok());
  EXPECT_EQ(code(rig.admin_no_data(cmd::delete_io_cq(1))), "01/01");
  EXPECT_EQ(code(rig.admin_no_data(cmd::delete_io_sq(0))), "01/01");
  EXPECT_EQ(code(rig.admin_no_data(cmd::delete_io_cq(0))), "01/01");
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Queues, NonContiguousQueuesWhenTheControllerAllowsThem) {
  sim::Profile profile = sim::default_profile();
  profile.registers.cqr = false;
  AdminRig rig(profile);
  // A 512-entry SQ (32 KiB) in two separate 16 KiB buffers described by a PRP list.
  DmaBuffer first(rig.sim, 16384), second(rig.sim, 16384), list(rig.sim, 4096), cq(rig.sim, 4096);
  auto* entries = list.as<uint64_t>();
  for (int i = 0; i < 4; ++i) entries[i] = first.iova() + i * 4096;
  for (int i = 0; i < 4; ++i) entries[4 + i] = second.iova() + i * 4096;
  ASSERT_TRUE(rig.admin_no_data(cmd::create_io_cq(1, 256, cq.iova(), true)).status().ok());
  ASSERT_TRUE(rig.admin_no_data(cmd::create_io_sq(1, 512, list.iova(), 1, false)).status().ok());
  // Fill the ring past the first buffer: entries 256.. live in the second one.
  Ring io;
  io.qid = 1;
  io.sq_entries = 512;
  io.cq_entries = 256;
  io.cq = std::move(cq);
  DmaBuffer data(rig.sim, 4096);
  for (int i = 0; i < 300; ++i) {
    spec::SubmissionEntry read = cmd::read(1, static_cast<uint64_t>(i), 1);
    read.prp1 = data.iova();
    read.set_cid(static_cast<uint16_t>(i));
    uint8_t* slot = reinterpret_cast<uint8_t*>(i < 256 ? first.data() : second.data()) + (i % 256) * 64;
    std::memcpy(slot, &read, sizeof(read));
    io.sq_tail = (io.sq_tail + 1) % io.sq_entries;
    rig.host.ring(io);
    const auto done = rig.host.wait(io);
    ASSERT_TRUE(done.status().ok()) << i;
    ASSERT_EQ(done.cid(), i);
    ASSERT_FALSE(lba_stamp::check(data.bytes().first(512), 512, static_cast<uint64_t>(i), 1));
  }
  EXPECT_TRUE(rig.admin_no_data(cmd::delete_io_sq(1)).status().ok());
  EXPECT_TRUE(rig.admin_no_data(cmd::delete_io_cq(1)).status().ok());
  EXPECT_NO_VIOLATIONS(rig.sim);
}

}  // namespace
}  // namespace nvqual::sim_test
