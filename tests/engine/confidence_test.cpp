// Student's t quantiles against published table values, and the interval of a mean built on them.
#include "misim/confidence.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace misim {
namespace {

// Two-sided 95% and 99% critical values, e.g. NIST/SEMATECH e-Handbook of Statistical Methods,
// table 1.3.6.7.2, to the 6 decimals printed there (rounded), so the tolerance is 5e-7.
TEST(StudentTQuantile, MatchesTheTableAtFewAndManyDegreesOfFreedom) {
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.706205, 5e-6);
  EXPECT_NEAR(student_t_quantile(0.975, 2), 4.302653, 5e-7);
  EXPECT_NEAR(student_t_quantile(0.975, 3), 3.182446, 5e-7);  // Hill's series gave 3.1786 here
  EXPECT_NEAR(student_t_quantile(0.975, 4), 2.776445, 5e-7);
  EXPECT_NEAR(student_t_quantile(0.975, 10), 2.228139, 5e-7);
  EXPECT_NEAR(student_t_quantile(0.975, 30), 2.042272, 5e-7);
  EXPECT_NEAR(student_t_quantile(0.995, 5), 4.032143, 5e-7);
  EXPECT_NEAR(student_t_quantile(0.975, 1e6), 1.959966, 5e-6);  // tends to the normal's 1.959964
}

TEST(StudentTQuantile, IsSymmetricAboutTheMedian) {
  EXPECT_DOUBLE_EQ(student_t_quantile(0.5, 7), 0.0);
  EXPECT_NEAR(student_t_quantile(0.025, 4), -student_t_quantile(0.975, 4), 1e-12);
}

TEST(StudentTQuantile, IsNanOutsideItsDomain) {
  EXPECT_TRUE(std::isnan(student_t_quantile(0.0, 5)));
  EXPECT_TRUE(std::isnan(student_t_quantile(1.0, 5)));
  EXPECT_TRUE(std::isnan(student_t_quantile(0.975, 0)));
  EXPECT_TRUE(std::isnan(student_t_quantile(std::nan(""), 5)));
}

TEST(MeanInterval, IsTheMeanPlusOrMinusTTimesTheStandardError) {
  const ConfidenceInterval ci = mean_interval(10.0, 0.5, 4);
  EXPECT_NEAR(ci.low, 10.0 - 2.776445 * 0.5, 1e-6);
  EXPECT_NEAR(ci.high, 10.0 + 2.776445 * 0.5, 1e-6);
  EXPECT_NEAR(ci.half_width(), 2.776445 * 0.5, 1e-6);
  // No degrees of freedom: no interval, only the mean.
  const ConfidenceInterval none = mean_interval(10.0, 0.5, 0);
  EXPECT_DOUBLE_EQ(none.low, 10.0);
  EXPECT_DOUBLE_EQ(none.high, 10.0);
}

}  // namespace
}  // namespace misim
