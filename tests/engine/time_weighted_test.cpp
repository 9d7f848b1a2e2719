// Tests of include/misim/time_weighted.hpp: time averages of a piecewise-constant quantity, and
// the restart that discards a warm-up period.
#include "misim/time_weighted.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "misim/time.hpp"

namespace misim {
namespace {

TEST(TimeWeighted, ComputesTheDocumentedExample) {
  TimeWeighted q;
  q.set(10 * kSecond, 3);
  EXPECT_DOUBLE_EQ(q.mean(20 * kSecond), 1.5);
}

TEST(TimeWeighted, StartsWithItsInitialValue) {
  const TimeWeighted q(5 * kSecond, 2.0);
  EXPECT_EQ(q.start(), 5 * kSecond);
  EXPECT_EQ(q.current(), 2.0);
  EXPECT_EQ(q.max(), 2.0);
  EXPECT_EQ(q.mean(9 * kSecond), 2.0);
}

TEST(TimeWeighted, IsTheCurrentValueWhenNoTimeHasPassed) {
  TimeWeighted q(0, 0.0);
  q.set(0, 4.0);
  EXPECT_EQ(q.mean(0), 4.0);
}

TEST(TimeWeighted, WeighsEachValueByHowLongItHeld) {
  TimeWeighted q;
  q.set(0, 1.0);            // 1 for 2 s
  q.set(2 * kSecond, 4.0);  // 4 for 1 s
  q.set(3 * kSecond, 0.0);  // 0 for 5 s
  EXPECT_DOUBLE_EQ(q.mean(8 * kSecond), (1.0 * 2 + 4.0 * 1 + 0.0 * 5) / 8.0);
  EXPECT_DOUBLE_EQ(q.mean(3 * kSecond), (1.0 * 2 + 4.0 * 1) / 3.0);
  EXPECT_EQ(q.max(), 4.0);
  EXPECT_EQ(q.current(), 0.0);
}

TEST(TimeWeighted, AddChangesTheValueByADelta) {
  TimeWeighted q;
  q.add(kSecond, 1);
  q.add(2 * kSecond, 1);
  q.add(3 * kSecond, -2);
  EXPECT_EQ(q.current(), 0.0);
  EXPECT_EQ(q.max(), 2.0);
  EXPECT_DOUBLE_EQ(q.mean(4 * kSecond), (0.0 + 1.0 + 2.0 + 0.0) / 4.0);
}

TEST(TimeWeighted, ChangesAtTheSameInstantCountOnlyTheLast) {
  TimeWeighted q;
  q.set(kSecond, 100.0);
  q.set(kSecond, 1.0);
  EXPECT_DOUBLE_EQ(q.mean(2 * kSecond), 0.5);
  EXPECT_EQ(q.max(), 100.0);  // the max still saw the transient value
}

TEST(TimeWeighted, RestartDiscardsTheHistoryAndKeepsTheCurrentValue) {
  TimeWeighted q;
  q.set(0, 50.0);            // a large transient during warm-up
  q.set(10 * kSecond, 2.0);  // the value when warm-up ends
  q.restart(20 * kSecond);
  EXPECT_EQ(q.start(), 20 * kSecond);
  EXPECT_EQ(q.current(), 2.0);
  EXPECT_EQ(q.max(), 2.0);  // the warm-up maximum is forgotten
  EXPECT_EQ(q.mean(20 * kSecond), 2.0);
  q.set(30 * kSecond, 4.0);
  EXPECT_DOUBLE_EQ(q.mean(40 * kSecond), (2.0 * 10 + 4.0 * 10) / 20.0);
  EXPECT_EQ(q.max(), 4.0);
}

TEST(TimeWeighted, RestartBetweenChangesCountsOnlyTheTimeAfterIt) {
  TimeWeighted q;
  q.set(0, 3.0);
  q.restart(5 * kSecond);
  q.set(7 * kSecond, 1.0);
  // 3 from 5 s to 7 s, then 1 until 9 s.
  EXPECT_DOUBLE_EQ(q.mean(9 * kSecond), (3.0 * 2 + 1.0 * 2) / 4.0);
}

TEST(TimeWeighted, AveragesExactlyOverLongRunsInNanoseconds) {
  TimeWeighted q;
  // Alternate 0 and 1 every nanosecond-odd interval for a simulated day.
  SimTime t = 0;
  double area = 0.0;
  for (int i = 0; t < kDay; ++i) {
    const SimTime step = 1 + (static_cast<SimTime>(i) * 7919) % 1'000'000'007;
    const double v = i % 2;
    q.set(t, v);
    area += v * static_cast<double>(std::min(step, kDay - t));
    t += step;
  }
  EXPECT_NEAR(q.mean(kDay), area / static_cast<double>(kDay), 1e-12);
}

}  // namespace
}  // namespace misim
