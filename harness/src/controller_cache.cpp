#include "controller_cache.hpp"

namespace nvqual::harness {

Controller& ControllerCache::for_case(const Variables& variables) {
  ControllerOptions wanted = base_;
  wanted.admin_queue_entries = static_cast<uint32_t>(variables.at("admin_sq_entries"));
  wanted.admin_cq_entries = static_cast<uint32_t>(variables.at("admin_cq_entries"));
  const bool same = controller_ && current_options_.admin_queue_entries == wanted.admin_queue_entries &&
                    current_options_.admin_cq_entries == wanted.admin_cq_entries;
  if (same) return *controller_;
  // A plain disable, not the destructor's shutdown: a case must never start
  // from a shut-down controller (CSTS.SHST may stay 10b until the next enable).
  if (controller_) {
    try {
      controller_->disable();
    } catch (const std::exception&) {
      // The destructor below still stops the controller before freeing its memory.
    }
  }
  controller_.reset();
  controller_ = std::make_unique<Controller>(transport_, wanted, clock_);
  current_options_ = wanted;
  return *controller_;
}

}  // namespace nvqual::harness
