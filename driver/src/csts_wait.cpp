#include "csts_wait.hpp"

namespace nvqual::detail {

void throw_if_gone(Transport& transport, uint32_t raw, const char* register_name) {
  if (raw == spec::kAllOnes32) {
    throw DriverError(ErrorKind::kDeviceGone,
                      fmt::format("{} on {} reads FFFFFFFFh: the device is not reachable (fell off the bus, BAR not "
                                  "mapped, or powered down); check lspci and dmesg",
                                  register_name, transport.name()));
  }
}

spec::Cap read_cap_checked(Transport& transport) {
  const spec::Cap value{transport.read64(spec::reg::kCap)};
  if (value.raw == spec::kAllOnes64) throw_if_gone(transport, spec::kAllOnes32, "CAP");
  return value;
}

std::chrono::nanoseconds ready_bound_for(Transport& transport, spec::Cap cap, std::chrono::nanoseconds slack) {
  std::chrono::nanoseconds bound = cap.ready_timeout();
  // 2.0: with CRMS set, CRTO.CRWMT can be larger than CAP.TO (Linux warns when they disagree).
  if (spec::Version{transport.read32(spec::reg::kVs)}.at_least(2, 0) && cap.has_crto()) {
    const spec::Crto crto{transport.read32(spec::reg::kCrto)};
    bound = std::max<std::chrono::nanoseconds>(bound, crto.ready_with_media_timeout());
  }
  return bound + slack;
}

}  // namespace nvqual::detail
