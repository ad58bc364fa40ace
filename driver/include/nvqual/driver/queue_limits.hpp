// The sizes and identifiers NVMe allows for queues (NVMe Base 2.0: the queue
// size rules of the memory-based queue model, 3.3.1; AQA, 3.1.3.8; Create I/O
// Completion/Submission Queue, 5.4 and 5.5), in one place for the driver, the
// simulator, the harness and the CLI. A device may allow
// less (CAP.MQES, Number of Queues); these are the most any device can.
#pragma once

#include <cstdint>

namespace nvqual::queue_limits {

// One entry always stays empty, so a queue that tells full from empty needs two.
inline constexpr uint32_t kMinEntries = 2;
// AQA.ASQS and AQA.ACQS are 12-bit, 0-based.
inline constexpr uint32_t kMaxAdminEntries = 4096;
// QSIZE (and CAP.MQES) is 16-bit, 0-based.
inline constexpr uint32_t kMaxIoEntries = 65536;
// QIDs are 16 bits; QID 0 is the admin queue, so I/O queues are 1..FFFFh.
inline constexpr uint32_t kMaxQid = 0xFFFF;
inline constexpr uint32_t kMaxIoQueues = kMaxQid;

}  // namespace nvqual::queue_limits
