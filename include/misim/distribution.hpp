// Distribution: a random variable a scenario can name, sampled from a RandomStream.
//
// All sampling is misim's own code over RandomStream (inverse transform, Marsaglia's polar method,
// Marsaglia-Tsang for gamma), never std::*_distribution, so the same seed gives the same numbers
// under g++ and clang at any optimisation level (tests/engine/distribution_golden_test.cpp).
// Values are plain doubles; the station reads them as nanoseconds.
//
//   Distribution d = Distribution::lognormal_median_p99(2e6, 15e6);  // 2 ms median, 15 ms p99
//   double x = d.sample(stream);
//   d.mean();                                                          // analytic mean
#pragma once

#include <string>
#include <vector>

#include "misim/random.hpp"
#include "misim/result.hpp"

namespace misim {

enum class DistributionKind { kConstant, kExponential, kUniform, kNormal, kLognormal, kGamma, kErlang, kEmpirical };

/// One point of an empirical distribution's percentile table: P(X <= value) = quantile.
struct QuantilePoint {
  double quantile;  // in [0, 1]
  double value;
};

class Distribution {
 public:
  /// Constant 0.
  Distribution() = default;

  static Distribution constant(double value);
  /// Exponential with the given mean (> 0).
  static Result<Distribution> exponential(double mean);
  /// Uniform on [low, high).
  static Result<Distribution> uniform(double low, double high);
  /// Normal(mean, sd) truncated at 0: draws below 0 are redrawn (never returns a negative).
  static Result<Distribution> normal(double mean, double sd);
  /// Lognormal with ln X ~ Normal(mu, sigma).
  static Result<Distribution> lognormal(double mu, double sigma);
  /// Lognormal given its median and 99th percentile (median > 0, p99 >= median).
  static Result<Distribution> lognormal_median_p99(double median, double p99);
  /// Gamma with shape k > 0 and scale theta > 0 (mean k * theta).
  static Result<Distribution> gamma(double shape, double scale);
  /// Erlang: the sum of k exponentials, with the given mean of the sum.
  static Result<Distribution> erlang(int k, double mean);
  /// Piecewise-linear inverse CDF through the points; quantiles must rise from 0 to 1.
  static Result<Distribution> empirical(std::vector<QuantilePoint> table);

  [[nodiscard]] double sample(RandomStream& stream) const;
  /// The mean (for the truncated normal: of the truncated distribution).
  [[nodiscard]] double mean() const;
  /// The variance (used by queueing formulas such as Pollaczek-Khinchine).
  [[nodiscard]] double variance() const;
  [[nodiscard]] DistributionKind kind() const noexcept { return kind_; }
  /// Human-readable form, e.g. "lognormal(mu=14.5, sigma=0.87)".
  [[nodiscard]] std::string describe() const;

 private:
  DistributionKind kind_ = DistributionKind::kConstant;
  double a_ = 0.0;  // constant value, mean, low, mu, shape
  double b_ = 0.0;  // high, sd, sigma, scale
  int k_ = 0;       // Erlang phases
  std::vector<QuantilePoint> table_;
};

/// The standard normal quantile function (Acklam's algorithm refined by one Halley step).
double normal_quantile(double p);

}  // namespace misim
