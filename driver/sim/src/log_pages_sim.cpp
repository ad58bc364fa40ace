// Log pages beyond the three every controller has (NVMe Base 2.0, 5.16.1.5
// Changed Namespace List, 5.16.1.6 Commands Supported and Effects).
#include "device.hpp"

namespace nvqual::sim {

namespace {
constexpr size_t kChangedNamespaceListBytes = 4096;  // 1024 NSIDs
constexpr size_t kEffectsLogBytes = 4096;            // ACS0-255, IOCS0-255, reserved
constexpr size_t kIocsOffset = 1024;
constexpr uint32_t kCsupp = 1u << 0;  // Command Supported

void mark_supported(std::vector<std::byte>& log, size_t offset, uint8_t opcode) {
  const size_t at = offset + size_t{opcode} * 4;
  log[at] = static_cast<std::byte>(static_cast<uint32_t>(log[at]) | kCsupp);
}
}  // namespace

// No namespace changes attributes while the simulator runs: the list is empty.
std::vector<std::byte> Device::changed_namespace_log_bytes() const {
  return std::vector<std::byte>(kChangedNamespaceListBytes, std::byte{0});
}

// What execute_admin and execute_io run; none of them changes media here.
std::vector<std::byte> Device::effects_log_bytes() const {
  std::vector<std::byte> log(kEffectsLogBytes, std::byte{0});
  for (const auto opcode :
       {spec::AdminOpcode::kDeleteIoSq, spec::AdminOpcode::kCreateIoSq, spec::AdminOpcode::kGetLogPage,
        spec::AdminOpcode::kDeleteIoCq, spec::AdminOpcode::kCreateIoCq, spec::AdminOpcode::kIdentify,
        spec::AdminOpcode::kAbort, spec::AdminOpcode::kSetFeatures, spec::AdminOpcode::kGetFeatures,
        spec::AdminOpcode::kAsyncEventRequest}) {
    mark_supported(log, 0, static_cast<uint8_t>(opcode));
  }
  mark_supported(log, kIocsOffset, static_cast<uint8_t>(spec::NvmOpcode::kRead));
  mark_supported(log, kIocsOffset, static_cast<uint8_t>(spec::NvmOpcode::kFlush));
  return log;
}

}  // namespace nvqual::sim
