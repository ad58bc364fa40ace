#include "nvqual/sim/simulated_controller.hpp"

#include "device.hpp"

namespace nvqual::sim {

SimulatedController::SimulatedController(Profile profile, Mode mode, Clock& clock)
    : mode_(mode), device_(std::make_unique<Device>(std::move(profile), mode, clock)) {}

SimulatedController::~SimulatedController() = default;

uint32_t SimulatedController::read32(uint32_t offset) { return device_->read32(offset); }
uint64_t SimulatedController::read64(uint32_t offset) { return device_->read64(offset); }
void SimulatedController::write32(uint32_t offset, uint32_t value) { device_->write32(offset, value); }
void SimulatedController::write64(uint32_t offset, uint64_t value) { device_->write64(offset, value); }
DmaRegion SimulatedController::dma_alloc(size_t size, size_t alignment) { return device_->dma_alloc(size, alignment); }
void SimulatedController::dma_free(const DmaRegion& region) noexcept { device_->dma_free(region); }
void SimulatedController::dma_returned(const DmaRegion& piece) noexcept { device_->dma_returned(piece); }

bool SimulatedController::function_level_reset() { return device_->function_level_reset(); }

std::string SimulatedController::name() const {
  // A hostile run says so in every message and report, with the seed that replays it.
  const auto& seed = device_->profile().hostile_seed;
  return seed ? "simulator (hostile seed " + std::to_string(*seed) + ")" : "simulator";
}
std::vector<std::string> SimulatedController::violations() const { return device_->violations(); }
void SimulatedController::clear_violations() { device_->clear_violations(); }
const Profile& SimulatedController::profile() const { return device_->profile(); }
SimCounters SimulatedController::counters() const { return device_->counters(); }
size_t SimulatedController::mapped_regions() const { return device_->mapped_regions(); }
void SimulatedController::calm_hostility() { device_->calm_hostility(); }
uint32_t SimulatedController::bar_size() const { return device_->bar_size(); }

}  // namespace nvqual::sim
