// A case runs on a worker thread of its own, so its deadline and a stop can
// end the wait for it even when a step hangs. A thread that does not stop
// within the grace after its cancellation is abandoned: detached, still
// holding what it uses, and the run ends without touching the device again.
#pragma once

#include <chrono>
#include <functional>

#include "case_deadline.hpp"
#include "nvqual/driver/clock.hpp"
#include "nvqual/harness/results.hpp"

namespace nvqual::harness {

// How the case's thread ended.
struct CaseThreadEnd {
  bool abandoned = false;     // it did not stop within the grace: it runs on, detached
  CaseResult result;          // what it returned; empty when abandoned
  bool cut_short = false;     // a driver wait of the case was ended by its cancellation
  bool deadline_hit = false;  // the case's deadline passed while it ran
};

// Runs `run_case` on a worker thread under a deadline of `timeout`, while
// `clock` ends the case's driver waits once `case_cancel` is requested.
// Returns when the thread finished, or when the grace after a cancellation
// ran out first (bounded by timeout + grace).
CaseThreadEnd run_case_thread(std::function<CaseResult()> run_case, std::chrono::seconds timeout,
                              CaseDeadlines& deadlines, InterruptibleClock& clock, const CancelToken& case_cancel);

}  // namespace nvqual::harness
