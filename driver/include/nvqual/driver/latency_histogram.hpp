// A log-linear latency histogram (the HdrHistogram layout): values below 128 ns
// have a bucket each; above, every power of two is split into 128 equal
// buckets, so a bucket is never wider than 1/128 (0.78%) of its lower bound.
// It covers 0 ns to 2^36 ns (68.7 s); longer values count in the last bucket
// (max() stays exact). Fixed memory (about 30 KiB), record() allocates
// nothing and takes no lock: each thread records into its own histogram and
// the histograms are merged at the end.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace nvqual {

class LatencyHistogram {
 public:
  static constexpr unsigned kSubBucketBits = 7;
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;  // 128
  static constexpr unsigned kMaxExponent = 35;  // values up to 2^36 - 1 ns get their own bucket
  static constexpr size_t kBuckets = kSubBuckets + (kMaxExponent - kSubBucketBits + 1) * kSubBuckets;
  static constexpr uint64_t kMaxTracked = (uint64_t{1} << (kMaxExponent + 1)) - 1;

  // The bucket `value` falls in (values above kMaxTracked: the last one).
  static size_t bucket_of(uint64_t value);
  // Smallest and largest value bucket `index` holds (both inclusive).
  static uint64_t lower_bound(size_t index);
  static uint64_t upper_bound(size_t index);

  void record(uint64_t nanoseconds) {
    // One writer; a monitor thread may read the counts meanwhile
    // (copy_counts): relaxed atomic load and store, plain moves on x86, no lock.
    std::atomic_ref<uint64_t> bucket(counts_[bucket_of(nanoseconds)]);
    bucket.store(bucket.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    ++count_;
    sum_ += nanoseconds;
    if (nanoseconds < min_) min_ = nanoseconds;
    if (nanoseconds > max_) max_ = nanoseconds;
  }
  void merge(const LatencyHistogram& other);
  void clear();

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_); }
  // From the buckets' midpoints: within the histogram's resolution, not exact.
  double stddev() const;
  // The value at `percent` (0 < percent <= 100) by nearest rank: the upper
  // bound of the bucket holding the ceil(percent/100 x count)-th smallest
  // value, clamped to [min, max]. So it is never below the true value and at
  // most 1/128 of it above. 0 when nothing was recorded.
  uint64_t percentile(double percent) const;
  uint64_t count_in(size_t index) const { return counts_[index]; }

  // For another thread while this one records (the progress line): adds the
  // bucket counts to `into`, each read atomically (not all at one instant).
  void add_counts_to(std::array<uint64_t, kBuckets>& into) const;
  // The percentile of bare bucket counts (an interval: two snapshots' difference):
  // the upper bound of the bucket holding the rank; 0 when the counts are all 0.
  static uint64_t percentile_of(const std::array<uint64_t, kBuckets>& counts, double percent);

  // "lower_ns,upper_ns,count" per non-empty bucket, with a header line.
  std::string to_csv() const;

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

}  // namespace nvqual
