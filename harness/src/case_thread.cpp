#include "case_thread.hpp"

#include <memory>
#include <thread>

namespace nvqual::harness {

namespace {

// The case thread's result, kept alive by whoever holds it last (the thread
// outlives the wait when it is abandoned).
struct CaseThreadResult {
  CaseResult result;
};

}  // namespace

CaseThreadEnd run_case_thread(std::function<CaseResult()> run_case, std::chrono::seconds timeout,
                              CaseDeadlines& deadlines, InterruptibleClock& clock, const CancelToken& case_cancel) {
  auto shared = std::make_shared<CaseThreadResult>();
  std::shared_ptr<CaseWait> wait = deadlines.start(timeout);
  std::future<bool> ended = wait->ended.get_future();
  clock.watch(&case_cancel);  // the case's driver waits end at its deadline or a stop
  std::thread worker([shared, wait, run_case = std::move(run_case), &deadlines] {
    shared->result = run_case();
    deadlines.finished(wait);
  });
  CaseThreadEnd end;
  if (!ended.get()) {
    // Still watching: the abandoned thread's waits keep ending at once.
    worker.detach();  // `shared` and `wait` stay alive through the thread's copies
    end.abandoned = true;
    return end;
  }
  worker.join();
  end.cut_short = clock.fired();
  clock.watch(nullptr);
  end.result = std::move(shared->result);
  end.deadline_hit = wait->deadline_hit.load();
  return end;
}

}  // namespace nvqual::harness
