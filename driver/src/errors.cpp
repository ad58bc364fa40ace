#include "nvqual/driver/errors.hpp"

namespace nvqual {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kDeviceGone: return "device gone";
    case ErrorKind::kControllerFatal: return "controller fatal status";
    case ErrorKind::kReadyTimeout: return "ready timeout";
    case ErrorKind::kShutdownTimeout: return "shutdown timeout";
    case ErrorKind::kCommandTimeout: return "command timeout";
    case ErrorKind::kCommandFailed: return "command failed";
    case ErrorKind::kProtocolViolation: return "protocol violation";
    case ErrorKind::kInvalidArgument: return "invalid argument";
    case ErrorKind::kUnsupported: return "unsupported";
    case ErrorKind::kMediaChangeRefused: return "media change refused";
    case ErrorKind::kQueueFull: return "queue full";
    case ErrorKind::kEnvironment: return "environment";
  }
  return "unknown";
}

}  // namespace nvqual
