#include "nvqual/driver/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include <fmt/format.h>

namespace nvqual {

size_t LatencyHistogram::bucket_of(uint64_t value) {
  if (value < kSubBuckets) return static_cast<size_t>(value);
  if (value > kMaxTracked) return kBuckets - 1;
  const unsigned exponent = 63 - static_cast<unsigned>(std::countl_zero(value));  // >= kSubBucketBits
  const unsigned shift = exponent - kSubBucketBits;
  const uint64_t sub = (value >> shift) - kSubBuckets;  // 0..127
  return static_cast<size_t>(kSubBuckets + shift * kSubBuckets + sub);
}

uint64_t LatencyHistogram::lower_bound(size_t index) {
  if (index < kSubBuckets) return index;
  const uint64_t shift = (index - kSubBuckets) / kSubBuckets;
  const uint64_t sub = (index - kSubBuckets) % kSubBuckets;
  return (kSubBuckets + sub) << shift;
}

uint64_t LatencyHistogram::upper_bound(size_t index) {
  if (index < kSubBuckets) return index;
  const uint64_t shift = (index - kSubBuckets) / kSubBuckets;
  return lower_bound(index) + (uint64_t{1} << shift) - 1;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void LatencyHistogram::clear() { *this = LatencyHistogram{}; }

double LatencyHistogram::stddev() const {
  if (count_ < 2) return 0.0;
  const double mean_value = mean();
  double squares = 0.0;
  for (size_t i = 0; i < kBuckets; ++i) {
    if (counts_[i] == 0) continue;
    const double mid = (static_cast<double>(lower_bound(i)) + static_cast<double>(upper_bound(i))) / 2.0;
    squares += static_cast<double>(counts_[i]) * (mid - mean_value) * (mid - mean_value);
  }
  return std::sqrt(squares / static_cast<double>(count_));
}

uint64_t LatencyHistogram::percentile(double percent) const {
  if (count_ == 0) return 0;
  // The small slack keeps a product that should be whole (50% of 100) from
  // rounding up to the next rank.
  const double exact = std::ceil(percent / 100.0 * static_cast<double>(count_) - 1e-9);
  const uint64_t rank = std::clamp<uint64_t>(static_cast<uint64_t>(exact), 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(upper_bound(i), min(), max_);
  }
  return max_;
}

void LatencyHistogram::add_counts_to(std::array<uint64_t, kBuckets>& into) const {
  for (size_t i = 0; i < kBuckets; ++i) {
    // const_cast: atomic_ref<const T> is C++26; the load writes nothing.
    into[i] += std::atomic_ref<uint64_t>(const_cast<uint64_t&>(counts_[i])).load(std::memory_order_relaxed);
  }
}

uint64_t LatencyHistogram::percentile_of(const std::array<uint64_t, kBuckets>& counts, double percent) {
  uint64_t total = 0;
  for (uint64_t c : counts) total += c;
  if (total == 0) return 0;
  const double exact = std::ceil(percent / 100.0 * static_cast<double>(total) - 1e-9);
  const uint64_t rank = std::clamp<uint64_t>(static_cast<uint64_t>(exact), 1, total);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts[i];
    if (seen >= rank) return upper_bound(i);
  }
  return upper_bound(kBuckets - 1);
}

std::string LatencyHistogram::to_csv() const {
  std::string out = "lower_ns,upper_ns,count\n";
  for (size_t i = 0; i < kBuckets; ++i) {
    if (counts_[i] != 0) out += fmt::format("{},{},{}\n", lower_bound(i), upper_bound(i), counts_[i]);
  }
  return out;
}

}  // namespace nvqual
