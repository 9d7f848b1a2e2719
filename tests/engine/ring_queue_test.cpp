// Tests of include/misim/ring_queue.hpp: FIFO order across wrap-around and growth.
#include "misim/ring_queue.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>

#include "misim/random.hpp"

namespace misim {
namespace {

struct Record {
  std::uint64_t id;
  double value;
};

TEST(RingQueue, StartsEmpty) {
  const RingQueue<int> q;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0U);
}

TEST(RingQueue, PopsInTheOrderPushed) {
  RingQueue<int> q;
  for (int i = 0; i < 5; ++i) q.push_back(i);
  EXPECT_EQ(q.size(), 5U);
  EXPECT_FALSE(q.empty());
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(q.front(), i);
    EXPECT_EQ(q.pop_front(), i);
  }
  EXPECT_TRUE(q.empty());
}

TEST(RingQueue, KeepsOrderWhenGrowingWhileWrappedAround) {
  RingQueue<int> q;
  int next_in = 0;
  int next_out = 0;
  // Fill the first buffer, drain part of it so the head moves, then push past its end and beyond
  // its capacity: the growth must copy the wrapped contents in order.
  for (int i = 0; i < 16; ++i) q.push_back(next_in++);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(q.pop_front(), next_out++);
  for (int i = 0; i < 100; ++i) q.push_back(next_in++);
  EXPECT_EQ(q.size(), 106U);
  while (!q.empty()) EXPECT_EQ(q.pop_front(), next_out++);
  EXPECT_EQ(next_out, next_in);
}

TEST(RingQueue, HoldsPlainRecords) {
  RingQueue<Record> q;
  q.push_back({1, 0.5});
  q.push_back({2, 1.5});
  EXPECT_EQ(q.front().id, 1U);
  const Record r = q.pop_front();
  EXPECT_EQ(r.id, 1U);
  EXPECT_EQ(r.value, 0.5);
  EXPECT_EQ(q.pop_front().id, 2U);
}

TEST(RingQueue, CanBeReusedAfterEmptying) {
  RingQueue<int> q;
  for (int round = 0; round < 100; ++round) {
    for (int i = 0; i < 7; ++i) q.push_back(round * 10 + i);
    for (int i = 0; i < 7; ++i) ASSERT_EQ(q.pop_front(), round * 10 + i);
    ASSERT_TRUE(q.empty());
  }
}

TEST(RingQueue, MatchesADequeUnderRandomPushesAndPops) {
  RingQueue<std::uint64_t> q;
  std::deque<std::uint64_t> reference;
  RandomStream rng(11, 0, purpose("test.ring_queue"));
  std::uint64_t next = 0;
  for (int step = 0; step < 200'000; ++step) {
    // Phases that mostly grow and phases that mostly shrink, so the queue wraps at many sizes.
    const bool growing = (step / 5'000) % 2 == 0;
    const bool push = reference.empty() || rng.below(100) < (growing ? 70U : 30U);
    if (push) {
      q.push_back(next);
      reference.push_back(next);
      ++next;
    } else {
      ASSERT_EQ(q.front(), reference.front());
      ASSERT_EQ(q.pop_front(), reference.front());
      reference.pop_front();
    }
    ASSERT_EQ(q.size(), reference.size());
  }
}

}  // namespace
}  // namespace misim
