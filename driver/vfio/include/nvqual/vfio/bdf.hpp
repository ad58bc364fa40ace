// PCI addresses (domain:bus:device.function) as sysfs names them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nvqual::vfio {

// "01:00.0" -> "0000:01:00.0"; "0000:01:00.0" unchanged; hex digits lower-cased.
// Throws DriverError(kInvalidArgument) naming the expected form otherwise.
std::string normalize_bdf(std::string_view text);

// The same parse without throwing: nullopt when `text` is not a BDF.
std::optional<std::string> try_normalize_bdf(std::string_view text);

}  // namespace nvqual::vfio
