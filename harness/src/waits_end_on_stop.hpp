// A scope in which the driver's waits end once a stop is requested: the
// runner's own device work (the start-up probe, a controller's set-up, the
// health probe and reset after a case) watches the run's stop this way.
#pragma once

#include "nvqual/driver/clock.hpp"

namespace nvqual::harness {

class WaitsEndOnStop {
 public:
  WaitsEndOnStop(InterruptibleClock& clock, const StopRequest& stop) : clock_(clock) { clock_.watch(&stop); }
  ~WaitsEndOnStop() { clock_.watch(nullptr); }
  WaitsEndOnStop(const WaitsEndOnStop&) = delete;
  WaitsEndOnStop& operator=(const WaitsEndOnStop&) = delete;

  // True when a wait in this scope was ended by the stop.
  bool cut_short() const { return clock_.fired(); }

 private:
  InterruptibleClock& clock_;
};

}  // namespace nvqual::harness
