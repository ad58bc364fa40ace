#include "nvqual/vfio/vfio_transport.hpp"

#include "nvqual/driver/errors.hpp"

namespace nvqual::vfio {

// Placeholder until the VFIO transport lands: --bdf fails cleanly.
std::unique_ptr<Transport> open(const VfioOptions& options) {
  throw DriverError(ErrorKind::kUnsupported,
                    "--bdf " + options.bdf + ": the VFIO transport is not built into this nvqual yet; use --sim");
}

}  // namespace nvqual::vfio
