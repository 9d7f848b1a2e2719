// Histogram: a streaming histogram whose percentiles are within 1% relative error.
//
// Values fall into logarithmic buckets (the DDSketch mapping, Masson et al., VLDB 2019): bucket i
// holds (gamma^(i-1), gamma^i] with gamma = (1+a)/(1-a), and reports 2 gamma^i / (gamma+1), which is
// within a relative error a of every value in it. misim uses a = 0.5%, inside the 1% the design
// asks for. Buckets are a dense array over the range seen so far: a few thousand counters cover
// nanoseconds to days, and recording allocates only when the range widens. Count, sum, min and
// max are exact. No C++ HDR or DDSketch library is packaged in Debian 12, hence this file.
//
//   Histogram h;
//   h.record(2.5e6);
//   h.percentile(0.99);
#pragma once

#include <cstdint>
#include <vector>

namespace misim {

class Histogram {
 public:
  static constexpr double kRelativeAccuracy = 0.005;
  /// Values below this count as zero (reported as 0).
  static constexpr double kMinPositive = 1e-9;

  void record(double value) { record(value, 1); }
  void record(double value, std::uint64_t count);
  /// Adds another histogram's observations.
  void merge(const Histogram& other);
  void clear();

  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] double sum() const noexcept { return sum_; }
  [[nodiscard]] double mean() const noexcept { return count_ ? sum_ / static_cast<double>(count_) : 0.0; }
  [[nodiscard]] double min() const noexcept { return count_ ? min_ : 0.0; }
  [[nodiscard]] double max() const noexcept { return count_ ? max_ : 0.0; }
  /// The q-quantile (q in [0,1]) by nearest rank, within kRelativeAccuracy; 0 when empty.
  [[nodiscard]] double percentile(double q) const;

 private:
  static int index_of(double value);
  static double value_of(int index);

  std::vector<std::uint64_t> buckets_;  // buckets_[i] counts index offset_ + i
  int offset_ = 0;
  std::uint64_t zero_count_ = 0;
  std::uint64_t count_ = 0;
  double sum_ = 0.0;
  double min_ = 0.0;
  double max_ = 0.0;
};

}  // namespace misim
