#include "case_deadline.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>

namespace nvqual::harness {

std::shared_ptr<CaseWait> CaseDeadlines::start(std::chrono::seconds timeout) {
  auto wait = std::make_shared<CaseWait>(io_);
  boost::asio::post(io_, [this, wait, timeout] { begin(wait, timeout); });
  return wait;
}

void CaseDeadlines::finished(const std::shared_ptr<CaseWait>& wait) {
  boost::asio::post(io_, [this, wait] { settle(wait, true); });
}

void CaseDeadlines::stop_requested() {
  boost::asio::post(io_, [this] { arm_grace(current_); });
}

void CaseDeadlines::begin(const std::shared_ptr<CaseWait>& wait, std::chrono::seconds timeout) {
  current_ = wait;
  wait->deadline.expires_after(timeout);
  wait->deadline.async_wait([this, wait, timeout](const boost::system::error_code& error) {
    if (error || wait->settled) return;
    wait->deadline_hit.store(true);
    case_cancel_.request(CancelCause::kDeadline, fmt::format("the case exceeded its {} s deadline", timeout.count()));
    arm_grace(wait);
  });
  // A stop that came before this wait began.
  if (case_cancel_.requested()) arm_grace(wait);
}

void CaseDeadlines::arm_grace(const std::shared_ptr<CaseWait>& wait) {
  if (!wait || wait->settled || wait->grace_armed) return;
  wait->grace_armed = true;
  wait->grace.expires_after(grace_);
  wait->grace.async_wait([this, wait](const boost::system::error_code& error) {
    if (!error) settle(wait, false);
  });
}

void CaseDeadlines::settle(const std::shared_ptr<CaseWait>& wait, bool finished) {
  if (wait->settled) return;
  wait->settled = true;
  wait->deadline.cancel();
  wait->grace.cancel();
  if (current_ == wait) current_.reset();
  wait->ended.set_value(finished);
}

}  // namespace nvqual::harness
