// Tests of include/misim/distribution.hpp.
//
// Golden values: the first 8 samples of every distribution kind from one fixed stream, compared
// bit for bit. They were printed once with printf("%a") by a throwaway program (g++ -O2) and
// checked to be identical under g++ -O0 and clang -O2. If one of these fails, the same seed no
// longer gives the same run on every compiler and build type (docs/design.md, "The engine"), or
// the sampling code changed: both change every scenario's results and need a deliberate update.
//
// Moments: the mean and variance of 200,000 draws against mean() and variance(), within four
// standard errors (the variance's standard error from the sample's fourth central moment).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "misim/distribution.hpp"
#include "misim/random.hpp"

namespace misim {
namespace {

using ::testing::HasSubstr;

using Golden = std::array<double, 8>;

RandomStream golden_stream() { return RandomStream(42, 7, purpose("test.golden")); }

void expect_golden(const Distribution& d, const Golden& expected) {
  RandomStream s = golden_stream();
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const double x = d.sample(s);
    EXPECT_EQ(std::bit_cast<std::uint64_t>(x), std::bit_cast<std::uint64_t>(expected[i]))
        << d.describe() << " sample " << i << ": got " << std::hexfloat << x << ", expected " << expected[i];
  }
}

// clang-format off
TEST(DistributionGolden, Constant) {
  expect_golden(Distribution::constant(2.5e6),
                {0x1.312dp+21, 0x1.312dp+21, 0x1.312dp+21, 0x1.312dp+21,
                 0x1.312dp+21, 0x1.312dp+21, 0x1.312dp+21, 0x1.312dp+21});
}

TEST(DistributionGolden, Exponential) {
  expect_golden(*Distribution::exponential(1e6),
                {0x1.c418b436c72bp+18, 0x1.10903e5ccb9abp+21, 0x1.286a971958c33p+17, 0x1.c48121497988dp+19,
                 0x1.9780696a12a37p+21, 0x1.d835b3282d60dp+16, 0x1.58b15a208c6fp+16, 0x1.3fe7b5cee69fap+21});
}

TEST(DistributionGolden, Uniform) {
  expect_golden(*Distribution::uniform(1e3, 5e3),
                {0x1.b7b68aad8d047p+11, 0x1.653937987c142p+10, 0x1.154c2926a7a68p+12, 0x1.42ec5698840f4p+11,
                 0x1.1d7fb8d296992p+10, 0x1.1c08a7c25da4dp+12, 0x1.23628d6fd4ee8p+12, 0x1.42c12f7638dd4p+10});
}

TEST(DistributionGolden, Normal) {
  expect_golden(*Distribution::normal(10.0, 4.0),
                {0x1.62e82d2cd8bc3p+3, 0x1.c47ec02796554p+3, 0x1.c5cebc5edb3bp+2, 0x1.d803f80580522p+3,
                 0x1.e491ec3ea8d6bp+3, 0x1.8a963f53747bdp+3, 0x1.4d78208c2dce8p+3, 0x1.06f7c3e635fd8p+1});
}

TEST(DistributionGolden, LognormalByMuAndSigma) {
  expect_golden(*Distribution::lognormal(14.5, 0.8),
                {0x1.2d0b27c40527p+21, 0x1.15012add9be71p+22, 0x1.0e87a49d0e853p+20, 0x1.38f2a24894f91p+22,
                 0x1.527e16d368243p+22, 0x1.81c673205ddcbp+21, 0x1.074b23ee919fep+21, 0x1.8b359302d2e4p+18});
}

TEST(DistributionGolden, LognormalByMedianAndP99) {
  expect_golden(*Distribution::lognormal_median_p99(2e6, 15e6),
                {0x1.352fc887e3a27p+21, 0x1.2b3511d188ef6p+22, 0x1.0411bd76dd56dp+20, 0x1.5575196d11654p+22,
                 0x1.73bb7bb81450dp+22, 0x1.946a62dd5883ap+21, 0x1.0b6ff3a3dad5bp+21, 0x1.5d9406cab4f47p+18});
}

TEST(DistributionGolden, GammaWithShapeBelowOne) {
  expect_golden(*Distribution::gamma(0.4, 3.0),
                {0x1.a013b067b620bp-2, 0x1.cddfde114bf94p-8, 0x1.2f5f4a896895cp-1, 0x1.1b1824b1ff9dp-5,
                 0x1.532adc001d638p-6, 0x1.3f371327cdac8p-8, 0x1.1588c7c0dbbeep+0, 0x1.78849476d426cp-4});
}

TEST(DistributionGolden, GammaWithShapeAboveOne) {
  expect_golden(*Distribution::gamma(3.7, 2.0),
                {0x1.f23533c50cfc7p+2, 0x1.988e383de7d95p+2, 0x1.19b12331e5017p+2, 0x1.67acc5c82a04dp+3,
                 0x1.94751aad209ep+3, 0x1.41889e5afc4f8p+3, 0x1.c81f7096ffc89p+2, 0x1.a8bc1ccdf53c5p+2});
}

TEST(DistributionGolden, Erlang) {
  expect_golden(*Distribution::erlang(3, 6e6),
                {0x1.5b99fe553a0c5p+22, 0x1.0bb12faad9386p+23, 0x1.bfde2198bc8d8p+22, 0x1.35733295e8a4dp+23,
                 0x1.4ba81e23081c8p+20, 0x1.cb30cfcf5d633p+21, 0x1.10fdf6cebd549p+23, 0x1.56157e2bf9f3ap+22});
}

TEST(DistributionGolden, ErlangWithManyPhases) {
  // More than 16 phases: the product of uniforms is taken in chunks.
  expect_golden(*Distribution::erlang(40, 1.0),
                {0x1.1fdd941e9d342p+0, 0x1.c3d8c0ef83c8ap-1, 0x1.d41f97dbf2c02p-1, 0x1.01232ff9d52fbp+0,
                 0x1.d53176cd8e747p-1, 0x1.ba03628fdc247p-1, 0x1.16f4b32af9227p+0, 0x1.f63deec05a97p-1});
}

TEST(DistributionGolden, Empirical) {
  expect_golden(*Distribution::empirical({{0.0, 1.0}, {0.5, 2.0}, {0.9, 10.0}, {0.99, 50.0}, {1.0, 200.0}}),
                {0x1.25aa58c687b96p+2, 0x1.36e5ffcb000a5p+0, 0x1.25e1b106cbe7cp+3, 0x1.caac60ddb6554p+0,
                 0x1.122ce9e4a737ep+0, 0x1.372065c89dceep+3, 0x1.0e817e341a7fp+4, 0x1.2540184ce9ea2p+0});
}
// clang-format on

// --- Moments ---------------------------------------------------------------------------------

struct SampleMoments {
  double mean = 0.0;
  double variance = 0.0;  // n - 1
  double mean_se = 0.0;
  double variance_se = 0.0;
  std::vector<double> sorted;
};

SampleMoments draw(const Distribution& d, std::uint64_t entity, std::size_t n = 200'000) {
  RandomStream s(1234, entity, purpose("test.moments"));
  SampleMoments m;
  m.sorted.reserve(n);
  for (std::size_t i = 0; i < n; ++i) m.sorted.push_back(d.sample(s));
  double sum = 0.0;
  for (const double x : m.sorted) sum += x;
  const double count = static_cast<double>(n);
  m.mean = sum / count;
  double m2 = 0.0;
  double m4 = 0.0;
  for (const double x : m.sorted) {
    const double dx = x - m.mean;
    m2 += dx * dx;
    m4 += dx * dx * dx * dx;
  }
  m2 /= count;
  m4 /= count;
  m.variance = m2 * count / (count - 1.0);
  m.mean_se = std::sqrt(m.variance / count);
  m.variance_se = std::sqrt(std::max(m4 - m2 * m2, 0.0) / count);
  std::sort(m.sorted.begin(), m.sorted.end());
  return m;
}

/// The fraction of the sample at or below x (the empirical CDF).
double fraction_at_most(const std::vector<double>& sorted, double x) {
  const auto at_most = std::upper_bound(sorted.begin(), sorted.end(), x) - sorted.begin();
  return static_cast<double>(at_most) / static_cast<double>(sorted.size());
}

/// Expects the empirical CDF at x to be p, within four binomial standard errors.
void expect_cdf(const std::vector<double>& sorted, double x, double p) {
  const double se = std::sqrt(p * (1.0 - p) / static_cast<double>(sorted.size()));
  EXPECT_NEAR(fraction_at_most(sorted, x), p, 4.0 * se) << "P(X <= " << x << ")";
}

constexpr double kStandardErrors = 4.0;

void expect_moments(const Distribution& d, std::uint64_t entity) {
  const SampleMoments m = draw(d, entity);
  EXPECT_NEAR(m.mean, d.mean(), kStandardErrors * m.mean_se) << d.describe();
  EXPECT_NEAR(m.variance, d.variance(), kStandardErrors * m.variance_se) << d.describe();
  EXPECT_GE(m.sorted.front(), 0.0) << d.describe() << " returned a negative value";
}

TEST(DistributionMoments, Constant) {
  const Distribution d = Distribution::constant(7.5);
  RandomStream s(1, 2, 3);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(d.sample(s), 7.5);
  EXPECT_EQ(d.mean(), 7.5);
  EXPECT_EQ(d.variance(), 0.0);
  const Distribution zero;
  EXPECT_EQ(zero.kind(), DistributionKind::kConstant);
  EXPECT_EQ(zero.sample(s), 0.0);
}

TEST(DistributionMoments, Exponential) {
  const Distribution d = *Distribution::exponential(2e6);
  EXPECT_EQ(d.mean(), 2e6);
  EXPECT_EQ(d.variance(), 4e12);
  expect_moments(d, 1);
}

TEST(DistributionMoments, Uniform) {
  const Distribution d = *Distribution::uniform(1e3, 5e3);
  EXPECT_EQ(d.mean(), 3e3);
  EXPECT_DOUBLE_EQ(d.variance(), 16e6 / 12.0);
  expect_moments(d, 2);
  const SampleMoments m = draw(d, 2);
  EXPECT_GE(m.sorted.front(), 1e3);
  EXPECT_LT(m.sorted.back(), 5e3);
}

TEST(DistributionMoments, UniformOfZeroWidthIsConstant) {
  const Distribution d = *Distribution::uniform(4.0, 4.0);
  RandomStream s(1, 2, 3);
  EXPECT_EQ(d.sample(s), 4.0);
  EXPECT_EQ(d.variance(), 0.0);
}

TEST(DistributionMoments, NormalFarFromZero) {
  const Distribution d = *Distribution::normal(10.0, 2.0);
  // Truncation at 5 standard deviations changes the moments by less than 1e-5.
  EXPECT_NEAR(d.mean(), 10.0, 1e-5);
  EXPECT_NEAR(d.variance(), 4.0, 1e-4);
  expect_moments(d, 3);
}

TEST(DistributionMoments, NormalTruncatedAtZero) {
  // Mean one standard deviation above 0: about 16% of raw draws are redrawn. The moments of the
  // truncated normal (Johnson, Kotz & Balakrishnan) with alpha = -1:
  // lambda = phi(1) / Phi(1) = 0.2419707 / 0.8413447 = 0.2875999,
  // mean = 1 + lambda, variance = 1 - lambda - lambda^2.
  const Distribution d = *Distribution::normal(1.0, 1.0);
  const double lambda = 0.28759997;
  EXPECT_NEAR(d.mean(), 1.0 + lambda, 1e-7);
  EXPECT_NEAR(d.variance(), 1.0 - lambda - lambda * lambda, 1e-7);
  expect_moments(d, 4);
}

TEST(DistributionMoments, NormalWithZeroSdIsConstant) {
  const Distribution d = *Distribution::normal(3.0, 0.0);
  RandomStream s(1, 2, 3);
  EXPECT_EQ(d.sample(s), 3.0);
  EXPECT_EQ(d.mean(), 3.0);
  EXPECT_EQ(d.variance(), 0.0);
}

TEST(DistributionMoments, LognormalByMuAndSigma) {
  const Distribution d = *Distribution::lognormal(1.0, 0.5);
  EXPECT_DOUBLE_EQ(d.mean(), std::exp(1.0 + 0.125));
  EXPECT_DOUBLE_EQ(d.variance(), (std::exp(0.25) - 1.0) * std::exp(2.0 + 0.25));
  expect_moments(d, 5);
}

TEST(DistributionMoments, LognormalByMedianAndP99HasThatMedianAndP99) {
  const Distribution d = *Distribution::lognormal_median_p99(2e6, 15e6);
  expect_moments(d, 6);
  const SampleMoments m = draw(d, 6);
  expect_cdf(m.sorted, 2e6, 0.5);
  expect_cdf(m.sorted, 15e6, 0.99);
  // sigma = ln(p99 / median) / z_0.99
  const double sigma = std::log(7.5) / 2.3263478740408408;
  EXPECT_NEAR(d.mean(), 2e6 * std::exp(0.5 * sigma * sigma), 1e-12 * d.mean());
}

TEST(DistributionMoments, LognormalWithP99EqualToTheMedianIsConstant) {
  const Distribution d = *Distribution::lognormal_median_p99(5.0, 5.0);
  RandomStream s(1, 2, 3);
  EXPECT_DOUBLE_EQ(d.sample(s), 5.0);
  EXPECT_EQ(d.variance(), 0.0);
}

TEST(DistributionMoments, GammaWithShapeBelowOne) {
  const Distribution d = *Distribution::gamma(0.4, 3.0);
  EXPECT_DOUBLE_EQ(d.mean(), 1.2);
  EXPECT_DOUBLE_EQ(d.variance(), 3.6);
  expect_moments(d, 7);
}

TEST(DistributionMoments, GammaWithShapeAboveOne) {
  const Distribution d = *Distribution::gamma(3.7, 2.0);
  EXPECT_DOUBLE_EQ(d.mean(), 7.4);
  EXPECT_DOUBLE_EQ(d.variance(), 14.8);
  expect_moments(d, 8);
}

TEST(DistributionMoments, Erlang) {
  const Distribution d = *Distribution::erlang(3, 6e6);
  EXPECT_EQ(d.mean(), 6e6);
  EXPECT_DOUBLE_EQ(d.variance(), 36e12 / 3.0);
  expect_moments(d, 9);
}

TEST(DistributionMoments, ErlangWithManyPhases) {
  const Distribution d = *Distribution::erlang(200, 1.0);
  EXPECT_DOUBLE_EQ(d.variance(), 1.0 / 200.0);
  expect_moments(d, 10);
}

TEST(DistributionMoments, Empirical) {
  const Distribution d = *Distribution::empirical({{0.0, 1.0}, {0.5, 2.0}, {0.9, 10.0}, {0.99, 50.0}, {1.0, 200.0}});
  // Mean of the piecewise-linear inverse CDF: sum of (q1 - q0) (v0 + v1) / 2.
  EXPECT_DOUBLE_EQ(d.mean(), 0.5 * 1.5 + 0.4 * 6.0 + 0.09 * 30.0 + 0.01 * 125.0);
  expect_moments(d, 11);
  const SampleMoments m = draw(d, 11);
  EXPECT_GE(m.sorted.front(), 1.0);
  EXPECT_LE(m.sorted.back(), 200.0);
  expect_cdf(m.sorted, 1.5, 0.25);  // linear between the points
  expect_cdf(m.sorted, 2.0, 0.5);
  expect_cdf(m.sorted, 10.0, 0.9);
  expect_cdf(m.sorted, 30.0, 0.945);
  expect_cdf(m.sorted, 50.0, 0.99);
}

TEST(DistributionMoments, EmpiricalWithAStepIsAMixture) {
  // A flat stretch (two points with the same value) is an atom.
  const Distribution d = *Distribution::empirical({{0.0, 3.0}, {0.6, 3.0}, {1.0, 5.0}});
  const SampleMoments m = draw(d, 12);
  expect_cdf(m.sorted, 3.0, 0.6);
  expect_cdf(m.sorted, 4.0, 0.8);
  expect_moments(d, 12);
}

TEST(Distribution, KindIsReported) {
  EXPECT_EQ(Distribution::constant(1).kind(), DistributionKind::kConstant);
  EXPECT_EQ(Distribution::exponential(1)->kind(), DistributionKind::kExponential);
  EXPECT_EQ(Distribution::uniform(0, 1)->kind(), DistributionKind::kUniform);
  EXPECT_EQ(Distribution::normal(1, 1)->kind(), DistributionKind::kNormal);
  EXPECT_EQ(Distribution::lognormal(0, 1)->kind(), DistributionKind::kLognormal);
  EXPECT_EQ(Distribution::lognormal_median_p99(1, 2)->kind(), DistributionKind::kLognormal);
  EXPECT_EQ(Distribution::gamma(1, 1)->kind(), DistributionKind::kGamma);
  EXPECT_EQ(Distribution::erlang(2, 1)->kind(), DistributionKind::kErlang);
  EXPECT_EQ(Distribution::empirical({{0, 1}, {1, 2}})->kind(), DistributionKind::kEmpirical);
}

TEST(Distribution, DescribesItself) {
  EXPECT_EQ(Distribution::constant(2.5).describe(), "constant(2.5)");
  EXPECT_EQ(Distribution::exponential(40e6)->describe(), "exponential(mean=4e+07)");
  EXPECT_EQ(Distribution::lognormal(14.5, 0.87)->describe(), "lognormal(mu=14.5, sigma=0.87)");
  EXPECT_EQ(Distribution::erlang(3, 6)->describe(), "erlang(k=3, mean=6)");
  EXPECT_EQ(Distribution::empirical({{0, 1}, {1, 2}})->describe(), "empirical(2 points)");
}

// --- Rejections ------------------------------------------------------------------------------

std::string rejection(const Result<Distribution>& r) {
  EXPECT_FALSE(r.ok()) << "expected a rejection";
  return r.ok() ? std::string() : r.error().message;
}

TEST(Distribution, RejectsAnExponentialWithoutAPositiveMean) {
  for (const double mean :
       {-1.0, 0.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    EXPECT_THAT(rejection(Distribution::exponential(mean)), HasSubstr("mean must be a positive number")) << mean;
  }
}

TEST(Distribution, RejectsAUniformWithHighBelowLowOrANegativeLow) {
  EXPECT_THAT(rejection(Distribution::uniform(2.0, 1.0)), HasSubstr("need 0 <= low <= high"));
  EXPECT_THAT(rejection(Distribution::uniform(-1.0, 1.0)), HasSubstr("need 0 <= low <= high"));
  EXPECT_THAT(rejection(Distribution::uniform(0.0, INFINITY)), HasSubstr("need 0 <= low <= high"));
}

TEST(Distribution, RejectsANormalWithANonPositiveMeanOrNegativeSd) {
  EXPECT_THAT(rejection(Distribution::normal(-1.0, 1.0)), HasSubstr("mean must be positive"));
  EXPECT_THAT(rejection(Distribution::normal(0.0, 1.0)), HasSubstr("truncated at 0"));
  EXPECT_THAT(rejection(Distribution::normal(1.0, -1.0)), HasSubstr("sd must be >= 0"));
}

TEST(Distribution, RejectsALognormalWithNegativeSigma) {
  EXPECT_THAT(rejection(Distribution::lognormal(0.0, -0.1)), HasSubstr("sigma >= 0"));
  EXPECT_THAT(rejection(Distribution::lognormal(NAN, 1.0)), HasSubstr("finite mu"));
}

TEST(Distribution, RejectsALognormalWhoseP99IsBelowTheMedian) {
  EXPECT_THAT(rejection(Distribution::lognormal_median_p99(10.0, 5.0)), HasSubstr("p99 must be at least the median"));
  EXPECT_THAT(rejection(Distribution::lognormal_median_p99(0.0, 5.0)), HasSubstr("median must be positive"));
  EXPECT_THAT(rejection(Distribution::lognormal_median_p99(-2.0, 5.0)), HasSubstr("median must be positive"));
}

TEST(Distribution, RejectsAGammaWithoutPositiveShapeAndScale) {
  EXPECT_THAT(rejection(Distribution::gamma(0.0, 1.0)), HasSubstr("shape and scale must be positive"));
  EXPECT_THAT(rejection(Distribution::gamma(1.0, -1.0)), HasSubstr("shape and scale must be positive"));
}

TEST(Distribution, RejectsAnErlangWithBadPhasesOrMean) {
  EXPECT_THAT(rejection(Distribution::erlang(0, 1.0)), HasSubstr("k must be between 1 and 1000"));
  EXPECT_THAT(rejection(Distribution::erlang(1001, 1.0)), HasSubstr("k must be between 1 and 1000"));
  EXPECT_THAT(rejection(Distribution::erlang(2, 0.0)), HasSubstr("mean must be positive"));
}

TEST(Distribution, RejectsAnEmpiricalTableThatDoesNotSpanZeroToOne) {
  EXPECT_THAT(rejection(Distribution::empirical({{0.1, 1.0}, {1.0, 2.0}})), HasSubstr("must start at quantile 0"));
  EXPECT_THAT(rejection(Distribution::empirical({{0.0, 1.0}, {0.9, 2.0}})), HasSubstr("end at 1"));
  EXPECT_THAT(rejection(Distribution::empirical({{0.0, 1.0}})), HasSubstr("at least two points"));
  EXPECT_THAT(rejection(Distribution::empirical({})), HasSubstr("at least two points"));
}

TEST(Distribution, RejectsAnEmpiricalTableThatIsNotMonotone) {
  EXPECT_THAT(rejection(Distribution::empirical({{0.0, 1.0}, {0.5, 2.0}, {0.5, 3.0}, {1.0, 4.0}})),
              HasSubstr("quantiles must rise strictly"));
  EXPECT_THAT(rejection(Distribution::empirical({{0.0, 1.0}, {0.7, 2.0}, {0.4, 3.0}, {1.0, 4.0}})),
              HasSubstr("quantiles must rise strictly"));
  EXPECT_THAT(rejection(Distribution::empirical({{0.0, 5.0}, {0.5, 2.0}, {1.0, 6.0}})),
              HasSubstr("values must not fall"));
  EXPECT_THAT(rejection(Distribution::empirical({{0.0, -1.0}, {1.0, 6.0}})), HasSubstr("values must be >= 0"));
}

// --- The normal quantile function ------------------------------------------------------------

TEST(NormalQuantile, MatchesTabulatedValues) {
  EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-15);
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-13);
  EXPECT_NEAR(normal_quantile(0.99), 2.3263478740408408, 1e-13);
  EXPECT_NEAR(normal_quantile(0.999), 3.090232306167813, 1e-12);
  EXPECT_NEAR(normal_quantile(0.001), -3.090232306167813, 1e-12);  // lower tail branch
  EXPECT_NEAR(normal_quantile(0.1), -1.2815515655446004, 1e-13);
  EXPECT_NEAR(normal_quantile(1e-10), -6.361340902404056, 1e-9);
}

TEST(NormalQuantile, IsInfiniteAtTheEnds) {
  EXPECT_EQ(normal_quantile(0.0), -INFINITY);
  EXPECT_EQ(normal_quantile(1.0), INFINITY);
}

TEST(NormalQuantile, IsAntisymmetric) {
  for (double p = 0.0005; p < 0.5; p += 0.0123) {
    EXPECT_NEAR(normal_quantile(p), -normal_quantile(1.0 - p), 1e-12) << p;
  }
}

}  // namespace
}  // namespace misim
