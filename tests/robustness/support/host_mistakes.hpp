// Sorts the simulator's violation lines: which ones are host mistakes no
// device lie can excuse. A hostile device makes an honest driver do odd but
// harmless things (write a doorbell while the lied CSTS said ready, release a
// completion slot a lied phase tag showed it); those are the device's fault.
// What the driver must never do, whatever it reads, is reach memory or
// registers it does not own: hand out an IOVA it did not map, free memory the
// controller can still reach, ring a doorbell past its queue or past BAR0.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace nvqual::robustness {

// Substrings of the simulator's violation messages (driver/sim/src/) that are unsafe host mistakes.
// Not listed: a doorbell "for queue N, beyond the I/O queues this controller
// supports". A CAP.DSTRD lie that still fits in BAR0 moves every doorbell onto
// other queues' slots; no host can tell (Linux cannot either), and the write
// stays inside BAR0. A DSTRD that does not fit is refused (queue_pair.cpp).
inline constexpr std::array<std::string_view, 5> kHostMistakes = {
    "is not mapped DMA memory",                 // prp_walker.cpp, queue_state.cpp: an IOVA the host did not map
    "freed while the controller can reach it",  // device.cpp: DMA freed under an active queue or command
    "is beyond the queue size",                 // device_queues.cpp: SQ tail / CQ head past the ring
    "overruns the controller's head",           // device_queues.cpp: more entries than the ring holds
    "is outside BAR0",                          // device_registers.cpp: a write past the BAR
};

inline std::vector<std::string> host_mistakes(const std::vector<std::string>& violations) {
  std::vector<std::string> out;
  for (const auto& line : violations) {
    for (const auto pattern : kHostMistakes) {
      if (line.find(pattern) != std::string::npos) {
        out.push_back(line);
        break;
      }
    }
  }
  return out;
}

}  // namespace nvqual::robustness
