// The stop for paths that end the process at once (std::_Exit after a case
// thread was abandoned, a second SIGINT): no destructor will run, and another
// thread may still be inside the Controller, so this touches registers only.
// CC.EN=0, then the transport's DMA stop (PCI bus mastering off on VFIO),
// then one wait for CSTS.RDY=0 bounded by CAP.TO (or CRTO.CRWMT when larger).
// It frees nothing: the memory the controller could reach goes with the process.
#pragma once

#include "nvqual/driver/clock.hpp"
#include "nvqual/driver/transport.hpp"

namespace nvqual {

// True when CSTS.RDY read 0 within the bound. Never throws.
bool emergency_disable(Transport& transport, Clock& clock = SteadyClock::instance()) noexcept;

}  // namespace nvqual
