#include "nvqual/vfio/bdf.hpp"

#include <cctype>
#include <regex>

#include <fmt/format.h>

#include "nvqual/driver/errors.hpp"

namespace nvqual::vfio {

std::optional<std::string> try_normalize_bdf(std::string_view text) {
  // Domain is optional and at least four hex digits (VMD domains have five);
  // device is 00-1f, function 0-7 (PCI Local Bus 3.0, 3.2.2.3.1).
  static const std::regex kForm(R"(^(?:([0-9a-fA-F]{4,8}):)?([0-9a-fA-F]{2}):([01][0-9a-fA-F])\.([0-7])$)");
  std::match_results<std::string_view::const_iterator> match;
  if (!std::regex_match(text.begin(), text.end(), match, kForm)) return std::nullopt;
  std::string domain = match[1].matched ? match[1].str() : "0000";
  std::string result = fmt::format("{}:{}:{}.{}", domain, match[2].str(), match[3].str(), match[4].str());
  for (char& c : result) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

std::string normalize_bdf(std::string_view text) {
  if (auto bdf = try_normalize_bdf(text)) return *bdf;
  throw DriverError(ErrorKind::kInvalidArgument,
                    fmt::format("'{}' is not a PCI address: expected DDDD:BB:DD.F or BB:DD.F in hex, e.g. 0000:01:00.0 "
                                "(see `nvqual devices` or `lspci -D`)",
                                text));
}

}  // namespace nvqual::vfio
