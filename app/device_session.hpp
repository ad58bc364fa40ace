// What identify and read share: open the target, reset and enable the
// controller, identify it, and look namespaces up with clear errors.
#pragma once

#include <memory>

#include "nvqual/driver/controller.hpp"
#include "stop_signal.hpp"
#include "target.hpp"

namespace nvqual::app {

class DeviceSession {
 public:
  // Opens the target, resets the controller (disable + enable) and identifies it.
  explicit DeviceSession(const TargetOptions& options);
  ~DeviceSession();

  Controller& controller() { return *controller_; }
  const IdentifyController& identity() const { return *controller_->identity(); }
  const Target& target() const { return target_; }

  // Identify Namespace for an NSID the controller reports active; throws
  // UsageError naming the active NSIDs otherwise.
  IdentifyNamespace require_namespace(uint32_t nsid);

 private:
  Target target_;
  SignalAwareClock clock_;  // outlives controller_, which waits through it
  std::unique_ptr<Controller> controller_;
};

}  // namespace nvqual::app
