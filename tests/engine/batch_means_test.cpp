// Tests of include/misim/batch_means.hpp: the standard error of a mean from batch means, with a
// bounded number of batches however long the series.
#include "misim/batch_means.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "misim/distribution.hpp"
#include "misim/random.hpp"

namespace misim {
namespace {

TEST(BatchMeans, IsZeroWithoutCompleteBatches) {
  const BatchMeans b;
  EXPECT_EQ(b.batches(), 0U);
  EXPECT_EQ(b.batch_size(), 1U);
  EXPECT_EQ(b.mean(), 0.0);
  EXPECT_EQ(b.standard_error(), 0.0);
}

TEST(BatchMeans, StartsWithBatchesOfOne) {
  BatchMeans b;
  b.add(2.0);
  EXPECT_EQ(b.batches(), 1U);
  EXPECT_EQ(b.mean(), 2.0);
  EXPECT_EQ(b.standard_error(), 0.0);  // one batch: no spread to measure
  b.add(4.0);
  EXPECT_EQ(b.batches(), 2U);
  EXPECT_EQ(b.mean(), 3.0);
  // Two batch means 2 and 4: sd sqrt(2), over sqrt(2) batches.
  EXPECT_DOUBLE_EQ(b.standard_error(), 1.0);
}

TEST(BatchMeans, KeepsTheNumberOfBatchesBetweenTargetAndTwiceTarget) {
  for (const std::size_t target : {2U, 8U, 32U, 50U}) {
    BatchMeans b(target);
    for (std::uint64_t i = 1; i <= 1'000'000; ++i) {
      b.add(static_cast<double>(i % 17));
      ASSERT_LT(b.batches(), 2 * target) << "after " << i;
      if (i >= 2 * target) {
        ASSERT_GE(b.batches(), target) << "after " << i;
      }
      ASSERT_EQ(std::popcount(b.batch_size()), 1) << "batch sizes double";
      ASSERT_LE(b.batches() * b.batch_size(), i) << "only complete batches";
      ASSERT_GT((b.batches() + 1) * b.batch_size(), i) << "at most one batch incomplete";
    }
  }
}

TEST(BatchMeans, TreatsATargetBelowTwoAsTwo) {
  BatchMeans b(0);
  for (int i = 0; i < 1000; ++i) b.add(i);
  EXPECT_GE(b.batches(), 2U);
  EXPECT_LT(b.batches(), 4U);
}

TEST(BatchMeans, MeanIsTheMeanOfTheCompleteBatches) {
  BatchMeans b(4);
  std::vector<double> xs;
  for (int i = 0; i < 1000; ++i) {
    const double x = (i * 37) % 101;
    xs.push_back(x);
    b.add(x);
  }
  const std::size_t covered = b.batches() * b.batch_size();
  double sum = 0.0;
  for (std::size_t i = 0; i < covered; ++i) sum += xs[i];
  EXPECT_DOUBLE_EQ(b.mean(), sum / static_cast<double>(covered));
}

TEST(BatchMeans, StandardErrorOfIidDataIsCloseToSdOverRootN) {
  // For independent data the batch means give sd / sqrt(n). One run's estimate from 32..64 batches
  // scatters by about 1/sqrt(2 * batches) (10-12%); averaged over 20 runs it is within a few %.
  constexpr int kRuns = 20;
  constexpr int kN = 200'000;
  const Distribution d = *Distribution::exponential(3.0);  // sd = 3
  double ratio_sum = 0.0;
  for (int run = 0; run < kRuns; ++run) {
    RandomStream s(5, static_cast<std::uint64_t>(run), purpose("test.batch_means"));
    BatchMeans b;
    for (int i = 0; i < kN; ++i) b.add(d.sample(s));
    const double expected = 3.0 / std::sqrt(static_cast<double>(b.batches() * b.batch_size()));
    const double ratio = b.standard_error() / expected;
    EXPECT_GT(ratio, 0.6) << "run " << run;
    EXPECT_LT(ratio, 1.4) << "run " << run;
    EXPECT_NEAR(b.mean(), 3.0, 5.0 * expected) << "run " << run;
    ratio_sum += ratio;
  }
  EXPECT_NEAR(ratio_sum / kRuns, 1.0, 0.06);
}

TEST(BatchMeans, StandardErrorOfCorrelatedDataExceedsTheNaiveOne) {
  // An AR(1) series x' = phi x + e: the variance of its mean is (1 + phi) / (1 - phi) times that
  // of independent data with the same marginal variance, here 19 times (phi = 0.9). Batch means
  // must see it; the naive sd / sqrt(n) would not.
  constexpr double kPhi = 0.9;
  constexpr int kN = 1'000'000;
  RandomStream s(6, 0, purpose("test.batch_means.ar1"));
  const Distribution noise = *Distribution::uniform(0.0, 1.0);
  BatchMeans b;
  double x = 0.0;
  double sum = 0.0;
  double sum2 = 0.0;
  for (int i = 0; i < kN; ++i) {
    x = kPhi * x + (noise.sample(s) - 0.5);
    b.add(x);
    sum += x;
    sum2 += x * x;
  }
  const double mean = sum / kN;
  const double sd = std::sqrt(sum2 / kN - mean * mean);
  const double naive = sd / std::sqrt(static_cast<double>(kN));
  const double inflation = b.standard_error() / naive;
  EXPECT_NEAR(inflation, std::sqrt((1 + kPhi) / (1 - kPhi)), 0.35 * std::sqrt((1 + kPhi) / (1 - kPhi)));
}

}  // namespace
}  // namespace misim
