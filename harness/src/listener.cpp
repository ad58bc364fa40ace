#include "nvqual/harness/listener.hpp"

#include <stdexcept>
#include <string>

namespace nvqual::harness {

void ListenerRepeater::on_run_end(const RunSummary& summary) {
  std::string failures;
  for (auto it = listeners_.rbegin(); it != listeners_.rend(); ++it) {
    try {
      (*it)->on_run_end(summary);
    } catch (const std::exception& e) {
      failures += (failures.empty() ? "" : "; ") + std::string(e.what());
    }
  }
  if (!failures.empty()) throw std::runtime_error(failures);
}

}  // namespace nvqual::harness
