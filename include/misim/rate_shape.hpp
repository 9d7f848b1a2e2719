// RateShape: how a workload's rate varies over simulated time: a daily profile (one multiplier per
// hour of the day) and bursts (a multiplier over a window, e.g. a scale-out storm at 09:00).
//
// Arrivals follow a non-homogeneous Poisson process, drawn by thinning (Lewis and Shedler 1979):
// candidates come at the peak rate, and one at time t is kept with probability
// multiplier(t) / peak. A flat shape draws nothing extra, so adding the feature changed no
// existing run.
//
//   RateShape shape;
//   shape.hourly[9] = 3.0;                            // three times the rate from 09:00 to 10:00
//   shape.bursts.push_back({9 * kHour, 10 * kMinute, 20.0});
//   shape.multiplier(9 * kHour + kMinute);            // 60
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "misim/random.hpp"
#include "misim/time.hpp"

namespace misim {

struct RateBurst {
  SimTime start = 0;
  SimTime length = 0;
  double factor = 1.0;
};

struct RateShape {
  /// Multiplier of the rate for each hour of the (simulated) day, 00:00-01:00 first.
  std::array<double, 24> hourly{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  /// Windows that multiply the rate further; overlapping bursts multiply.
  std::vector<RateBurst> bursts;

  [[nodiscard]] bool flat() const noexcept {
    return bursts.empty() && std::all_of(hourly.begin(), hourly.end(), [](double m) { return m == 1.0; });
  }

  [[nodiscard]] double multiplier(SimTime t) const noexcept {
    const SimTime day_time = ((t % kDay) + kDay) % kDay;
    double m = hourly[static_cast<std::size_t>(day_time / kHour)];
    for (const RateBurst& b : bursts) {
      if (t >= b.start && t < b.start + b.length) m *= b.factor;
    }
    return m;
  }

  /// The largest multiplier at any time (the thinning envelope).
  [[nodiscard]] double peak() const noexcept {
    double m = *std::max_element(hourly.begin(), hourly.end());
    // Bursts may overlap, so the envelope multiplies every factor above one (safe, if loose).
    for (const RateBurst& b : bursts) m *= std::max(1.0, b.factor);
    return m;
  }

  /// The next time after `t` at which the multiplier may change (an hour boundary or a burst edge).
  [[nodiscard]] SimTime next_change(SimTime t) const noexcept {
    SimTime next = (t / kHour + 1) * kHour;
    for (const RateBurst& b : bursts) {
      if (b.start > t) next = std::min(next, b.start);
      if (b.start + b.length > t) next = std::min(next, b.start + b.length);
    }
    return next;
  }
};

/// The next arrival after `now` of a stream with mean gap `mean_gap_ns` at multiplier 1, or
/// kForever if none comes before `limit`. `shape` is null for a flat stream (one draw per arrival);
/// otherwise Poisson streams are thinned against `shape->peak()` and constant ones are spaced by
/// the multiplier in force.
inline SimTime next_arrival(SimTime now, double mean_gap_ns, bool poisson, const RateShape* shape, SimTime limit,
                            RandomStream& stream) {
  if (shape == nullptr) {
    const double gap = poisson ? -mean_gap_ns * std::log(stream.uniform_open0()) : mean_gap_ns;
    const SimTime t = now + std::max<SimTime>(1, round_ns(gap));
    return t < limit ? t : kForever;
  }
  const double peak = shape->peak();
  SimTime t = now;
  while (t < limit) {
    if (poisson) {
      const double gap = -(mean_gap_ns / peak) * std::log(stream.uniform_open0());
      t += std::max<SimTime>(1, round_ns(gap));
      if (t < limit && stream.uniform01() * peak < shape->multiplier(t)) return t;
    } else {
      const double m = shape->multiplier(t);
      if (m <= 0.0) {
        t = shape->next_change(t);
        continue;
      }
      t += std::max<SimTime>(1, round_ns(mean_gap_ns / m));
      return t < limit ? t : kForever;
    }
  }
  return kForever;
}

}  // namespace misim
