#include "feature_output.hpp"

#include <fmt/format.h>

#include "nvqual/driver/spec/bits.hpp"

namespace nvqual::app {
namespace {

using spec::detail::get_bits;

constexpr uint16_t kOncsTimestamp = 1u << 6;  // 2.0 Figure 275, ONCS bit 6
constexpr uint8_t kVwcPresent = 1u << 0;      // VWC bit 0
constexpr size_t kTimestampBytes = 8;         // 2.0 5.27.1.13: the Timestamp data structure

constexpr FeatureInfo kKnown[] = {
    {0x01, "Arbitration"},
    {0x02, "Power Management"},
    {0x04, "Temperature Threshold"},
    {0x05, "Error Recovery", 0, true},
    {0x06, "Volatile Write Cache"},
    {0x07, "Number of Queues"},
    {0x08, "Interrupt Coalescing"},
    {0x09, "Interrupt Vector Configuration"},
    {0x0A, "Write Atomicity Normal"},
    {0x0B, "Asynchronous Event Configuration"},
    {0x0E, "Timestamp", kTimestampBytes},
    {0x0F, "Keep Alive Timer"},
};

uint64_t timestamp_ms(std::span<const std::byte> data) {
  uint64_t v = 0;
  for (size_t i = 0; i < 6 && i < data.size(); ++i) v |= static_cast<uint64_t>(data[i]) << (8 * i);
  return v;
}

// Named fields of DW0 (or the data structure), 2.0 5.27.1.1-5.27.1.14.
nlohmann::json fields_of(const FeatureReading& r) {
  const uint32_t v = *r.dw0;
  nlohmann::json f = nlohmann::json::object();
  if (r.sel == "supported") {  // SEL 011b, Figure 331
    f["saveable"] = get_bits<0, 0>(v);
    f["namespace_specific"] = get_bits<1, 1>(v);
    f["changeable"] = get_bits<2, 2>(v);
    return f;
  }
  switch (r.info.fid) {
    case 0x01:
      f["ab"] = get_bits<2, 0>(v);
      f["lpw"] = get_bits<15, 8>(v);
      f["mpw"] = get_bits<23, 16>(v);
      f["hpw"] = get_bits<31, 24>(v);
      break;
    case 0x02:
      f["ps"] = get_bits<4, 0>(v);
      f["wh"] = get_bits<7, 5>(v);
      break;
    case 0x04:
      f["tmpth"] = get_bits<15, 0>(v);
      f["tmpsel"] = get_bits<19, 16>(v);
      f["thsel"] = get_bits<21, 20>(v);
      break;
    case 0x05:
      f["tler"] = get_bits<15, 0>(v);
      f["dulbe"] = get_bits<16, 16>(v);
      break;
    case 0x06: f["wce"] = get_bits<0, 0>(v); break;
    case 0x07:
      f["nsqa"] = get_bits<15, 0>(v);  // 0-based, as on the wire
      f["ncqa"] = get_bits<31, 16>(v);
      break;
    case 0x08:
      f["thr"] = get_bits<7, 0>(v);
      f["time"] = get_bits<15, 8>(v);
      break;
    case 0x09:
      f["iv"] = get_bits<15, 0>(v);
      f["cd"] = get_bits<16, 16>(v);
      break;
    case 0x0A: f["dn"] = get_bits<0, 0>(v); break;
    case 0x0B:
      f["smart_warnings"] = get_bits<7, 0>(v);
      f["ns_attribute_notices"] = get_bits<8, 8>(v);
      f["fw_activation_notices"] = get_bits<9, 9>(v);
      break;
    case 0x0E:
      if (r.data.size() >= kTimestampBytes) {
        const auto attributes = static_cast<uint8_t>(r.data[6]);
        f["timestamp"] = timestamp_ms(r.data);  // milliseconds since 1970-01-01 00:00 UTC
        f["synch"] = get_bits<0, 0>(attributes);
        f["timestamp_origin"] = get_bits<3, 1>(attributes);
      }
      break;
    case 0x0F: f["kato"] = v; break;  // milliseconds
    default: break;
  }
  return f;
}

}  // namespace

std::vector<FeatureInfo> features_to_read(const IdentifyController& id) {
  std::vector<FeatureInfo> out;
  for (const auto& info : kKnown) {
    if (info.fid == 0x06 && (id.vwc & kVwcPresent) == 0) continue;
    if (info.fid == 0x0E && (id.oncs & kOncsTimestamp) == 0) continue;
    if (info.fid == 0x0F && id.kas == 0) continue;
    out.push_back(info);
  }
  return out;
}

FeatureInfo feature_info(uint8_t fid) {
  for (const auto& info : kKnown) {
    if (info.fid == fid) return info;
  }
  return {fid, "Unknown"};
}

nlohmann::json feature_json(const FeatureReading& r) {
  nlohmann::json j = nlohmann::json::object();
  j["feature"] = fmt::format("{:#04x}", r.info.fid);
  j["name"] = r.info.name;
  j["sel"] = r.sel;
  if (!r.dw0) {
    j["status"] = r.refusal;
    return j;
  }
  j["value"] = fmt::format("{:#010x}", *r.dw0);
  j["fields"] = fields_of(r);
  return j;
}

std::string format_feature(const FeatureReading& r) {
  std::string out = fmt::format("get-feature:{:#04x} ({}), {} ", r.info.fid, r.info.name, r.sel);
  if (!r.dw0) return out + fmt::format("refused: {}\n", r.refusal);
  out += fmt::format("value:{:#010x}\n", *r.dw0);
  const nlohmann::json fields = fields_of(r);  // items() refers to it: it must outlive the loop
  for (const auto& [key, value] : fields.items()) out += fmt::format("  {:<22}: {}\n", key, value.dump());
  return out;
}

}  // namespace nvqual::app
