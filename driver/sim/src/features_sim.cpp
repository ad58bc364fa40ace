// Saved feature values and the temperature thresholds (NVMe Base 2.0,
// 5.27.1.3 and 5.27: Save and Select, ONCS bit 4). With ONCS bit 4 set the
// Temperature Threshold is saveable: SV=1 keeps the value across resets and
// SEL=saved reads it; without it nothing is saveable (SV=1 gives 01/0D).
// The Timestamp (5.27.1.13) counts milliseconds on the simulator's clock
// from what the host set, or from 0 at power-on and after a reset.
#include <chrono>

#include "command_fields.hpp"
#include "device.hpp"

namespace nvqual::sim {

namespace {
constexpr uint8_t kFidTemperature = 0x04;
constexpr uint16_t kOncsSaveSelect = 1u << 4;
}  // namespace

bool Device::feature_saveable(uint8_t fid) const {
  return (profile_.controller.oncs & kOncsSaveSelect) != 0 && fid == kFidTemperature;
}

uint32_t Device::saved_feature(uint32_t key, uint32_t default_value) const {
  if (self_report(SelfReportEffect::kSavedReadsDefault)) return default_value;
  const auto it = saved_features_.find(key);
  return it != saved_features_.end() ? it->second : default_value;
}

uint16_t Device::temperature_threshold(uint8_t type) const {
  const fields::TemperatureThreshold composite{0, 0, type};
  const uint32_t key = fields::feature_key(kFidTemperature, composite.selector());
  const uint16_t default_kelvin = type == 0 ? profile_.controller.wctemp : 0;
  const auto it = features_.find(key);
  const uint32_t value = it != features_.end() ? it->second : saved_feature(key, default_kelvin);
  return fields::TemperatureThreshold::of(value).kelvin;
}

// Critical Warning bit 1 and the AER condition: at or above the over
// threshold, or at or below a non-zero under threshold.
bool Device::temperature_beyond_thresholds() const {
  const uint16_t t = profile_.health.temperature;
  const uint16_t under = temperature_threshold(1);
  return t >= temperature_threshold(0) || (under != 0 && t <= under);
}

std::array<std::byte, 8> Device::timestamp_data() {
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now() - timestamp_since_);
  const uint64_t ms = timestamp_base_ms_ + static_cast<uint64_t>(elapsed.count());
  std::array<std::byte, 8> data{};
  for (size_t i = 0; i < 6; ++i) data[i] = static_cast<std::byte>((ms >> (8 * i)) & 0xFF);
  // Byte 6: Synch (bit 0) 0, the clock never stopped; Timestamp Origin (bits 3:1)
  // 001b once the host set it, 000b since a reset.
  data[6] = static_cast<std::byte>(timestamp_set_by_host_ ? 0x02 : 0x00);
  return data;
}

void Device::set_timestamp(std::span<const std::byte> data) {
  uint64_t ms = 0;
  for (size_t i = 0; i < 6; ++i) ms |= static_cast<uint64_t>(data[i]) << (8 * i);
  timestamp_base_ms_ = ms;
  timestamp_since_ = clock_.now();
  timestamp_set_by_host_ = true;
}

}  // namespace nvqual::sim
