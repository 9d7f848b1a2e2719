// Tests of include/misim/running_stats.hpp: one-pass mean, variance, min and max, and merging.
#include "misim/running_stats.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "misim/random.hpp"

namespace misim {
namespace {

TEST(RunningStats, IsZeroWhenEmpty) {
  const RunningStats s;
  EXPECT_EQ(s.count(), 0U);
  EXPECT_EQ(s.mean(), 0.0);
  EXPECT_EQ(s.variance(), 0.0);
  EXPECT_EQ(s.stddev(), 0.0);
}

TEST(RunningStats, OneValueHasZeroVariance) {
  RunningStats s;
  s.add(-4.5);
  EXPECT_EQ(s.count(), 1U);
  EXPECT_EQ(s.mean(), -4.5);
  EXPECT_EQ(s.variance(), 0.0);
  EXPECT_EQ(s.min(), -4.5);
  EXPECT_EQ(s.max(), -4.5);
}

TEST(RunningStats, ComputesTheDocumentedExample) {
  RunningStats s;
  s.add(3.0);
  s.add(5.0);
  EXPECT_EQ(s.mean(), 4.0);
  EXPECT_EQ(s.variance(), 2.0);  // sample variance, n - 1
  EXPECT_DOUBLE_EQ(s.stddev(), std::sqrt(2.0));
}

TEST(RunningStats, MatchesATwoPassComputation) {
  RandomStream rng(1, 1, purpose("test.running_stats"));
  std::vector<double> xs;
  RunningStats s;
  for (int i = 0; i < 100'000; ++i) {
    const double x = 1e9 + 1e3 * rng.uniform01();  // a large offset: naive sum of squares would cancel
    xs.push_back(x);
    s.add(x);
  }
  double mean = 0.0;
  for (const double x : xs) mean += x;
  mean /= static_cast<double>(xs.size());
  double ss = 0.0;
  double lo = xs[0];
  double hi = xs[0];
  for (const double x : xs) {
    ss += (x - mean) * (x - mean);
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  const double variance = ss / static_cast<double>(xs.size() - 1);
  EXPECT_EQ(s.count(), xs.size());
  EXPECT_NEAR(s.mean(), mean, 1e-12 * mean);
  EXPECT_NEAR(s.variance(), variance, 1e-6 * variance);
  EXPECT_NEAR(variance, 1e6 / 12.0, 0.01 * 1e6 / 12.0);
  EXPECT_EQ(s.min(), lo);
  EXPECT_EQ(s.max(), hi);
}

TEST(RunningStats, MergeEqualsAddingEverythingToOne) {
  RandomStream rng(2, 2, purpose("test.running_stats"));
  RunningStats a;
  RunningStats b;
  RunningStats all;
  for (int i = 0; i < 3'000; ++i) {
    const double x = 10.0 * rng.uniform01();
    a.add(x);
    all.add(x);
  }
  for (int i = 0; i < 7'000; ++i) {
    const double x = 50.0 + 20.0 * rng.uniform01();
    b.add(x);
    all.add(x);
  }
  RunningStats merged = a;
  merged.merge(b);
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_NEAR(merged.mean(), all.mean(), 1e-12 * all.mean());
  EXPECT_NEAR(merged.variance(), all.variance(), 1e-10 * all.variance());
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.max(), all.max());
}

TEST(RunningStats, MergeWithEmptyIsIdentity) {
  RunningStats a;
  a.add(1.0);
  a.add(2.0);
  RunningStats copy = a;
  copy.merge(RunningStats{});
  EXPECT_EQ(copy.count(), 2U);
  EXPECT_EQ(copy.mean(), 1.5);
  RunningStats empty;
  empty.merge(a);
  EXPECT_EQ(empty.count(), 2U);
  EXPECT_EQ(empty.variance(), a.variance());
  EXPECT_EQ(empty.min(), 1.0);
  EXPECT_EQ(empty.max(), 2.0);
}

}  // namespace
}  // namespace misim
