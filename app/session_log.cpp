#include "session_log.hpp"

#include <optional>

namespace nvqual::app {

namespace {
// One process runs one subcommand, so one slot is enough.
std::optional<CommandLog>& slot() {
  static std::optional<CommandLog> log;
  return log;
}
}  // namespace

void keep_session_log(const CommandLog& log) {
  try {
    slot() = log;
  } catch (const std::bad_alloc&) {
    // Called while unwinding: losing the log is better than terminating.
  }
}

const CommandLog* last_session_log() { return slot() ? &*slot() : nullptr; }

}  // namespace nvqual::app
