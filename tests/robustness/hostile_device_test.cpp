// Every shipped suite against the hostile simulator (driver/sim/src/
// hostile_device.hpp) for kSeeds seeds: no crash, no hang, exit 0/1/3, both
// reports complete and valid, no unsafe host mistake, the controller off at
// the end (support/hostile_run.cpp). The seeds are split over kShards tests so
// ctest -j runs them in parallel; a failing seed prints its replay command.
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "harness/support/sim_run.hpp"
#include "support/hostile_run.hpp"

namespace nvqual::robustness {
namespace {

constexpr int kSeeds = 200;
constexpr int kShards = 8;

const std::vector<harness::Suite>& suites() {
  static const auto loaded = harness::testing::shipped_suites();
  return loaded;
}

class HostileSeeds : public ::testing::TestWithParam<int> {};

TEST_P(HostileSeeds, EveryShippedSuiteSurvivesTheDeviceLying) {
  for (int i = GetParam(); i < kSeeds; i += kShards) {
    const uint64_t seed = static_cast<uint64_t>(i) + 1;
    const std::string problems = hostile_run_problems(seed, suites());
    EXPECT_EQ(problems, "") << "hostile seed " << seed << " - replay: " << replay_command(seed);
  }
}

INSTANTIATE_TEST_SUITE_P(Shard, HostileSeeds, ::testing::Range(0, kShards));

// Replays one seed: NVQUAL_HOSTILE_SEED=N nvqual_robustness_tests --gtest_filter='HostileReplay.*'.
TEST(HostileReplay, TheSeedInNvqualHostileSeed) {
  const char* text = std::getenv("NVQUAL_HOSTILE_SEED");
  if (text == nullptr) GTEST_SKIP() << "set NVQUAL_HOSTILE_SEED to replay one hostile seed";
  const uint64_t seed = std::strtoull(text, nullptr, 0);
  EXPECT_EQ(hostile_run_problems(seed, suites()), "") << "hostile seed " << seed;
}

}  // namespace
}  // namespace nvqual::robustness
