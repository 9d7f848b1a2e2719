// Confidence intervals: Student's t quantiles and the interval of a mean.
//
//   double t = student_t_quantile(0.975, 31);                 // 2.0395
//   ConfidenceInterval ci = mean_interval(mean, stderr, 31);  // 95% by default
#pragma once

namespace misim {

/// Quantile p (0 < p < 1) of Student's t with `dof` > 0 degrees of freedom, to double precision
/// (Boost.Math's students_t, kept out of this header). NaN outside those ranges.
[[nodiscard]] double student_t_quantile(double p, double dof);

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
