#include "nvqual/driver/latency_histogram.hpp"

#include <algorithm>
#include <array>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace nvqual {
namespace {

using H = LatencyHistogram;

TEST(LatencyHistogram, ValuesBelow128HaveOneBucketEach) {
  for (uint64_t v = 0; v < 128; ++v) {
    EXPECT_EQ(H::bucket_of(v), v);
    EXPECT_EQ(H::lower_bound(v), v);
    EXPECT_EQ(H::upper_bound(v), v);
  }
}

TEST(LatencyHistogram, BucketBoundsAtPowersOfTwo) {
  // 128..255 still one value per bucket; 256 starts buckets two wide.
  EXPECT_EQ(H::bucket_of(128), 128u);
  EXPECT_EQ(H::bucket_of(255), 255u);
  EXPECT_EQ(H::bucket_of(256), 256u);
  EXPECT_EQ(H::bucket_of(257), 256u);
  EXPECT_EQ(H::lower_bound(256), 256u);
  EXPECT_EQ(H::upper_bound(256), 257u);
  EXPECT_EQ(H::bucket_of(511), 383u);
  EXPECT_EQ(H::bucket_of(512), 384u);
  EXPECT_EQ(H::upper_bound(384), 515u);
  // 1 s = 1e9 ns lies in 2^29..2^30, buckets of 2^22 ns.
  const size_t second = H::bucket_of(1'000'000'000);
  EXPECT_LE(H::lower_bound(second), 1'000'000'000u);
  EXPECT_GE(H::upper_bound(second), 1'000'000'000u);
  EXPECT_EQ(H::upper_bound(second) - H::lower_bound(second) + 1, uint64_t{1} << 22);
  EXPECT_EQ(H::bucket_of(H::kMaxTracked), H::kBuckets - 1);
  EXPECT_EQ(H::upper_bound(H::kBuckets - 1), H::kMaxTracked);
  EXPECT_EQ(H::bucket_of(UINT64_MAX), H::kBuckets - 1);
}

TEST(LatencyHistogram, BucketsTileTheRangeWithoutGapsOrOverlap) {
  for (size_t i = 0; i + 1 < H::kBuckets; ++i) {
    ASSERT_EQ(H::upper_bound(i) + 1, H::lower_bound(i + 1)) << "bucket " << i;
    ASSERT_EQ(H::bucket_of(H::lower_bound(i)), i);
    ASSERT_EQ(H::bucket_of(H::upper_bound(i)), i);
  }
}

TEST(LatencyHistogram, EveryBucketIsWithinOnePercentOfItsValues) {
  for (size_t i = 0; i < H::kBuckets; ++i) {
    const double width = static_cast<double>(H::upper_bound(i) - H::lower_bound(i));
    ASSERT_LE(width, 0.01 * static_cast<double>(H::lower_bound(i))) << "bucket " << i;
  }
}

// Deterministic log-uniform latencies from 50 ns to about 2 s.
std::vector<uint64_t> sample(uint32_t seed, size_t n) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> values(n);
  for (auto& v : values) v = 50 + (rng() >> (28 + rng() % 36));
  return values;
}

TEST(LatencyHistogram, PercentilesMatchASortedReferenceWithinResolution) {
  const std::vector<uint64_t> values = sample(7, 100'003);
  H histogram;
  for (uint64_t v : values) histogram.record(v);
  std::vector<uint64_t> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  // Percentiles in 1/10000ths, so the reference rank is exact integer arithmetic.
  for (uint64_t per10k : {100u, 5000u, 9000u, 9900u, 9990u, 9999u, 10000u}) {
    const uint64_t rank = (per10k * sorted.size() + 9999) / 10000;  // nearest rank, 1-based
    const uint64_t reference = sorted[rank - 1];
    const uint64_t got = histogram.percentile(static_cast<double>(per10k) / 100.0);
    EXPECT_GE(got, reference) << per10k;
    EXPECT_LE(got - reference, reference / 128) << per10k;
  }
  EXPECT_EQ(histogram.count(), values.size());
  EXPECT_EQ(histogram.min(), sorted.front());
  EXPECT_EQ(histogram.max(), sorted.back());
  double sum = 0;
  for (uint64_t v : values) sum += static_cast<double>(v);
  EXPECT_DOUBLE_EQ(histogram.mean(), sum / static_cast<double>(values.size()));
}

TEST(LatencyHistogram, PercentileOfAnExactBucketIsExact) {
  H histogram;
  for (uint64_t v = 1; v <= 100; ++v) histogram.record(v);
  EXPECT_EQ(histogram.percentile(50), 50u);
  EXPECT_EQ(histogram.percentile(99), 99u);
  EXPECT_EQ(histogram.percentile(99.99), 100u);
  EXPECT_EQ(histogram.percentile(1), 1u);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  const std::vector<uint64_t> a = sample(1, 5000);
  const std::vector<uint64_t> b = sample(2, 7000);
  H ha;
  H hb;
  H all;
  for (uint64_t v : a) ha.record(v), all.record(v);
  for (uint64_t v : b) hb.record(v), all.record(v);
  ha.merge(hb);
  EXPECT_EQ(ha.count(), all.count());
  EXPECT_EQ(ha.min(), all.min());
  EXPECT_EQ(ha.max(), all.max());
  EXPECT_DOUBLE_EQ(ha.mean(), all.mean());
  for (size_t i = 0; i < H::kBuckets; ++i) ASSERT_EQ(ha.count_in(i), all.count_in(i)) << i;
  EXPECT_EQ(ha.percentile(99.9), all.percentile(99.9));
}

TEST(LatencyHistogram, MergingAnEmptyHistogramChangesNothing) {
  H h;
  h.record(1000);
  h.merge(H{});
  EXPECT_EQ(h.min(), 1000u);
  EXPECT_EQ(h.max(), 1000u);
  EXPECT_EQ(h.count(), 1u);
}

TEST(LatencyHistogram, EmptyReportsZeros) {
  const H h;
  EXPECT_EQ(h.percentile(99), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.to_csv(), "lower_ns,upper_ns,count\n");
}

TEST(LatencyHistogram, StddevOfTwoPointsWithinResolution) {
  H h;
  h.record(10'000);
  h.record(20'000);
  EXPECT_NEAR(h.stddev(), 5000.0, 5000.0 / 64);
}

TEST(LatencyHistogram, CsvListsNonEmptyBuckets) {
  H h;
  h.record(5);
  h.record(300);
  h.record(301);
  EXPECT_EQ(h.to_csv(), "lower_ns,upper_ns,count\n5,5,1\n300,301,2\n");
}

}  // namespace
// The progress line's p99: the difference of two snapshots is the interval's
// histogram, and its percentile is the interval's, not the run's.
TEST(LatencyHistogram, AnIntervalBetweenSnapshotsHasItsOwnPercentile) {
  LatencyHistogram h;
  for (int i = 0; i < 1000; ++i) h.record(1000);  // the first second: 1 us
  std::array<uint64_t, LatencyHistogram::kBuckets> before{};
  h.add_counts_to(before);
  for (int i = 0; i < 100; ++i) h.record(50'000);  // the next: 50 us
  std::array<uint64_t, LatencyHistogram::kBuckets> now{};
  h.add_counts_to(now);
  std::array<uint64_t, LatencyHistogram::kBuckets> interval{};
  for (size_t i = 0; i < interval.size(); ++i) interval[i] = now[i] - before[i];
  EXPECT_EQ(LatencyHistogram::percentile_of(interval, 99),
            LatencyHistogram::upper_bound(LatencyHistogram::bucket_of(50'000)));
  EXPECT_EQ(LatencyHistogram::percentile_of(now, 50), LatencyHistogram::upper_bound(LatencyHistogram::bucket_of(1000)));
  EXPECT_EQ(LatencyHistogram::percentile_of(std::array<uint64_t, LatencyHistogram::kBuckets>{}, 99), 0u);
}

}  // namespace nvqual
