// InterruptibleClock: the one clock whose waits a stop ends (the runner's
// cases and probes, the CLI's one-shot commands). A stop ends the next pause
// with WaitInterrupted, once per watch(), so the driver's clean-up after it
// can still wait; nothing is interrupted while nothing is watched.
#include <gtest/gtest.h>

#include "nvqual/driver/clock.hpp"

namespace nvqual {
namespace {

using namespace std::chrono_literals;

class FlagStop final : public StopRequest {
 public:
  bool requested() const override { return requested_; }
  std::string reason() const override { return "interrupted by a test"; }
  bool requested_ = false;
};

TEST(InterruptibleClock, ReadsTheBaseClocksTime) {
  VirtualClock base;
  InterruptibleClock clock(base);
  base.advance(5ms);
  EXPECT_EQ(clock.now(), base.now());
  clock.pause(1ms);
  EXPECT_EQ(base.now().time_since_epoch(), 6ms);
  EXPECT_EQ(&clock.base(), &base);
}

TEST(InterruptibleClock, ARequestedStopEndsTheNextPauseOncePerWatch) {
  VirtualClock base;
  InterruptibleClock clock(base);
  FlagStop stop;
  clock.watch(&stop);
  clock.pause(1ms);
  EXPECT_FALSE(clock.fired());

  stop.requested_ = true;
  try {
    clock.pause(1ms);
    ADD_FAILURE() << "the pause did not end";
  } catch (const WaitInterrupted& e) {
    EXPECT_STREQ(e.what(), "interrupted by a test");
    EXPECT_EQ(e.kind(), ErrorKind::kEnvironment);  // a DriverError: the driver disables before unwinding
  }
  EXPECT_TRUE(clock.fired());
  EXPECT_NO_THROW(clock.pause(1ms)) << "the clean-up after the interruption must be able to wait";
  EXPECT_TRUE(clock.fired());

  clock.watch(&stop);  // a new watch fires again
  EXPECT_FALSE(clock.fired());
  EXPECT_THROW(clock.pause(1ms), WaitInterrupted);
}

TEST(InterruptibleClock, NothingIsInterruptedWhileNothingIsWatched) {
  VirtualClock base;
  InterruptibleClock clock(base);
  FlagStop stop;
  stop.requested_ = true;
  EXPECT_NO_THROW(clock.pause(1ms));
  clock.watch(&stop);
  clock.watch(nullptr);
  EXPECT_NO_THROW(clock.pause(1ms));
  EXPECT_FALSE(clock.fired());
}

}  // namespace
}  // namespace nvqual
