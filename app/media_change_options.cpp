#include "media_change_options.hpp"

#include <charconv>

#include <fmt/format.h>

#include "command.hpp"
#include "nvqual/driver/errors.hpp"

namespace nvqual::app {

void add_media_change_options(CLI::App& cli, MediaChangeOptions& options) {
  cli.add_flag("--allow-media-changes", options.allow,
               "Allow commands that change media, in suites that declare media_changes: true");
  cli.add_option("--confirm-serial", options.confirm_serial,
                 "A real device's serial number (Identify Controller SN): media changes go only to that device");
  cli.add_option("--scratch", options.scratch,
                 "Blocks media-changing commands may touch: [NSID=]FIRST:LAST or [NSID=]all (repeatable; NSID 1 "
                 "when omitted)");
}

MediaChangePolicy media_change_policy_from(const MediaChangeOptions& options, uint32_t default_nsid) {
  MediaChangePolicy policy;
  policy.set_user_allows(options.allow);
  if (!options.allow && (!options.confirm_serial.empty() || !options.scratch.empty())) {
    throw UsageError("--confirm-serial and --scratch only apply with --allow-media-changes: add it, or drop them");
  }
  if (!options.confirm_serial.empty()) policy.set_confirm_serial(options.confirm_serial);
  for (const auto& text : options.scratch) {
    std::string_view range = text;
    uint32_t nsid = default_nsid;
    if (const size_t eq = range.find('='); eq != std::string_view::npos) {
      const std::string_view ns = range.substr(0, eq);
      const auto [end, ec] = std::from_chars(ns.data(), ns.data() + ns.size(), nsid);
      if (ns.empty() || ec != std::errc{} || end != ns.data() + ns.size() || nsid == 0) {
        throw UsageError(
            fmt::format("--scratch {}: '{}' is not an NSID; write NSID=FIRST:LAST, e.g. 1=0:1023", text, ns));
      }
      range.remove_prefix(eq + 1);
    }
    try {
      policy.add_scratch(parse_scratch_range(range, nsid));
    } catch (const DriverError& e) {
      throw UsageError(fmt::format("--scratch {}: {}", text, e.what()));
    }
  }
  return policy;
}

}  // namespace nvqual::app
