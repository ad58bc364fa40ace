#include "nvqual/driver/commands.hpp"

#include "nvqual/driver/spec/bits.hpp"

namespace nvqual::cmd {

using spec::SubmissionEntry;
using spec::detail::get_bits;
using spec::detail::set_bits;

namespace {
SubmissionEntry with_opcode(uint8_t opcode, uint32_t nsid = 0) {
  SubmissionEntry sqe{};
  sqe.set_opcode(opcode);
  sqe.nsid = nsid;
  return sqe;
}
constexpr uint8_t op(spec::AdminOpcode o) { return static_cast<uint8_t>(o); }
}  // namespace

SubmissionEntry identify(spec::Cns cns, uint32_t nsid, uint16_t cntid) {
  SubmissionEntry sqe = identify_raw(static_cast<uint8_t>(cns), nsid);
  sqe.cdw10 = set_bits<31, 16>(sqe.cdw10, cntid);
  return sqe;
}

SubmissionEntry identify_raw(uint8_t cns, uint32_t nsid) {
  SubmissionEntry sqe = with_opcode(op(spec::AdminOpcode::kIdentify), nsid);
  sqe.cdw10 = set_bits<7, 0>(uint32_t{0}, cns);
  return sqe;
}

// 5.16: NUMD is 0-based and split: NUMDL in CDW10 31:16, NUMDU in CDW11 15:0.
// LPOL/LPOU in CDW12/13 give the byte offset.
SubmissionEntry get_log_page(uint8_t lid, uint32_t nsid, uint32_t dwords, uint64_t offset, bool retain_async_event) {
  SubmissionEntry sqe = with_opcode(op(spec::AdminOpcode::kGetLogPage), nsid);
  const uint32_t numd = dwords - 1;
  sqe.cdw10 = set_bits<7, 0>(sqe.cdw10, lid);
  sqe.cdw10 = set_bits<15, 15>(sqe.cdw10, retain_async_event ? 1u : 0u);
  sqe.cdw10 = set_bits<31, 16>(sqe.cdw10, get_bits<15, 0>(numd));
  sqe.cdw11 = set_bits<15, 0>(sqe.cdw11, get_bits<31, 16>(numd));
  sqe.cdw12 = static_cast<uint32_t>(offset);
  sqe.cdw13 = static_cast<uint32_t>(offset >> 32);
  return sqe;
}

// 5.27: CDW10 FID 7:0, SEL 10:8.
SubmissionEntry get_features(uint8_t fid, uint8_t select, uint32_t nsid, uint32_t cdw11) {
  SubmissionEntry sqe = with_opcode(op(spec::AdminOpcode::kGetFeatures), nsid);
  sqe.cdw10 = set_bits<7, 0>(sqe.cdw10, fid);
  sqe.cdw10 = set_bits<10, 8>(sqe.cdw10, select);
  sqe.cdw11 = cdw11;
  return sqe;
}

// 5.28: CDW10 FID 7:0, SV 31.
SubmissionEntry set_features(uint8_t fid, uint32_t cdw11, bool save, uint32_t nsid) {
  SubmissionEntry sqe = with_opcode(op(spec::AdminOpcode::kSetFeatures), nsid);
  sqe.cdw10 = set_bits<7, 0>(sqe.cdw10, fid);
  sqe.cdw10 = set_bits<31, 31>(sqe.cdw10, save ? 1u : 0u);
  sqe.cdw11 = cdw11;
  return sqe;
}

// 5.27.1.5: CDW11 NSQR 15:0, NCQR 31:16, both 0-based.
SubmissionEntry set_number_of_queues(uint16_t io_sq_count, uint16_t io_cq_count) {
  uint32_t cdw11 = 0;
  cdw11 = set_bits<15, 0>(cdw11, static_cast<uint32_t>(io_sq_count - 1));
  cdw11 = set_bits<31, 16>(cdw11, static_cast<uint32_t>(io_cq_count - 1));
  return set_features(static_cast<uint8_t>(spec::FeatureId::kNumberOfQueues), cdw11);
}

QueueCounts decode_number_of_queues(uint32_t dw0) {
  return QueueCounts{get_bits<15, 0>(dw0) + 1, get_bits<31, 16>(dw0) + 1};
}

// 5.4: CDW10 QID 15:0, QSIZE 31:16 (0-based); CDW11 PC 0, IEN 1, IV 31:16.
SubmissionEntry create_io_cq(uint16_t qid, uint32_t entries, uint64_t prp1, bool physically_contiguous,
                             bool interrupts_enabled, uint16_t interrupt_vector) {
  SubmissionEntry sqe = with_opcode(op(spec::AdminOpcode::kCreateIoCq));
  sqe.prp1 = prp1;
  sqe.cdw10 = set_bits<15, 0>(sqe.cdw10, qid);
  sqe.cdw10 = set_bits<31, 16>(sqe.cdw10, entries - 1);
  sqe.cdw11 = set_bits<0, 0>(sqe.cdw11, physically_contiguous ? 1u : 0u);
  sqe.cdw11 = set_bits<1, 1>(sqe.cdw11, interrupts_enabled ? 1u : 0u);
  sqe.cdw11 = set_bits<31, 16>(sqe.cdw11, interrupt_vector);
  return sqe;
}

// 5.5: CDW10 QID 15:0, QSIZE 31:16 (0-based); CDW11 PC 0, QPRIO 2:1, CQID 31:16.
SubmissionEntry create_io_sq(uint16_t qid, uint32_t entries, uint64_t prp1, uint16_t cqid, bool physically_contiguous,
                             uint8_t priority) {
  SubmissionEntry sqe = with_opcode(op(spec::AdminOpcode::kCreateIoSq));
  sqe.prp1 = prp1;
  sqe.cdw10 = set_bits<15, 0>(sqe.cdw10, qid);
  sqe.cdw10 = set_bits<31, 16>(sqe.cdw10, entries - 1);
  sqe.cdw11 = set_bits<0, 0>(sqe.cdw11, physically_contiguous ? 1u : 0u);
  sqe.cdw11 = set_bits<2, 1>(sqe.cdw11, priority);
  sqe.cdw11 = set_bits<31, 16>(sqe.cdw11, cqid);
  return sqe;
}

SubmissionEntry delete_io_sq(uint16_t qid) {
  SubmissionEntry sqe = with_opcode(op(spec::AdminOpcode::kDeleteIoSq));
  sqe.cdw10 = set_bits<15, 0>(sqe.cdw10, qid);
  return sqe;
}

SubmissionEntry delete_io_cq(uint16_t qid) {
  SubmissionEntry sqe = with_opcode(op(spec::AdminOpcode::kDeleteIoCq));
  sqe.cdw10 = set_bits<15, 0>(sqe.cdw10, qid);
  return sqe;
}

SubmissionEntry abort(uint16_t sqid, uint16_t cid) {
  SubmissionEntry sqe = with_opcode(op(spec::AdminOpcode::kAbort));
  sqe.cdw10 = set_bits<15, 0>(sqe.cdw10, sqid);
  sqe.cdw10 = set_bits<31, 16>(sqe.cdw10, cid);
  return sqe;
}

SubmissionEntry async_event_request() { return with_opcode(op(spec::AdminOpcode::kAsyncEventRequest)); }

// NVM 3.2.6: CDW10/11 SLBA, CDW12 NLB 15:0 (0-based).
SubmissionEntry read(uint32_t nsid, uint64_t slba, uint32_t blocks) {
  SubmissionEntry sqe = with_opcode(static_cast<uint8_t>(spec::NvmOpcode::kRead), nsid);
  sqe.cdw10 = static_cast<uint32_t>(slba);
  sqe.cdw11 = static_cast<uint32_t>(slba >> 32);
  sqe.cdw12 = set_bits<15, 0>(sqe.cdw12, blocks - 1);
  return sqe;
}

namespace {
// NVM 1.0 3.2: the LBA commands share CDW10/11 SLBA and CDW12 NLB 15:0 (0-based).
SubmissionEntry lba_command(spec::NvmOpcode opcode, uint32_t nsid, uint64_t slba, uint32_t blocks) {
  SubmissionEntry sqe = with_opcode(static_cast<uint8_t>(opcode), nsid);
  sqe.cdw10 = static_cast<uint32_t>(slba);
  sqe.cdw11 = static_cast<uint32_t>(slba >> 32);
  sqe.cdw12 = set_bits<15, 0>(sqe.cdw12, blocks - 1);
  return sqe;
}
}  // namespace

SubmissionEntry write(uint32_t nsid, uint64_t slba, uint32_t blocks, bool fua) {
  SubmissionEntry sqe = lba_command(spec::NvmOpcode::kWrite, nsid, slba, blocks);
  sqe.cdw12 = set_bits<30, 30>(sqe.cdw12, fua ? 1u : 0u);
  return sqe;
}

SubmissionEntry write_zeroes(uint32_t nsid, uint64_t slba, uint32_t blocks, bool deac, bool fua) {
  SubmissionEntry sqe = lba_command(spec::NvmOpcode::kWriteZeroes, nsid, slba, blocks);
  sqe.cdw12 = set_bits<25, 25>(sqe.cdw12, deac ? 1u : 0u);
  sqe.cdw12 = set_bits<30, 30>(sqe.cdw12, fua ? 1u : 0u);
  return sqe;
}

SubmissionEntry compare(uint32_t nsid, uint64_t slba, uint32_t blocks) {
  return lba_command(spec::NvmOpcode::kCompare, nsid, slba, blocks);
}

SubmissionEntry verify(uint32_t nsid, uint64_t slba, uint32_t blocks) {
  return lba_command(spec::NvmOpcode::kVerify, nsid, slba, blocks);
}

SubmissionEntry flush(uint32_t nsid) { return with_opcode(static_cast<uint8_t>(spec::NvmOpcode::kFlush), nsid); }

SubmissionEntry dataset_management(uint32_t nsid, uint32_t ranges, bool deallocate) {
  SubmissionEntry sqe = with_opcode(static_cast<uint8_t>(spec::NvmOpcode::kDatasetManagement), nsid);
  sqe.cdw10 = set_bits<7, 0>(sqe.cdw10, ranges - 1);
  sqe.cdw11 = set_bits<2, 2>(sqe.cdw11, deallocate ? 1u : 0u);
  return sqe;
}

void encode_dsm_range(const DsmRange& range, std::span<std::byte, 16> out) {
  const auto put = [&](size_t at, uint64_t value, size_t width) {
    for (size_t i = 0; i < width; ++i) out[at + i] = static_cast<std::byte>((value >> (8 * i)) & 0xFF);
  };
  put(0, range.attributes, 4);
  put(4, range.blocks, 4);
  put(8, range.slba, 8);
}

}  // namespace nvqual::cmd
