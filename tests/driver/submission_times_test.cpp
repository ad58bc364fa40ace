// SubmissionTimes against a std::map model: random sets and erases with CIDs
// handed out the way a queue does (in sequence, some held for a long time),
// so probe runs wrap and backward-shift deletion is exercised.
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "nvqual/driver/submission_times.hpp"

namespace nvqual {
namespace {

using std::chrono::nanoseconds;

Clock::time_point at(uint64_t n) { return Clock::time_point{nanoseconds(n)}; }

TEST(SubmissionTimes, SetGetErase) {
  SubmissionTimes times(3);
  EXPECT_FALSE(times.get(7));
  times.set(7, at(1));
  times.set(8, at(2));
  EXPECT_EQ(times.get(7), at(1));
  times.set(7, at(3));  // a CID submitted again replaces its time
  EXPECT_EQ(times.get(7), at(3));
  times.erase(7);
  EXPECT_FALSE(times.get(7));
  EXPECT_EQ(times.get(8), at(2));
  times.erase(99);  // not there: nothing happens
  EXPECT_EQ(times.get(8), at(2));
}

TEST(SubmissionTimes, CollidingCidsSurviveErasesInAnyOrder) {
  SubmissionTimes times(3);  // 8 slots: CIDs 1, 9, 17 and 22 share a home (Fibonacci hash, top 3 bits)
  for (uint16_t cid : {1, 9, 17}) times.set(cid, at(cid));
  times.erase(1);
  EXPECT_EQ(times.get(9), at(9));
  EXPECT_EQ(times.get(17), at(17));
  times.set(22, at(22));
  times.erase(17);
  EXPECT_EQ(times.get(9), at(9));
  EXPECT_EQ(times.get(22), at(22));
  EXPECT_FALSE(times.get(17));
}

TEST(SubmissionTimes, MatchesAMapUnderQueueLikeUse) {
  constexpr uint32_t kCapacity = 63;
  SubmissionTimes times(kCapacity);
  std::map<uint16_t, Clock::time_point> model;
  std::mt19937 random(42);
  uint16_t next_cid = 0;
  for (uint64_t step = 0; step < 200000; ++step) {
    const bool submit = model.size() < kCapacity && (model.empty() || random() % 2 == 0);
    if (submit) {
      while (model.count(next_cid) != 0) next_cid = static_cast<uint16_t>((next_cid + 1) % 0xFFFF);
      times.set(next_cid, at(step));
      model[next_cid] = at(step);
      next_cid = static_cast<uint16_t>((next_cid + 1) % 0xFFFF);
    } else {
      // Complete any outstanding command: out of order, as devices may.
      auto it = model.begin();
      std::advance(it, random() % model.size());
      times.erase(it->first);
      model.erase(it);
    }
    if (step % 97 == 0) {
      for (const auto& [cid, when] : model) ASSERT_EQ(times.get(cid), when) << "CID " << cid << " step " << step;
    }
  }
}

}  // namespace
}  // namespace nvqual
