// Errors the driver core reports. Each names what happened in one line that a
// lab engineer can act on; `kind` lets callers map them to outcomes and exit codes.
#pragma once

#include <stdexcept>
#include <string>

namespace nvqual {

enum class ErrorKind {
  kDeviceGone,          // registers read all ones: the device fell off the bus
  kControllerFatal,     // CSTS.CFS set
  kReadyTimeout,        // CSTS.RDY did not reach the wanted value within the bound
  kShutdownTimeout,     // CSTS.SHST did not report completion within the bound
  kCommandTimeout,      // no completion within the command's deadline
  kCommandFailed,       // a completion with a non-success status where success was required
  kProtocolViolation,   // the device broke the protocol (unknown CID, wrong SQID, SQHD out of range)
  kInvalidArgument,     // the caller asked for something impossible (NSID, LBA range, sizes)
  kUnsupported,         // the controller lacks a needed capability
  kMediaChangeRefused,  // a command that changes media without the double opt-in
  kQueueFull,           // no free submission slot or CID
  kEnvironment,         // VFIO, permissions, memlock, sysfs: the host, not the device
};

const char* to_string(ErrorKind kind);

class DriverError : public std::runtime_error {
 public:
  DriverError(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace nvqual
