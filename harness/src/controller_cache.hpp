// The controller the cases run on. A new Controller costs a reset, so one is
// kept from case to case while the admin queue depths the cases ask for stay
// the same; a case that asks for others gets a new one.
#pragma once

#include <memory>

#include "nvqual/driver/controller.hpp"
#include "nvqual/harness/expression.hpp"

namespace nvqual::harness {

class ControllerCache {
 public:
  // `base` is used for every controller, with the admin depths of the case.
  // The controllers wait on `clock`, which must outlive this cache.
  ControllerCache(Transport& transport, ControllerOptions base, Clock& clock)
      : transport_(transport), base_(std::move(base)), clock_(clock) {}

  // The controller for a case with `variables` (admin_sq_entries and
  // admin_cq_entries). Throws what creating a controller throws.
  Controller& for_case(const Variables& variables);
  // The controller the last case ran on. Only after for_case.
  Controller& current() { return *controller_; }
  // Shuts the controller down and disables it before its DMA memory is freed.
  void close() { controller_.reset(); }
  // Leaves the controller alive for good: a thread that could not be stopped
  // may still be using it.
  void abandon() { (void)controller_.release(); }

 private:
  Transport& transport_;
  ControllerOptions base_;
  Clock& clock_;
  std::unique_ptr<Controller> controller_;
  ControllerOptions current_options_;
};

}  // namespace nvqual::harness
