// BatchMeans: a confidence interval for the mean of a correlated series (such as successive
// customers' waiting times) from one long run, by the method of batch means.
//
// Observations are grouped into consecutive batches; when the batches reach twice the target
// number, neighbours merge and the batch size doubles, so memory stays bounded however long the
// run (Law & Kelton, "Simulation Modeling and Analysis", 5th ed., section 9.5.3). Batch means of
// large enough batches are nearly independent, so their spread gives the standard error.
//
//   BatchMeans b;                       // 32..64 batches
//   for (double w : waits) b.add(w);
//   b.mean(); b.standard_error();
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace misim {

class BatchMeans {
 public:
  explicit BatchMeans(std::size_t target_batches = 32) : target_(target_batches < 2 ? 2 : target_batches) {
    sums_.reserve(2 * target_);
  }

  void add(double x) {
    current_sum_ += x;
    if (++current_count_ == batch_size_) {
      sums_.push_back(current_sum_);
      current_sum_ = 0.0;
      current_count_ = 0;
      if (sums_.size() == 2 * target_) collapse();
    }
  }

  /// Number of complete batches (between target and twice the target once enough data came).
  [[nodiscard]] std::size_t batches() const noexcept { return sums_.size(); }
  [[nodiscard]] std::uint64_t batch_size() const noexcept { return batch_size_; }

  /// The mean over the complete batches (the incomplete tail batch is left out).
  [[nodiscard]] double mean() const noexcept {
    if (sums_.empty()) return 0.0;
    double total = 0.0;
    for (const double s : sums_) total += s;
    return total / static_cast<double>(sums_.size() * batch_size_);
  }

  /// Standard error of mean(): the standard deviation of the batch means over sqrt(batches).
  [[nodiscard]] double standard_error() const noexcept {
    const std::size_t k = sums_.size();
    if (k < 2) return 0.0;
    const double m = mean();
    double ss = 0.0;
    for (const double s : sums_) {
      const double d = s / static_cast<double>(batch_size_) - m;
      ss += d * d;
    }
    return std::sqrt(ss / static_cast<double>(k - 1) / static_cast<double>(k));
  }

 private:
  void collapse() {
    for (std::size_t i = 0; i < target_; ++i) sums_[i] = sums_[2 * i] + sums_[2 * i + 1];
    sums_.resize(target_);
    batch_size_ *= 2;
  }

  std::size_t target_;
  std::vector<double> sums_;
  std::uint64_t batch_size_ = 1;
  std::uint64_t current_count_ = 0;
  double current_sum_ = 0.0;
};

}  // namespace misim
