// Register field decoding, entry layouts, status decoding and command builders.
#include <gtest/gtest.h>

#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/spec/registers.hpp"
#include "nvqual/driver/spec/status.hpp"

namespace nvqual::spec {
namespace {

TEST(Registers, CapFieldsFromQemuValue) {
  // QEMU 7.2: MQES 7FFh, CQR 1, TO Fh, DSTRD 0, CSS NVM + I/O sets, MPSMAX 4.
  Cap cap{0};
  cap = cap.set_mqes(0x7FF).set_cqr(1).set_to(0xF).set_css(0x41).set_mpsmax(4).set_dstrd(2);
  EXPECT_EQ(cap.max_queue_entries(), 2048u);
  EXPECT_EQ(cap.ready_timeout(), std::chrono::milliseconds(7500));
  EXPECT_EQ(cap.doorbell_stride_bytes(), 16u);
  EXPECT_EQ(cap.min_page_size(), 4096u);
  EXPECT_EQ(cap.max_page_size(), 65536u);
  EXPECT_TRUE(cap.supports_nvm_command_set());
  EXPECT_EQ(cap.raw, 0x0040'0822'0F01'07FFull);
}

TEST(Registers, CcChainEditsOnlyNamedFields) {
  const Cc cc = Cc{}.set_en(1).set_css(Cc::kCssAllIoSets).set_mps(0).set_iosqes(6).set_iocqes(4);
  EXPECT_EQ(cc.raw, 0x00460061u);
  EXPECT_EQ(cc.set_en(0).raw, 0x00460060u) << "clearing EN keeps every other field";
  EXPECT_EQ(cc.set_shn(Cc::kShnNormal).shn(), 1u);
}

TEST(Registers, AqaIsZeroBased) {
  const Aqa aqa = Aqa::for_entries(32, 31);
  EXPECT_EQ(aqa.asqs(), 31u);
  EXPECT_EQ(aqa.acqs(), 30u);
  EXPECT_EQ(aqa.raw, 0x001E001Fu);
}

TEST(Registers, Doorbells) {
  EXPECT_EQ(sq_tail_doorbell(0, 4), 0x1000u);
  EXPECT_EQ(cq_head_doorbell(0, 4), 0x1004u);
  EXPECT_EQ(sq_tail_doorbell(3, 16), 0x1000u + 6 * 16);
  EXPECT_EQ(cq_head_doorbell(3, 16), 0x1000u + 7 * 16);
}

TEST(Registers, CrtoAndVersion) {
  const Crto crto = Crto{}.set_crwmt(30).set_crimt(4);
  EXPECT_EQ(crto.ready_with_media_timeout(), std::chrono::milliseconds(15000));
  const Version vs{0x00020000};
  EXPECT_TRUE(vs.at_least(1, 4));
  EXPECT_TRUE(vs.at_least(2, 0));
  EXPECT_FALSE(Version{0x00010400}.at_least(2, 0));
}

TEST(Status, KeepsEveryBit) {
  // SC bit 7 set: 00/80 must never read as success.
  CompletionEntry cqe{};
  cqe.set_status(status::kLbaOutOfRange);
  cqe.set_phase(true);
  cqe.set_cid(0xBEEF);
  EXPECT_FALSE(cqe.status().ok());
  EXPECT_EQ(cqe.status().sct(), 0);
  EXPECT_EQ(cqe.status().sc(), 0x80);
  EXPECT_EQ(cqe.cid(), 0xBEEF);
  EXPECT_TRUE(cqe.phase());
  EXPECT_EQ(cqe.status().describe(), "00/80 LBA Out of Range");
}

TEST(Status, DnrMoreCrd) {
  const Status s{static_cast<uint16_t>((1u << 14) | (1u << 13) | (2u << 11) | (1u << 8) | 0x02)};
  EXPECT_TRUE(s.dnr());
  EXPECT_TRUE(s.more());
  EXPECT_EQ(s.crd(), 2);
  EXPECT_EQ(s.describe(), "01/02 Invalid Queue Size [DNR] [More] [CRD=2]");
}

TEST(Status, NamesEveryType) {
  EXPECT_EQ(status_name(0, 0x0B), "Invalid Namespace or Format");
  EXPECT_EQ(status_name(1, 0x0C), "Invalid Queue Deletion");
  EXPECT_EQ(status_name(2, 0x81), "Unrecovered Read Error");
  EXPECT_EQ(status_name(3, 0x71), "Command Aborted By Host");
  EXPECT_EQ(status_name(0, 0x17), "Reserved");
  EXPECT_EQ(status_name(0, 0xC5), "Vendor Specific");
  EXPECT_EQ(status_name(7, 0x01), "Vendor Specific");
}

TEST(Commands, CreateQueuesEncodeZeroBasedSizes) {
  const auto cq = cmd::create_io_cq(3, 64, 0x1000, true, false, 0);
  EXPECT_EQ(cq.opcode(), 0x05);
  EXPECT_EQ(cq.cdw10, (63u << 16) | 3u);
  EXPECT_EQ(cq.cdw11, 1u);
  const auto sq = cmd::create_io_sq(3, 64, 0x2000, 3, true);
  EXPECT_EQ(sq.opcode(), 0x01);
  EXPECT_EQ(sq.cdw11, (3u << 16) | 1u);
  EXPECT_EQ(sq.prp1, 0x2000u);
}

TEST(Commands, ReadAndLogPage) {
  const auto read = cmd::read(1, 0x1'2345'6789ull, 8);
  EXPECT_EQ(read.opcode(), 0x02);
  EXPECT_EQ(read.cdw10, 0x23456789u);
  EXPECT_EQ(read.cdw11, 0x1u);
  EXPECT_EQ(read.cdw12, 7u) << "NLB is 0-based";
  const auto log = cmd::get_log_page(0x02, 0xFFFFFFFF, 128);
  EXPECT_EQ(log.cdw10, (127u << 16) | 0x02u);
  EXPECT_EQ(log.cdw11, 0u);
  const auto big = cmd::get_log_page(0x01, 0, 0x20000);
  EXPECT_EQ(big.cdw10 >> 16, 0xFFFFu);
  EXPECT_EQ(big.cdw11, 0x1u) << "NUMDU carries the upper half";
}

TEST(Commands, NumberOfQueues) {
  const auto sqe = cmd::set_number_of_queues(4, 2);
  EXPECT_EQ(sqe.cdw10 & 0xFF, 0x07u);
  EXPECT_EQ(sqe.cdw11, (1u << 16) | 3u);
  const auto counts = cmd::decode_number_of_queues((7u << 16) | 15u);
  EXPECT_EQ(counts.io_sq, 16u);
  EXPECT_EQ(counts.io_cq, 8u);
}

TEST(Commands, MediaChangingOpcodesAreClassified) {
  EXPECT_TRUE(admin_opcode_changes_media(0x80));   // Format NVM
  EXPECT_TRUE(admin_opcode_changes_media(0x84));   // Sanitize
  EXPECT_TRUE(admin_opcode_changes_media(0xC1));   // vendor specific
  EXPECT_FALSE(admin_opcode_changes_media(0x06));  // Identify
  EXPECT_TRUE(nvm_opcode_changes_media(0x01));     // Write
  EXPECT_TRUE(nvm_opcode_changes_media(0x09));     // Dataset Management (deallocate)
  EXPECT_FALSE(nvm_opcode_changes_media(0x02));    // Read
}

}  // namespace
}  // namespace nvqual::spec
