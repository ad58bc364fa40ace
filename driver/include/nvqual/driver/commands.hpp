// One builder per command (NVMe Base 2.0 section 5, NVM Command Set 1.0 section 3).
// Each returns a zeroed 64-byte entry with the opcode and its own dwords set;
// the queue assigns the CID and the caller (or Controller) fills PRP1/PRP2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "nvqual/driver/spec/queue_entries.hpp"

namespace nvqual::cmd {

// 5.17 Identify. CDW10: CNS 7:0, CNTID 31:16.
spec::SubmissionEntry identify(spec::Cns cns, uint32_t nsid, uint16_t cntid = 0);
// Any CNS value, for probing reserved ones.
spec::SubmissionEntry identify_raw(uint8_t cns, uint32_t nsid);

// 5.16 Get Log Page. `dwords` is the 1-based transfer length in dwords.
spec::SubmissionEntry get_log_page(uint8_t lid, uint32_t nsid, uint32_t dwords, uint64_t offset = 0,
                                   bool retain_async_event = false);

// 5.27 Get Features / 5.28 Set Features.
spec::SubmissionEntry get_features(uint8_t fid, uint8_t select = 0, uint32_t nsid = 0, uint32_t cdw11 = 0);
spec::SubmissionEntry set_features(uint8_t fid, uint32_t cdw11, bool save = false, uint32_t nsid = 0);
// 5.27.1.5 Number of Queues: counts are 1-based here and 0-based on the wire.
spec::SubmissionEntry set_number_of_queues(uint16_t io_sq_count, uint16_t io_cq_count);

// 5.4 Create I/O Completion Queue / 5.5 Create I/O Submission Queue.
// `entries` is 1-based here and written 0-based (QSIZE).
spec::SubmissionEntry create_io_cq(uint16_t qid, uint32_t entries, uint64_t prp1, bool physically_contiguous,
                                   bool interrupts_enabled = false, uint16_t interrupt_vector = 0);
spec::SubmissionEntry create_io_sq(uint16_t qid, uint32_t entries, uint64_t prp1, uint16_t cqid,
                                   bool physically_contiguous, uint8_t priority = 0);
// 5.6 / 5.7 Delete I/O Submission / Completion Queue.
spec::SubmissionEntry delete_io_sq(uint16_t qid);
spec::SubmissionEntry delete_io_cq(uint16_t qid);

// 5.1 Abort. CDW10: SQID 15:0, CID 31:16.
spec::SubmissionEntry abort(uint16_t sqid, uint16_t cid);
// 5.2 Asynchronous Event Request: no fields.
spec::SubmissionEntry async_event_request();

// NVM Command Set 1.0, 3.2.6 Read. `blocks` is 1-based here; NLB is 0-based on the wire.
// NLB is a 16-bit 0-based field: one Read moves at most this many blocks.
inline constexpr uint64_t kMaxBlocksPerRead = 65536;
spec::SubmissionEntry read(uint32_t nsid, uint64_t slba, uint32_t blocks);

// NVM 1.0 3.2.7 Write: CDW12 NLB 15:0 (0-based), FUA 30. `blocks` is 1-based.
spec::SubmissionEntry write(uint32_t nsid, uint64_t slba, uint32_t blocks, bool fua = false);
// NVM 1.0 3.2.8 Write Zeroes: no data; CDW12 NLB 15:0, DEAC 25, FUA 30.
spec::SubmissionEntry write_zeroes(uint32_t nsid, uint64_t slba, uint32_t blocks, bool deac = false, bool fua = false);
// NVM 1.0 3.2.1 Compare: the host's data against the media; mismatch is 02/85.
spec::SubmissionEntry compare(uint32_t nsid, uint64_t slba, uint32_t blocks);
// NVM 1.0 3.2.9 Verify: the controller reads and checks the blocks, no data moves.
spec::SubmissionEntry verify(uint32_t nsid, uint64_t slba, uint32_t blocks);
// NVM 1.0 3.2.2 Flush: commits the volatile write cache (NSID FFFFFFFFh: every namespace).
spec::SubmissionEntry flush(uint32_t nsid);
// NVM 1.0 3.2.3 Dataset Management: CDW10 NR 7:0 (0-based, `ranges` 1..256 here),
// CDW11 AD 2 (deallocate). The range list (16 bytes each) is the data.
inline constexpr uint32_t kMaxDsmRanges = 256;
spec::SubmissionEntry dataset_management(uint32_t nsid, uint32_t ranges, bool deallocate = true);
// One 16-byte DSM range, as the controller reads it.
struct DsmRange {
  uint32_t attributes = 0;
  uint32_t blocks = 0;  // 1-based
  uint64_t slba = 0;
};
void encode_dsm_range(const DsmRange& range, std::span<std::byte, 16> out);

// Decoded Number of Queues completion (DW0): what the controller allocated, 1-based.
struct QueueCounts {
  uint32_t io_sq = 0;
  uint32_t io_cq = 0;
};
QueueCounts decode_number_of_queues(uint32_t dw0);

}  // namespace nvqual::cmd
