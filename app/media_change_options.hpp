// The command line's side of the media-change policy: --allow-media-changes,
// --confirm-serial SN and --scratch [NSID=]FIRST:LAST|all, checked up front so
// bad input gets one line and exit 2 before any device is opened
// (docs/data-integrity.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "nvqual/driver/media_change_policy.hpp"

namespace nvqual::app {

struct MediaChangeOptions {
  bool allow = false;
  std::string confirm_serial;
  std::vector<std::string> scratch;
};

void add_media_change_options(CLI::App& cli, MediaChangeOptions& options);
// Throws UsageError naming the problem; the policy's conditions 2-4. A
// --scratch without NSID= is for `default_nsid` (`run`: 1, `fill`: its --nsid).
MediaChangePolicy media_change_policy_from(const MediaChangeOptions& options, uint32_t default_nsid = 1);

}  // namespace nvqual::app
