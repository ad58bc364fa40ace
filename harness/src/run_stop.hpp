// The stop of a whole run: requested once, by the first SIGINT/SIGTERM or by
// Runner::request_stop, from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>

#include "nvqual/harness/step_context.hpp"

namespace nvqual::harness {

class RunStop {
 public:
  // The first call wins (later ones return false and change nothing).
  // `reason` is what reports print ("SIGINT", "stop requested"). The running
  // case's token is requested before token(): whoever sees token() may rely on
  // that case's driver waits being cut short already.
  bool request(const std::string& reason, CancelToken& running_case);
  bool requested() const { return requested_.load(); }
  std::string reason() const;  // "SIGINT"; empty while not requested
  // Why the cases left are skipped: "not run: the run was interrupted (SIGINT)".
  std::string not_run_reason() const;
  // Requested with the stop, as "interrupted by SIGINT": the run's own driver
  // waits (the start-up probe, controller set-up, health probes) watch it.
  const CancelToken& token() const { return token_; }

 private:
  std::atomic<bool> requested_{false};
  mutable std::mutex mutex_;
  std::string reason_;
  CancelToken token_;
};

}  // namespace nvqual::harness
