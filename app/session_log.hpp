// The command log of the last device session, kept after the session and its
// Controller are gone: a device error unwinds through both before main sees
// it, and main prints the log's tail under the error's one-line summary.
#pragma once

#include "nvqual/driver/command_log.hpp"

namespace nvqual::app {

void keep_session_log(const CommandLog& log);
// Null when no device session ran in this process.
const CommandLog* last_session_log();

}  // namespace nvqual::app
