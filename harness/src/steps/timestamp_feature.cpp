#include "timestamp_feature.hpp"

#include <algorithm>
#include <chrono>

#include "nvqual/driver/commands.hpp"
#include "step_support.hpp"

namespace nvqual::harness::steps {

std::array<std::byte, kTimestampBytes> encode_timestamp(uint64_t ms) {
  std::array<std::byte, kTimestampBytes> data{};
  for (size_t i = 0; i < 6; ++i) data[i] = static_cast<std::byte>((ms >> (8 * i)) & 0xFF);
  return data;
}

Timestamp decode_timestamp(const std::array<std::byte, kTimestampBytes>& data) {
  Timestamp t;
  for (size_t i = 0; i < 6; ++i) t.ms |= static_cast<uint64_t>(data[i]) << (8 * i);
  const auto attributes = static_cast<uint8_t>(data[6]);
  t.synch = attributes & 0x1;
  t.origin = (attributes >> 1) & 0x7;
  return t;
}

uint64_t host_timestamp_ms() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

TimestampRead read_timestamp(StepContext& ctx, uint8_t select) {
  DmaBuffer buffer = buffer_for(ctx, kTimestampBytes);
  poison(ctx, std::span<std::byte>(buffer.data(), kTimestampBytes));
  TimestampRead r;
  r.completion = ctx.controller().admin(cmd::get_features(kFidTimestamp, select), buffer, kTimestampBytes);
  if (r.completion.status().ok()) {
    std::array<std::byte, kTimestampBytes> data{};
    std::copy_n(buffer.data(), kTimestampBytes, data.begin());
    r.value = decode_timestamp(data);
  }
  return r;
}

spec::CompletionEntry write_timestamp(StepContext& ctx, uint64_t ms) {
  DmaBuffer buffer = buffer_for(ctx, kTimestampBytes);
  const auto data = encode_timestamp(ms);
  std::copy(data.begin(), data.end(), buffer.data());
  return ctx.controller().admin(cmd::set_features(kFidTimestamp, 0), buffer, kTimestampBytes);
}

}  // namespace nvqual::harness::steps
