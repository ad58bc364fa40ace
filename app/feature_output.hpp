// Features (NVMe Base 2.0, 5.27.1) as `nvqual features` shows them: which
// ones it reads (the mandatory ones of an NVM controller and the optional
// ones Identify Controller advertises), their names, their fields decoded,
// and nvme-cli get-feature's JSON shape ({"feature": "0x01", "name": ...,
// "value": "0x00000000"}).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nvqual/driver/identify.hpp"

namespace nvqual::app {

struct FeatureInfo {
  uint8_t fid = 0;
  const char* name = "";
  size_t data_bytes = 0;       // a data structure Get Features returns besides DW0 (Timestamp: 8)
  bool per_namespace = false;  // Error Recovery (NVM 1.0 4.1.3.2): NSID 0 is refused, so NSID 1 is asked by default
};

// The features `nvqual features` reads without --fid, in FID order: every
// mandatory one (2.0 Figure 324) and Volatile Write Cache (VWC bit 0),
// Timestamp (ONCS bit 6), Keep Alive Timer (KAS != 0) where the controller
// reports them.
std::vector<FeatureInfo> features_to_read(const IdentifyController& id);
// Any FID: its name ("Unknown" for one nvqual does not decode) and data size.
FeatureInfo feature_info(uint8_t fid);

struct FeatureReading {
  FeatureInfo info;
  std::string sel;              // current, default, saved, supported
  std::optional<uint32_t> dw0;  // nothing when refused
  std::vector<std::byte> data;  // data_bytes of the data structure, when any
  std::string refusal;          // the status, when refused
};

// nvme-cli's get-feature keys, then nvqual's decoded `fields` (and, refused, `status`).
nlohmann::json feature_json(const FeatureReading& reading);
// "get-feature:0x01 (Arbitration), current value:0x00000000" and the fields, one per line.
std::string format_feature(const FeatureReading& reading);

}  // namespace nvqual::app
