#include "run_info.hpp"

#include <unistd.h>

namespace nvqual::harness {

namespace {

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace

RunInfo run_info(const RunSettings& settings) {
  RunInfo info;
  info.hostname = host_name();
  info.started = std::chrono::system_clock::now();
  info.expect_pattern = settings.expect_pattern;
  info.model_profile = settings.model != nullptr ? settings.model->name : "";
  info.media_changes.allowed = settings.allow_media_changes;
  record_scratch_ranges(info, settings.media_change_policy);
  return info;
}

void record_scratch_ranges(RunInfo& info, const MediaChangePolicy& policy) {
  info.media_changes.scratch.clear();
  for (const auto& range : policy.scratch()) info.media_changes.scratch.push_back(range.text());
}

}  // namespace nvqual::harness
