// Identify data as JSON with the keys nvme-cli uses for `nvme id-ctrl -o json`
// and `nvme id-ns -o json` (nvme-print-json.c), so the two tools' output can
// be diffed. Differences from nvme-cli, on purpose:
// - every field of our structures is always present (nvme-cli omits subnqn
//   when empty and npwg..nows unless NSFEAT bits 4/5 are set);
// - fields nvme-cli added after NVMe 2.0 (bpcap, nssl, kpioc, lbaf "in_use"...) are absent;
// - 128-bit values are numbers when they fit 64 bits, else decimal strings
//   (nlohmann::json has no wider integer).
#pragma once

#include <nlohmann/json.hpp>

#include "nvqual/driver/identify.hpp"

namespace nvqual::app {

nlohmann::json identify_controller_json(const IdentifyController& ctrl);
nlohmann::json identify_namespace_json(const IdentifyNamespace& ns);

}  // namespace nvqual::app
