// Learns the values suites may use (variables.hpp) from the device itself:
// reset, registers, Identify Controller, the active namespace list, Identify
// Namespace of the first active NSID and Set Features Number of Queues.
#pragma once

#include <cstdint>

#include "nvqual/driver/controller.hpp"
#include "nvqual/harness/results.hpp"

namespace nvqual::harness {

// Throws DriverError when the device does not answer; the caller reports it.
TargetInfo probe_device(Controller& controller, uint16_t io_queues_wanted);

}  // namespace nvqual::harness
