// Tests of include/misim/random.hpp: stream independence and reproducibility, the ranges of the
// uniform draws, unbiased integers, and the stability of purpose ids.
#include "misim/random.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace misim {
namespace {

std::vector<std::uint64_t> first_draws(RandomStream s, int n) {
  std::vector<std::uint64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(s());
  return out;
}

// Pearson's chi-square statistic of observed counts against equal expected counts.
double chi_square_uniform(const std::vector<std::uint64_t>& counts, std::uint64_t total) {
  const double expected = static_cast<double>(total) / static_cast<double>(counts.size());
  double chi2 = 0.0;
  for (const std::uint64_t c : counts) {
    const double d = static_cast<double>(c) - expected;
    chi2 += d * d / expected;
  }
  return chi2;
}

TEST(Purpose, IsComputedAtCompileTime) {
  constexpr std::uint64_t id = purpose("aad.service");
  static_assert(id != 0);
  static_assert(purpose("aad.service") != purpose("imds.service"));
  std::array<int, purpose("x") % 7 + 1> sized{};  // usable as a template argument
  EXPECT_EQ(sized.size(), purpose("x") % 7 + 1);
}

TEST(Purpose, IsStableFnv1a) {
  // Published FNV-1a 64-bit test vectors (http://www.isthe.com/chongo/tech/comp/fnv/): a change
  // here would silently change every stream of every scenario.
  static_assert(purpose("") == 0xcbf29ce484222325ULL);
  static_assert(purpose("a") == 0xaf63dc4c8601ec8cULL);
  static_assert(purpose("foobar") == 0x85944171f73967e8ULL);
  // A golden value for a name the tests use.
  static_assert(purpose("test.golden") == 0x66e86bec16369920ULL);
  SUCCEED();
}

TEST(Mix64, IsSplitMix64sOutputFunction) {
  // The first output of SplitMix64 seeded with 0 (Vigna's reference splitmix64.c).
  static_assert(mix64(0x9e3779b97f4a7c15ULL) == 0xe220a8397b1dcdafULL);
  static_assert(mix64(0) == 0);
  SUCCEED();
}

TEST(RandomStream, IsAUniformRandomBitGenerator) {
  static_assert(std::uniform_random_bit_generator<RandomStream>);
  static_assert(RandomStream::min() == 0);
  static_assert(RandomStream::max() == UINT64_MAX);
  SUCCEED();
}

TEST(RandomStream, GivesGoldenDrawsForAFixedKey) {
  // The same key must give these draws on every compiler, build type and platform.
  RandomStream s(42, 7, purpose("test.golden"));
  EXPECT_EQ(s(), 0xa12211c14e584acaULL);
  EXPECT_EQ(s(), 0x1b72ffe5800528e2ULL);
  EXPECT_EQ(s(), 0xdbf3e0691e5cbcd9ULL);
  EXPECT_EQ(s(), 0x6556306edb2aa6e5ULL);
}

TEST(RandomStream, SameKeyGivesTheSameSequence) {
  RandomStream a(1, 2, purpose("p"));
  RandomStream b(1, 2, purpose("p"));
  for (int i = 0; i < 10'000; ++i) ASSERT_EQ(a(), b()) << "draw " << i;
}

TEST(RandomStream, CopiesContinueFromTheSamePoint) {
  RandomStream a(5, 6, 7);
  for (int i = 0; i < 100; ++i) a();
  RandomStream b = a;
  EXPECT_EQ(first_draws(a, 100), first_draws(b, 100));
}

TEST(RandomStream, DifferentSeedEntityOrPurposeGivesADifferentSequence) {
  const std::vector<std::uint64_t> base = first_draws(RandomStream(1, 2, 3), 4);
  EXPECT_NE(first_draws(RandomStream(2, 2, 3), 4), base);
  EXPECT_NE(first_draws(RandomStream(1, 3, 3), 4), base);
  EXPECT_NE(first_draws(RandomStream(1, 2, 4), 4), base);
  // The key's parts are not interchangeable.
  EXPECT_NE(first_draws(RandomStream(1, 3, 2), 4), base);
  EXPECT_NE(first_draws(RandomStream(2, 1, 3), 4), base);
  EXPECT_NE(first_draws(RandomStream(3, 2, 1), 4), base);
}

TEST(RandomStream, NeighbouringKeysGiveUnrelatedFirstDraws) {
  // 1000 entities x 3 purposes x 2 seeds: every stream's first draw is distinct.
  std::vector<std::uint64_t> firsts;
  for (std::uint64_t seed = 0; seed < 2; ++seed) {
    for (std::uint64_t entity = 0; entity < 1000; ++entity) {
      for (const std::uint64_t p : {purpose("a"), purpose("b"), purpose("c")}) {
        RandomStream s(seed, entity, p);
        firsts.push_back(s());
      }
    }
  }
  std::sort(firsts.begin(), firsts.end());
  EXPECT_EQ(std::adjacent_find(firsts.begin(), firsts.end()), firsts.end());
}

TEST(RandomStream, NeighbouringEntitiesAreUncorrelated) {
  constexpr int kDraws = 100'000;
  RandomStream a(9, 100, purpose("corr"));
  RandomStream b(9, 101, purpose("corr"));
  double sum_ab = 0.0;
  double sum_a = 0.0;
  double sum_b = 0.0;
  for (int i = 0; i < kDraws; ++i) {
    const double x = a.uniform01() - 0.5;
    const double y = b.uniform01() - 0.5;
    sum_ab += x * y;
    sum_a += x;
    sum_b += y;
  }
  const double n = kDraws;
  const double correlation = (sum_ab / n - (sum_a / n) * (sum_b / n)) / (1.0 / 12.0);
  EXPECT_LT(std::abs(correlation), 5.0 / std::sqrt(n));  // 5 standard errors
}

TEST(RandomStream, AddingStreamsDoesNotChangeAnotherStreamsDraws) {
  const std::vector<std::uint64_t> alone = first_draws(RandomStream(42, 1, purpose("arrivals")), 50);

  // The same stream, created among many others that draw in between.
  std::vector<RandomStream> others;
  for (std::uint64_t e = 2; e < 50; ++e) others.emplace_back(42, e, purpose("arrivals"));
  RandomStream mine(42, 1, purpose("arrivals"));
  for (std::uint64_t e = 0; e < 50; ++e) others.emplace_back(42, e, purpose("service"));
  std::vector<std::uint64_t> among;
  for (int i = 0; i < 50; ++i) {
    for (RandomStream& o : others) o();
    among.push_back(mine());
  }
  EXPECT_EQ(among, alone);
}

TEST(RandomStream, Uniform01IsInTheHalfOpenUnitInterval) {
  RandomStream s(3, 0, purpose("u01"));
  double sum = 0.0;
  double lo = 1.0;
  double hi = 0.0;
  constexpr int kDraws = 1'000'000;
  for (int i = 0; i < kDraws; ++i) {
    const double u = s.uniform01();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    sum += u;
  }
  EXPECT_LT(lo, 1e-5);
  EXPECT_GT(hi, 1.0 - 1e-5);
  // Mean 1/2, standard error sqrt(1/12 / n).
  EXPECT_NEAR(sum / kDraws, 0.5, 5.0 * std::sqrt(1.0 / 12.0 / kDraws));
}

TEST(RandomStream, Uniform01UsesTheTop53Bits) {
  RandomStream s(8, 8, 8);
  RandomStream raw = s;
  for (int i = 0; i < 100; ++i) EXPECT_EQ(s.uniform01(), static_cast<double>(raw() >> 11) * 0x1.0p-53);
}

TEST(RandomStream, UniformOpen0IsInTheUnitIntervalOpenAtZero) {
  RandomStream s(4, 0, purpose("open0"));
  RandomStream raw = s;
  for (int i = 0; i < 100'000; ++i) {
    const double u = s.uniform_open0();
    ASSERT_GT(u, 0.0);
    ASSERT_LE(u, 1.0);
    ASSERT_EQ(u, static_cast<double>((raw() >> 11) + 1) * 0x1.0p-53);
  }
}

TEST(RandomStream, BelowStaysInRange) {
  RandomStream s(5, 0, purpose("below"));
  constexpr std::uint64_t kBounds[] = {1, 2, 3, 7, 1000, std::uint64_t{1} << 40, UINT64_MAX};
  for (const std::uint64_t n : kBounds) {
    for (int i = 0; i < 10'000; ++i) ASSERT_LT(s.below(n), n);
  }
  EXPECT_EQ(s.below(1), 0U);
  EXPECT_EQ(s.below(0), 0U);  // documented degenerate case
}

TEST(RandomStream, BelowIsUnbiasedForSmallN) {
  // Chi-square goodness of fit for n = 10 with 1e6 draws: 9 degrees of freedom, whose 0.999
  // quantile is 27.88. The seed is fixed, so the test is deterministic.
  constexpr std::uint64_t kN = 10;
  constexpr std::uint64_t kDraws = 1'000'000;
  RandomStream s(2024, 1, purpose("test.below"));
  std::vector<std::uint64_t> counts(kN, 0);
  for (std::uint64_t i = 0; i < kDraws; ++i) ++counts[s.below(kN)];
  EXPECT_LT(chi_square_uniform(counts, kDraws), 27.88);
}

TEST(RandomStream, BelowIsUnbiasedWhereMultiplyShiftAloneWouldBeBiased) {
  // For n = 3 * 2^62, floor(x * n / 2^64) alone hits multiples of 3 twice as often as the other
  // values (P = 1/2 instead of 1/3), and x % n hits [0, 2^62) twice as often. Lemire's rejection
  // step removes the bias: the residues mod 3 must be uniform, as must the top quarter.
  constexpr std::uint64_t kN = 3ULL << 62;
  constexpr std::uint64_t kDraws = 300'000;
  RandomStream s(2024, 2, purpose("test.below.large"));
  std::vector<std::uint64_t> residues(3, 0);
  std::vector<std::uint64_t> thirds(3, 0);  // which third of [0, n) the draw fell in
  for (std::uint64_t i = 0; i < kDraws; ++i) {
    const std::uint64_t x = s.below(kN);
    ++residues[x % 3];
    ++thirds[x / (1ULL << 62)];
  }
  // 2 degrees of freedom: the 0.999 quantile is 13.82.
  EXPECT_LT(chi_square_uniform(residues, kDraws), 13.82);
  EXPECT_LT(chi_square_uniform(thirds, kDraws), 13.82);
}

}  // namespace
}  // namespace misim
