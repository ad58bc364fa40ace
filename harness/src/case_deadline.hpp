// The running case's deadline, and the grace a cancelled case gets to stop,
// as timers on the event thread. A case's wait ends once: when its thread
// finishes, or when the grace after its cancellation (the deadline or a stop)
// runs out first; the runner's thread learns which through a future.
#pragma once

#include <atomic>
#include <chrono>
#include <future>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "nvqual/harness/step_context.hpp"

namespace nvqual::harness {

// One case's wait. Shared with the case thread, which may outlive the wait
// when it has to be abandoned. Its timers and flags belong to the event thread.
struct CaseWait {
  explicit CaseWait(boost::asio::io_context& io) : deadline(io), grace(io) {}
  boost::asio::steady_timer deadline;
  boost::asio::steady_timer grace;
  std::promise<bool> ended;  // true: the case thread finished; false: it did not stop within the grace
  bool settled = false;
  bool grace_armed = false;
  std::atomic<bool> deadline_hit{false};  // read by the runner's thread once `ended` is set
};

class CaseDeadlines {
 public:
  // Cancels through `case_cancel`; a cancelled case gets `grace` to stop.
  CaseDeadlines(boost::asio::io_context& io, CancelToken& case_cancel, std::chrono::nanoseconds grace)
      : io_(io), case_cancel_(case_cancel), grace_(grace) {}

  // From the runner's thread: a wait for a case that must end within `timeout`.
  std::shared_ptr<CaseWait> start(std::chrono::seconds timeout);
  // From the case thread when it is done.
  void finished(const std::shared_ptr<CaseWait>& wait);
  // From any thread, after the case's token was requested by a stop: the
  // grace of the case being waited for (if any) starts now.
  void stop_requested();

 private:
  // Event thread only, like everything touching a CaseWait.
  void begin(const std::shared_ptr<CaseWait>& wait, std::chrono::seconds timeout);
  void arm_grace(const std::shared_ptr<CaseWait>& wait);
  void settle(const std::shared_ptr<CaseWait>& wait, bool finished);

  boost::asio::io_context& io_;
  CancelToken& case_cancel_;
  std::chrono::nanoseconds grace_;
  std::shared_ptr<CaseWait> current_;  // the case being waited for; event thread only
};

}  // namespace nvqual::harness
