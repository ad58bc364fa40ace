// The Timestamp feature (NVMe Base 2.0, 5.27.1.13, FID 0Eh): an 8-byte data
// structure moved by Get / Set Features instead of DW0. Bytes 5:0 are
// milliseconds since 1970-01-01 00:00 UTC; byte 6 bit 0 Synch (the count
// stopped at some point), bits 3:1 Timestamp Origin (000b reset, 001b set by a host).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "nvqual/harness/step_context.hpp"

namespace nvqual::harness::steps {

inline constexpr uint8_t kFidTimestamp = 0x0E;
inline constexpr size_t kTimestampBytes = 8;

struct Timestamp {
  uint64_t ms = 0;  // 48 bits
  uint8_t synch = 0;
  uint8_t origin = 0;
};

std::array<std::byte, kTimestampBytes> encode_timestamp(uint64_t ms);
Timestamp decode_timestamp(const std::array<std::byte, kTimestampBytes>& data);
// The host's clock in milliseconds since 1970-01-01 UTC, as Linux sends it (nvme_configure_timestamp).
uint64_t host_timestamp_ms();

// Get Features 0Eh with SEL `select` into a poisoned 8-byte buffer; the completion and the data.
struct TimestampRead {
  spec::CompletionEntry completion;
  std::optional<Timestamp> value;  // when it succeeded
};
TimestampRead read_timestamp(StepContext& ctx, uint8_t select);
// Set Features 0Eh with `ms`.
spec::CompletionEntry write_timestamp(StepContext& ctx, uint64_t ms);

}  // namespace nvqual::harness::steps
