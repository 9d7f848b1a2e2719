#include "misim/histogram.hpp"

#include <algorithm>
#include <cmath>

namespace misim {

namespace {
constexpr double kGamma = (1.0 + Histogram::kRelativeAccuracy) / (1.0 - Histogram::kRelativeAccuracy);
const double kLogGamma = std::log(kGamma);
}  // namespace

int Histogram::index_of(double value) { return static_cast<int>(std::ceil(std::log(value) / kLogGamma)); }

double Histogram::value_of(int index) { return 2.0 * std::exp(index * kLogGamma) / (kGamma + 1.0); }

void Histogram::record(double value, std::uint64_t count) {
  if (count == 0 || std::isnan(value)) return;
  if (count_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  count_ += count;
  sum_ += value * static_cast<double>(count);
  if (value < kMinPositive) {
    zero_count_ += count;
    return;
  }
  const int index = index_of(std::min(value, 1e300));
  if (buckets_.empty()) {
    offset_ = index;
    buckets_.assign(1, 0);
  } else if (index < offset_) {
    // Widen downwards with some slack so a slowly falling minimum does not shift every time.
    const int grow = std::max(offset_ - index, 64);
    buckets_.insert(buckets_.begin(), static_cast<std::size_t>(grow), 0);
    offset_ -= grow;
  } else if (index - offset_ >= static_cast<int>(buckets_.size())) {
    buckets_.resize(std::max<std::size_t>(static_cast<std::size_t>(index - offset_ + 1), buckets_.size() + 64), 0);
  }
  buckets_[static_cast<std::size_t>(index - offset_)] += count;
}

void Histogram::merge(const Histogram& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    *this = other;
    return;
  }
  // Replay the other's buckets at their representative values: each lands in the same index.
  const std::uint64_t keep_count = count_ + other.count_;
  const double keep_sum = sum_ + other.sum_;
  const double keep_min = std::min(min_, other.min_);
  const double keep_max = std::max(max_, other.max_);
  zero_count_ += other.zero_count_;
  for (std::size_t i = 0; i < other.buckets_.size(); ++i) {
    if (other.buckets_[i] != 0) record(value_of(other.offset_ + static_cast<int>(i)), other.buckets_[i]);
  }
  count_ = keep_count;
  sum_ = keep_sum;
  min_ = keep_min;
  max_ = keep_max;
}

void Histogram::clear() { *this = Histogram{}; }

double Histogram::percentile(double q) const {
  if (count_ == 0) return 0.0;
  if (q <= 0.0) return min_;
  if (q >= 1.0) return max_;
  // Nearest rank: the smallest value with at least ceil(q * n) observations at or below it.
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  if (rank == 0) rank = 1;
  if (rank <= zero_count_) return std::max(min_, 0.0);
  std::uint64_t seen = zero_count_;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::clamp(value_of(offset_ + static_cast<int>(i)), min_, max_);
  }
  return max_;
}

}  // namespace misim
