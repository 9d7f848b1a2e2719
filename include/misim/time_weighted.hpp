// TimeWeighted: the time average of a piecewise-constant quantity, such as a queue's length or
// the number of busy servers, over simulated time.
//
//   TimeWeighted q;               // 0 from time 0
//   q.set(10 * kSecond, 3);       // 3 from t = 10 s
//   q.mean(20 * kSecond);         // 1.5
//   q.restart(warmup_end);        // forget everything before the warm-up ends
#pragma once

#include <algorithm>

#include "misim/time.hpp"

namespace misim {

class TimeWeighted {
 public:
  explicit TimeWeighted(SimTime start = 0, double initial = 0.0) noexcept
      : start_(start), last_(start), value_(initial), max_(initial) {}

  /// The quantity takes `value` from time `t` on (t never goes backwards).
  void set(SimTime t, double value) noexcept {
    area_ += value_ * static_cast<double>(t - last_);
    last_ = t;
    value_ = value;
    max_ = std::max(max_, value);
  }
  void add(SimTime t, double delta) noexcept { set(t, value_ + delta); }

  /// Discards the history before `t`, keeping the current value (the end of a warm-up period).
  void restart(SimTime t) noexcept {
    start_ = last_ = t;
    area_ = 0.0;
    max_ = value_;
  }

  /// The time average over [start, until]; the current value if no time has passed.
  [[nodiscard]] double mean(SimTime until) const noexcept {
    const SimTime span = until - start_;
    if (span <= 0) return value_;
    return (area_ + value_ * static_cast<double>(until - last_)) / static_cast<double>(span);
  }
  [[nodiscard]] double current() const noexcept { return value_; }
  [[nodiscard]] double max() const noexcept { return max_; }
  [[nodiscard]] SimTime start() const noexcept { return start_; }

 private:
  SimTime start_;
  SimTime last_;
  double value_;
  double area_ = 0.0;
  double max_;
};

}  // namespace misim
