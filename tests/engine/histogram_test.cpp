// Tests of include/misim/histogram.hpp: percentiles within 1% of the exact ones, exact count, sum,
// min and max, merging, and the edge cases (empty, zeros, NaN).
#include "misim/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "misim/distribution.hpp"
#include "misim/random.hpp"

namespace misim {
namespace {

constexpr double kDesignBound = 0.01;  // docs/design.md: percentiles within 1% relative error
constexpr double kQuantiles[] = {0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999};

/// The exact q-quantile by nearest rank, the definition Histogram::percentile approximates.
double exact_percentile(const std::vector<double>& sorted, double q) {
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  if (rank == 0) rank = 1;
  return sorted[rank - 1];
}

void expect_percentiles_within_bound(std::vector<double> data, const std::string& what) {
  Histogram h;
  for (const double x : data) h.record(x);
  std::sort(data.begin(), data.end());
  for (const double q : kQuantiles) {
    const double exact = exact_percentile(data, q);
    const double estimate = h.percentile(q);
    EXPECT_LE(std::abs(estimate - exact), kDesignBound * exact) << what << " q=" << q << " exact=" << exact;
    // The implementation promises its own, tighter bound.
    EXPECT_LE(std::abs(estimate - exact), Histogram::kRelativeAccuracy * exact * (1 + 1e-9)) << what << " q=" << q;
  }
  EXPECT_EQ(h.percentile(0.0), data.front());
  EXPECT_EQ(h.percentile(1.0), data.back());
}

std::vector<double> sample(const Distribution& d, std::uint64_t entity, std::size_t n = 200'000) {
  RandomStream s(77, entity, purpose("test.histogram"));
  std::vector<double> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(d.sample(s));
  return out;
}

TEST(Histogram, PercentilesOfExponentialDataAreWithinOnePercent) {
  expect_percentiles_within_bound(sample(*Distribution::exponential(40e6), 1), "exponential");
}

TEST(Histogram, PercentilesOfLognormalDataOverManyDecadesAreWithinOnePercent) {
  // sigma = 3: the middle 99.98% spans e^(+-3.7 * 3), about ten decades.
  expect_percentiles_within_bound(sample(*Distribution::lognormal(std::log(2e6), 3.0), 2), "lognormal");
}

TEST(Histogram, PercentilesOfUniformDataAreWithinOnePercent) {
  expect_percentiles_within_bound(sample(*Distribution::uniform(1e3, 5e3), 3), "uniform");
}

TEST(Histogram, PercentilesOfLogUniformDataFromNanosecondsToDaysAreWithinOnePercent) {
  // Uniform in the logarithm from 1 ns to 10^14 ns (a little over a day).
  std::vector<double> data = sample(*Distribution::uniform(0.0, 14.0), 4);
  for (double& x : data) x = std::pow(10.0, x);
  expect_percentiles_within_bound(std::move(data), "log-uniform");
}

TEST(Histogram, PercentilesOfSmallValuesAreWithinOnePercent) {
  // Values below 1 (seconds as doubles, say) down to the zero threshold.
  std::vector<double> data = sample(*Distribution::uniform(0.0, 8.0), 5);
  for (double& x : data) x = std::pow(10.0, -x);
  expect_percentiles_within_bound(std::move(data), "small");
}

TEST(Histogram, EveryValueIsReportedWithinTheRelativeAccuracyOfItsBucket) {
  // With a value v three times and a huge value once, the median is v's bucket representative.
  for (double v = 1e-8; v < 1e16; v *= 1.0137) {
    Histogram h;
    h.record(v, 3);
    h.record(1e18);
    ASSERT_LE(std::abs(h.percentile(0.5) - v), Histogram::kRelativeAccuracy * v * (1 + 1e-9)) << v;
  }
}

TEST(Histogram, CountSumMinAndMaxAreExact) {
  Histogram h;
  std::int64_t sum = 0;
  for (std::int64_t i = 1; i <= 1000; ++i) {
    const std::int64_t v = (i * 7919) % 100'003;
    h.record(static_cast<double>(v));
    sum += v;
  }
  EXPECT_EQ(h.count(), 1000U);
  EXPECT_EQ(h.sum(), static_cast<double>(sum));
  EXPECT_EQ(h.mean(), static_cast<double>(sum) / 1000.0);
  std::int64_t max = 0;
  std::int64_t min = INT64_MAX;
  for (std::int64_t i = 1; i <= 1000; ++i) {
    max = std::max(max, (i * 7919) % 100'003);
    min = std::min(min, (i * 7919) % 100'003);
  }
  EXPECT_EQ(h.max(), static_cast<double>(max));
  EXPECT_EQ(h.min(), static_cast<double>(min));
}

TEST(Histogram, RecordsACountAtOnce) {
  Histogram once;
  once.record(5.0, 1000);
  once.record(9.0, 3);
  Histogram each;
  for (int i = 0; i < 1000; ++i) each.record(5.0);
  for (int i = 0; i < 3; ++i) each.record(9.0);
  EXPECT_EQ(once.count(), 1003U);
  EXPECT_EQ(once.sum(), 5027.0);
  for (const double q : kQuantiles) EXPECT_EQ(once.percentile(q), each.percentile(q)) << q;
  once.record(100.0, 0);  // a zero count records nothing
  EXPECT_EQ(once.count(), 1003U);
  EXPECT_EQ(once.max(), 9.0);
}

TEST(Histogram, IsEmptyUntilSomethingIsRecorded) {
  const Histogram h;
  EXPECT_EQ(h.count(), 0U);
  EXPECT_EQ(h.sum(), 0.0);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.min(), 0.0);
  EXPECT_EQ(h.max(), 0.0);
  for (const double q : {0.0, 0.5, 0.99, 1.0}) EXPECT_EQ(h.percentile(q), 0.0) << q;
}

TEST(Histogram, ASingleValueIsEveryPercentile) {
  Histogram h;
  h.record(123.456);
  for (const double q : {0.0, 0.01, 0.5, 0.99, 1.0}) EXPECT_EQ(h.percentile(q), 123.456) << q;
}

TEST(Histogram, CountsZerosAndReportsThemAsZero) {
  Histogram h;
  for (int i = 0; i < 60; ++i) h.record(0.0);
  for (int i = 1; i <= 40; ++i) h.record(static_cast<double>(i));
  EXPECT_EQ(h.count(), 100U);
  EXPECT_EQ(h.min(), 0.0);
  EXPECT_EQ(h.percentile(0.5), 0.0);
  EXPECT_EQ(h.percentile(0.6), 0.0);
  EXPECT_NEAR(h.percentile(0.61), 1.0, 0.005);
  EXPECT_NEAR(h.percentile(0.8), 20.0, 0.1);
  EXPECT_EQ(h.percentile(1.0), 40.0);
}

TEST(Histogram, AllZerosGiveZeroPercentiles) {
  Histogram h;
  h.record(0.0, 10);
  h.record(Histogram::kMinPositive / 2);  // below the threshold: counted as zero
  EXPECT_EQ(h.count(), 11U);
  EXPECT_EQ(h.percentile(0.5), 0.0);
  EXPECT_EQ(h.percentile(0.99), 0.0);
  EXPECT_EQ(h.max(), Histogram::kMinPositive / 2);
}

TEST(Histogram, IgnoresNaN) {
  Histogram h;
  h.record(1.0);
  h.record(NAN);
  EXPECT_EQ(h.count(), 1U);
  EXPECT_EQ(h.sum(), 1.0);
}

TEST(Histogram, MergeEqualsRecordingEverythingIntoOne) {
  const std::vector<double> a = sample(*Distribution::lognormal(std::log(1e6), 2.0), 10, 50'000);
  const std::vector<double> b = sample(*Distribution::exponential(1e3), 11, 30'000);  // a lower range
  Histogram ha;
  Histogram hb;
  Histogram all;
  for (const double x : a) {
    ha.record(x);
    all.record(x);
  }
  all.record(0.0, 5);
  hb.record(0.0, 5);
  for (const double x : b) {
    hb.record(x);
    all.record(x);
  }
  Histogram merged = ha;
  merged.merge(hb);
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_NEAR(merged.sum(), all.sum(), 1e-12 * all.sum());  // the same values added in another order
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.max(), all.max());
  for (const double q : kQuantiles) EXPECT_EQ(merged.percentile(q), all.percentile(q)) << q;
  for (double q = 0.0; q <= 1.0; q += 0.001) ASSERT_EQ(merged.percentile(q), all.percentile(q)) << q;

  // The other order gives the same.
  Histogram reversed = hb;
  reversed.merge(ha);
  for (double q = 0.0; q <= 1.0; q += 0.001) ASSERT_EQ(reversed.percentile(q), all.percentile(q)) << q;
}

TEST(Histogram, MergeWithAnEmptyHistogramChangesNothing) {
  Histogram h;
  h.record(3.0);
  h.record(300.0);
  Histogram copy = h;
  copy.merge(Histogram{});
  EXPECT_EQ(copy.count(), 2U);
  EXPECT_EQ(copy.percentile(0.5), h.percentile(0.5));
  Histogram empty;
  empty.merge(h);
  EXPECT_EQ(empty.count(), 2U);
  EXPECT_EQ(empty.min(), 3.0);
  EXPECT_EQ(empty.max(), 300.0);
  EXPECT_EQ(empty.percentile(0.5), h.percentile(0.5));
}

TEST(Histogram, ClearForgetsEverything) {
  Histogram h;
  h.record(5.0, 10);
  h.clear();
  EXPECT_EQ(h.count(), 0U);
  EXPECT_EQ(h.percentile(0.5), 0.0);
  h.record(7.0);
  EXPECT_EQ(h.min(), 7.0);
  EXPECT_EQ(h.percentile(0.5), 7.0);
}

}  // namespace
}  // namespace misim
