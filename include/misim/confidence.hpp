// Confidence intervals: Student's t quantiles and the interval of a mean.
//
//   double t = student_t_quantile(0.975, 31);                 // 2.0395
//   ConfidenceInterval ci = mean_interval(mean, stderr, 31);  // 95% by default
#pragma once

#include <cmath>
#include <numbers>

#include "misim/distribution.hpp"

namespace misim {

/// Quantile p of Student's t with `dof` degrees of freedom (Hill 1970, Algorithm 396), accurate
/// to about 1e-6 for dof >= 1 and p in [0.5, 0.9999]; symmetric below 0.5.
inline double student_t_quantile(double p, double dof) {
  if (p < 0.5) return -student_t_quantile(1.0 - p, dof);
  if (dof == 1) return std::tan(std::numbers::pi * (p - 0.5));
  if (dof == 2) {
    const double a = 4.0 * p * (1.0 - p);
    return (2.0 * p - 1.0) * std::sqrt(2.0 / a);
  }
  // Hill's asymptotic expansion about the normal quantile.
  const double z = normal_quantile(p);
  const double z2 = z * z;
  const double g1 = (z2 + 1.0) * z / 4.0;
  const double g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
  const double g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
  const double g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
  return z + g1 / dof + g2 / (dof * dof) + g3 / (dof * dof * dof) + g4 / (dof * dof * dof * dof);
}

struct ConfidenceInterval {
  double low = 0.0;
  double high = 0.0;
  [[nodiscard]] double half_width() const noexcept { return 0.5 * (high - low); }
};

/// The `level` interval of a mean from its standard error with `dof` degrees of freedom.
inline ConfidenceInterval mean_interval(double mean, double standard_error, double dof, double level = 0.95) {
  const double t = dof >= 1 ? student_t_quantile(0.5 + level / 2.0, dof) : 0.0;
  return {mean - t * standard_error, mean + t * standard_error};
}

}  // namespace misim
