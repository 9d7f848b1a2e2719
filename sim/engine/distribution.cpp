// Sampling and moments of the distributions a scenario can name.
#include "misim/distribution.hpp"

#include <cmath>
#include <cstdio>
#include <numbers>
#include <utility>

namespace misim {

namespace {

constexpr double kZ99 = 2.3263478740408408;  // standard normal 0.99 quantile

Error bad(const char* what) { return Error{what, {}}; }

bool finite_positive(double x) { return std::isfinite(x) && x > 0.0; }

/// Standard normal by Marsaglia's polar method; the second value of each pair is discarded so a
/// draw depends on nothing but the stream.
double standard_normal(RandomStream& s) {
  for (;;) {
    const double u = 2.0 * s.uniform01() - 1.0;
    const double v = 2.0 * s.uniform01() - 1.0;
    const double q = u * u + v * v;
    if (q > 0.0 && q < 1.0) return u * std::sqrt(-2.0 * std::log(q) / q);
  }
}

double standard_normal_pdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi); }
double standard_normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

/// Gamma(shape, 1) by Marsaglia & Tsang (2000), with the u^(1/a) boost for shape < 1.
double standard_gamma(RandomStream& s, double shape) {
  if (shape < 1.0) {
    const double g = standard_gamma(s, shape + 1.0);
    return g * std::pow(s.uniform_open0(), 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double x = standard_normal(s);
    double v = 1.0 + c * x;
    if (v <= 0.0) continue;
    v = v * v * v;
    const double u = s.uniform_open0();
    if (u < 1.0 - 0.0331 * (x * x) * (x * x)) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

}  // namespace

Distribution Distribution::constant(double value) {
  Distribution d;
  d.kind_ = DistributionKind::kConstant;
  d.a_ = value;
  return d;
}

Result<Distribution> Distribution::exponential(double mean) {
  if (!finite_positive(mean)) return bad("exponential: mean must be a positive number");
  Distribution d;
  d.kind_ = DistributionKind::kExponential;
  d.a_ = mean;
  return d;
}

Result<Distribution> Distribution::uniform(double low, double high) {
  if (!std::isfinite(low) || !std::isfinite(high) || low < 0.0 || high < low) {
    return bad("uniform: need 0 <= low <= high");
  }
  Distribution d;
  d.kind_ = DistributionKind::kUniform;
  d.a_ = low;
  d.b_ = high;
  return d;
}

Result<Distribution> Distribution::normal(double mean, double sd) {
  // A positive mean keeps the rejection of negative draws under one redraw in two on average.
  if (!finite_positive(mean)) return bad("normal: mean must be positive (the distribution is truncated at 0)");
  if (!std::isfinite(sd) || sd < 0.0) return bad("normal: sd must be >= 0");
  Distribution d;
  d.kind_ = DistributionKind::kNormal;
  d.a_ = mean;
  d.b_ = sd;
  return d;
}

Result<Distribution> Distribution::lognormal(double mu, double sigma) {
  if (!std::isfinite(mu) || !std::isfinite(sigma) || sigma < 0.0)
    return bad("lognormal: need finite mu and sigma >= 0");
  Distribution d;
  d.kind_ = DistributionKind::kLognormal;
  d.a_ = mu;
  d.b_ = sigma;
  return d;
}

Result<Distribution> Distribution::lognormal_median_p99(double median, double p99) {
  if (!finite_positive(median)) return bad("lognormal: median must be positive");
  if (!std::isfinite(p99) || p99 < median) return bad("lognormal: p99 must be at least the median");
  const double mu = std::log(median);
  return lognormal(mu, (std::log(p99) - mu) / kZ99);
}

Result<Distribution> Distribution::gamma(double shape, double scale) {
  if (!finite_positive(shape) || !finite_positive(scale)) return bad("gamma: shape and scale must be positive");
  Distribution d;
  d.kind_ = DistributionKind::kGamma;
  d.a_ = shape;
  d.b_ = scale;
  return d;
}

Result<Distribution> Distribution::erlang(int k, double mean) {
  if (k < 1 || k > 1000) return bad("erlang: k must be between 1 and 1000");
  if (!finite_positive(mean)) return bad("erlang: mean must be positive");
  Distribution d;
  d.kind_ = DistributionKind::kErlang;
  d.k_ = k;
  d.a_ = mean;
  return d;
}

Result<Distribution> Distribution::empirical(std::vector<QuantilePoint> table) {
  if (table.size() < 2) return bad("empirical: need at least two points");
  if (table.front().quantile != 0.0 || table.back().quantile != 1.0) {
    return bad("empirical: the table must start at quantile 0 (p0, the minimum) and end at 1 (p100, the maximum)");
  }
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (!std::isfinite(table[i].value) || table[i].value < 0.0) return bad("empirical: values must be >= 0");
    if (i > 0 && !(table[i].quantile > table[i - 1].quantile)) return bad("empirical: quantiles must rise strictly");
    if (i > 0 && table[i].value < table[i - 1].value) return bad("empirical: values must not fall as quantiles rise");
  }
  Distribution d;
  d.kind_ = DistributionKind::kEmpirical;
  d.table_ = std::move(table);
  return d;
}

double Distribution::sample(RandomStream& s) const {
  switch (kind_) {
    case DistributionKind::kConstant:
      return a_;
    case DistributionKind::kExponential:
      return -a_ * std::log(s.uniform_open0());
    case DistributionKind::kUniform:
      return a_ + (b_ - a_) * s.uniform01();
    case DistributionKind::kNormal:
      for (;;) {
        const double x = a_ + b_ * standard_normal(s);
        if (x >= 0.0) return x;
      }
    case DistributionKind::kLognormal:
      return std::exp(a_ + b_ * standard_normal(s));
    case DistributionKind::kGamma:
      return b_ * standard_gamma(s, a_);
    case DistributionKind::kErlang: {
      // The product of k uniforms in chunks (one log each), so it cannot underflow for large k.
      double sum = 0.0;
      int left = k_;
      while (left > 0) {
        double product = 1.0;
        for (int i = 0; i < 16 && left > 0; ++i, --left) product *= s.uniform_open0();
        sum -= std::log(product);
      }
      return sum * (a_ / k_);
    }
    case DistributionKind::kEmpirical: {
      const double u = s.uniform01();
      std::size_t i = 1;
      while (i + 1 < table_.size() && table_[i].quantile < u) ++i;
      const QuantilePoint& lo = table_[i - 1];
      const QuantilePoint& hi = table_[i];
      const double t = (u - lo.quantile) / (hi.quantile - lo.quantile);
      return lo.value + t * (hi.value - lo.value);
    }
  }
  return 0.0;
}

double Distribution::mean() const {
  switch (kind_) {
    case DistributionKind::kConstant:
    case DistributionKind::kExponential:
    case DistributionKind::kErlang:
      return a_;
    case DistributionKind::kUniform:
      return 0.5 * (a_ + b_);
    case DistributionKind::kNormal: {
      if (b_ == 0.0) return a_;
      const double alpha = -a_ / b_;
      return a_ + b_ * standard_normal_pdf(alpha) / (1.0 - standard_normal_cdf(alpha));
    }
    case DistributionKind::kLognormal:
      return std::exp(a_ + 0.5 * b_ * b_);
    case DistributionKind::kGamma:
      return a_ * b_;
    case DistributionKind::kEmpirical: {
      double m = 0.0;
      for (std::size_t i = 1; i < table_.size(); ++i) {
        m += (table_[i].quantile - table_[i - 1].quantile) * 0.5 * (table_[i].value + table_[i - 1].value);
      }
      return m;
    }
  }
  return 0.0;
}

double Distribution::variance() const {
  switch (kind_) {
    case DistributionKind::kConstant:
      return 0.0;
    case DistributionKind::kExponential:
      return a_ * a_;
    case DistributionKind::kUniform:
      return (b_ - a_) * (b_ - a_) / 12.0;
    case DistributionKind::kNormal: {
      if (b_ == 0.0) return 0.0;
      const double alpha = -a_ / b_;
      const double lambda = standard_normal_pdf(alpha) / (1.0 - standard_normal_cdf(alpha));
      return b_ * b_ * (1.0 + alpha * lambda - lambda * lambda);
    }
    case DistributionKind::kLognormal:
      return std::expm1(b_ * b_) * std::exp(2.0 * a_ + b_ * b_);
    case DistributionKind::kGamma:
      return a_ * b_ * b_;
    case DistributionKind::kErlang:
      return a_ * a_ / k_;
    case DistributionKind::kEmpirical: {
      double second = 0.0;
      for (std::size_t i = 1; i < table_.size(); ++i) {
        const double x = table_[i - 1].value;
        const double y = table_[i].value;
        second += (table_[i].quantile - table_[i - 1].quantile) * (x * x + x * y + y * y) / 3.0;
      }
      const double m = mean();
      return second - m * m;
    }
  }
  return 0.0;
}

std::string Distribution::describe() const {
  char buf[160];
  switch (kind_) {
    case DistributionKind::kConstant:
      std::snprintf(buf, sizeof buf, "constant(%.6g)", a_);
      break;
    case DistributionKind::kExponential:
      std::snprintf(buf, sizeof buf, "exponential(mean=%.6g)", a_);
      break;
    case DistributionKind::kUniform:
      std::snprintf(buf, sizeof buf, "uniform(%.6g, %.6g)", a_, b_);
      break;
    case DistributionKind::kNormal:
      std::snprintf(buf, sizeof buf, "normal(mean=%.6g, sd=%.6g, truncated at 0)", a_, b_);
      break;
    case DistributionKind::kLognormal:
      std::snprintf(buf, sizeof buf, "lognormal(mu=%.6g, sigma=%.6g)", a_, b_);
      break;
    case DistributionKind::kGamma:
      std::snprintf(buf, sizeof buf, "gamma(shape=%.6g, scale=%.6g)", a_, b_);
      break;
    case DistributionKind::kErlang:
      std::snprintf(buf, sizeof buf, "erlang(k=%d, mean=%.6g)", k_, a_);
      break;
    case DistributionKind::kEmpirical:
      std::snprintf(buf, sizeof buf, "empirical(%zu points)", table_.size());
      break;
  }
  return buf;
}

double normal_quantile(double p) {
  // Acklam's rational approximation (relative error 1.15e-9), then one Halley step on erfc.
  if (!(p > 0.0 && p < 1.0)) return p <= 0.0 ? -INFINITY : INFINITY;
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01, -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  double x;
  if (p < kLow) {
    const double q = std::sqrt(-2.0 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  } else if (p <= 1.0 - kLow) {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  } else {
    const double q = std::sqrt(-2.0 * std::log(1.0 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  }
  const double e = standard_normal_cdf(x) - p;
  const double u = e * std::sqrt(2.0 * std::numbers::pi) * std::exp(0.5 * x * x);
  return x - u / (1.0 + 0.5 * x * u);
}

}  // namespace misim
