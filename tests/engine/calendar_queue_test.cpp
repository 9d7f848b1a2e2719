// CalendarQueue: events come out in exactly (time, sequence) order whatever the queue's shape, through
// rebuilds, jumps over empty time, far events, pushes into the window being taken and removals.
#include "misim/calendar_queue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <queue>
#include <vector>

#include "misim/random.hpp"

namespace misim {
namespace {

struct Later {
  bool operator()(const QueuedEvent& a, const QueuedEvent& b) const { return earlier(b, a); }
};
using Reference = std::priority_queue<QueuedEvent, std::vector<QueuedEvent>, Later>;

QueuedEvent event(SimTime time, std::uint64_t sequence) {
  return QueuedEvent{time, sequence, static_cast<std::uint32_t>(sequence), 1, nullptr};
}

// Pushes an event at `time` to both queues, with the next sequence number.
void push_both(CalendarQueue& q, Reference& ref, SimTime time, std::uint64_t& sequence) {
  const QueuedEvent e = event(time, sequence++);
  q.push(e);
  ref.push(e);
}

// Takes the earliest event from both queues, checking they agree; returns its time.
SimTime take_both(CalendarQueue& q, Reference& ref, int step) {
  EXPECT_EQ(q.top().time, ref.top().time) << "at step " << step;
  EXPECT_EQ(q.top().sequence, ref.top().sequence) << "at step " << step;
  const SimTime time = ref.top().time;
  q.pop();
  ref.pop();
  return time;
}

// Pops both queues to the end and checks they agree event for event.
void expect_same_order(CalendarQueue& q, Reference& ref) {
  ASSERT_EQ(q.size(), ref.size());
  while (!ref.empty()) {
    ASSERT_FALSE(q.empty());
    const QueuedEvent& got = q.top();
    ASSERT_EQ(got.time, ref.top().time);
    ASSERT_EQ(got.sequence, ref.top().sequence);
    q.pop();
    ref.pop();
  }
  EXPECT_TRUE(q.empty());
}

TEST(CalendarQueue, TakesEqualTimesInSequenceOrder) {
  CalendarQueue q;
  for (std::uint64_t s = 0; s < 100; ++s) q.push(event(5 * kSecond, s));
  for (std::uint64_t s = 0; s < 100; ++s) {
    ASSERT_EQ(q.top().sequence, s);
    q.pop();
  }
  EXPECT_TRUE(q.empty());
}

TEST(CalendarQueue, MatchesAHeapOnAHoldModelWithExponentialDelays) {
  // The hold model: take the earliest, schedule one a random delay later. A million operations
  // over 100,000 pending events makes the queue rebuild to the rate it measures.
  CalendarQueue q;
  Reference ref;
  RandomStream rng(7, 0, 0);
  std::uint64_t sequence = 0;
  const auto delay = [&rng] { return static_cast<SimTime>(-std::log(rng.uniform_open0()) * 1e12); };
  for (int i = 0; i < 100'000; ++i) push_both(q, ref, delay(), sequence);
  for (int i = 0; i < 1'000'000; ++i) {
    const SimTime now = take_both(q, ref, i);
    if (HasFailure()) return;
    push_both(q, ref, now + delay(), sequence);
  }
  expect_same_order(q, ref);
}

TEST(CalendarQueue, MatchesAHeapWhenDelaysSpanNanosecondsToYears) {
  // Delays from 0 to about a year (2^55 ns), log-uniform: short ones land in the window being
  // taken, long ones beyond the horizon, and the queue jumps over long empty stretches.
  CalendarQueue q;
  Reference ref;
  RandomStream rng(11, 0, 0);
  std::uint64_t sequence = 0;
  SimTime now = 0;
  for (int i = 0; i < 300'000; ++i) {
    const int pushes = rng.uniform01() < 0.5 ? 1 : 2;  // the queue grows to about 150,000
    for (int k = 0; k < pushes; ++k) {
      const double d = std::exp(rng.uniform01() * 38.0) - 1.0;  // e^38 ns is about a year
      const SimTime delay = d >= 0x1p55 ? SimTime{1} << 55 : static_cast<SimTime>(d);
      push_both(q, ref, now + delay, sequence);
    }
    if (!ref.empty()) now = take_both(q, ref, i);
    if (HasFailure()) return;
  }
  expect_same_order(q, ref);
}

TEST(CalendarQueue, MatchesAHeapWhileSmallAndAfterGrowingPastTheHeapLimit) {
  // Below CalendarQueue's heap limit it is a heap; the queue grows through the limit, shrinks
  // back and grows again.
  CalendarQueue q;
  Reference ref;
  RandomStream rng(5, 0, 0);
  std::uint64_t sequence = 0;
  SimTime now = 0;
  for (int i = 0; i < 200'000; ++i) {
    const bool growing = (i / 20'000) % 2 == 0;
    const int pushes = growing ? (rng.uniform01() < 0.52 ? 2 : 0) : (rng.uniform01() < 0.48 ? 2 : 0);
    for (int k = 0; k < pushes; ++k) {
      push_both(q, ref, now + static_cast<SimTime>(rng.uniform01() * 1e9), sequence);
    }
    if (!ref.empty()) now = take_both(q, ref, i);
    if (HasFailure()) return;
  }
  expect_same_order(q, ref);
}

TEST(CalendarQueue, TakesEventsAtTheEndOfTime) {
  // kForever is the largest time: the queue's bounds saturate there and must still take it.
  for (const std::uint64_t n : {10U, 5000U}) {
    CalendarQueue q;
    Reference ref;
    std::uint64_t sequence = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      for (const SimTime t : {static_cast<SimTime>(i) * kSecond, kForever - static_cast<SimTime>(i), kForever}) {
        push_both(q, ref, t, sequence);
      }
    }
    expect_same_order(q, ref);
  }
}

TEST(CalendarQueue, TakesAnEventPushedEarlierThanTheWindowItMovedTo) {
  // Engine::run_until asks for the top to decide whether to stop, which can move the queue to a
  // later window; the engine's clock stays behind, and an event scheduled then is earlier.
  CalendarQueue q;
  for (std::uint64_t s = 0; s < 5000; ++s) q.push(event(static_cast<SimTime>(s) * kHour, s));
  for (int i = 0; i < 2500; ++i) q.pop(), static_cast<void>(q.top());
  const SimTime top = q.top().time;
  q.push(event(top - kMinute, 9'999'999));
  EXPECT_EQ(q.top().time, top - kMinute);
  q.pop();
  EXPECT_EQ(q.top().time, top);
}

TEST(CalendarQueue, RemoveIfKeepsTheRestInOrder) {
  CalendarQueue q;
  Reference ref;
  RandomStream rng(3, 0, 0);
  for (std::uint64_t s = 0; s < 50'000; ++s) {
    const QueuedEvent e = event(static_cast<SimTime>(rng.uniform01() * 1e13), s);
    q.push(e);
  }
  for (int i = 0; i < 10'000; ++i) q.pop(), static_cast<void>(q.top());
  q.remove_if([](const QueuedEvent& e) { return e.sequence % 3 == 0; });
  q.for_each([&ref](const QueuedEvent& e) { ref.push(e); });
  EXPECT_EQ(q.size(), ref.size());
  std::size_t left = 0;
  q.for_each([&left](const QueuedEvent& e) {
    EXPECT_NE(e.sequence % 3, 0U);
    ++left;
  });
  EXPECT_EQ(left, q.size());
  expect_same_order(q, ref);
}

TEST(CalendarQueue, RemoveIfAndForEachCoverEventsPushedSinceTheSpanBegan) {
  // Pushes beyond the current span wait in a staging batch until a span is entered or the batch
  // fills: a removal or a walk over the queue in between must see them.
  CalendarQueue q;
  Reference ref;
  RandomStream rng(5, 0, 0);
  std::uint64_t sequence = 0;
  for (int i = 0; i < 50'000; ++i) push_both(q, ref, static_cast<SimTime>(rng.uniform01() * 1e13), sequence);
  for (int i = 0; i < 10'000; ++i) take_both(q, ref, i);
  const SimTime now = q.top().time;
  // One span after the earliest event lies beyond the current span and, with two spans or more,
  // inside the horizon.
  ASSERT_GE(q.span_count(), 2U);
  const SimTime span = SimTime{1} << (q.window_shift() + CalendarQueue::kFineBits);
  for (int i = 0; i < 100; ++i) push_both(q, ref, now + span + i, sequence);
  std::size_t seen = 0;
  std::size_t seen_late = 0;
  q.for_each([&](const QueuedEvent& e) {
    ++seen;
    seen_late += e.sequence >= 50'000 ? 1 : 0;
  });
  EXPECT_EQ(seen, q.size());
  EXPECT_EQ(seen_late, 100U);

  const auto dead = [](const QueuedEvent& e) { return e.sequence % 2 == 0; };
  q.remove_if(dead);
  Reference kept;
  for (; !ref.empty(); ref.pop()) {
    if (!dead(ref.top())) kept.push(ref.top());
  }
  expect_same_order(q, kept);
}

TEST(CalendarQueue, AdaptsItsWindowToTheEventRate) {
  // One event a millisecond for a while, then one a minute: the window follows, so a window holds
  // about kTargetPerWindow events (within the rebuild's factor-of-four hysteresis and rounding).
  CalendarQueue q;
  std::uint64_t sequence = 0;
  SimTime now = 0;
  const auto run = [&](SimTime gap, int events) {
    for (int i = 0; i < 20'000; ++i) q.push(event(now + gap * (i + 1), sequence++));
    for (int i = 0; i < events; ++i) {
      now = q.top().time;
      q.pop();
      q.push(event(now + gap * 20'000, sequence++));
    }
    while (!q.empty()) q.pop();
  };
  run(kMillisecond, 200'000);
  const double fast = std::ldexp(1.0, q.window_shift());
  run(kMinute, 200'000);
  const double slow = std::ldexp(1.0, q.window_shift());
  const double target = static_cast<double>(CalendarQueue::kTargetPerWindow);
  EXPECT_GT(fast, target * kMillisecond / 8);
  EXPECT_LT(fast, target * kMillisecond * 8);
  EXPECT_GT(slow, target * kMinute / 8);
  EXPECT_LT(slow, target * kMinute * 8);
}

TEST(CalendarQueue, ReshapesAWindowThatTheFirstEventsMadeFarTooWide) {
  // The first events scheduled can be sparse (a timeline an hour apart) while the run's own come
  // a millisecond apart: the queue then shapes a window of many minutes, and every event pushed into it
  // waits in the near heap. Once that heap holds a fair part of the queue, the queue reshapes
  // itself to the events it holds, until a window holds a small share of them (the rest of the
  // way to kTargetPerWindow is the measured rate's, once events are taken).
  CalendarQueue q;
  Reference ref;
  std::uint64_t sequence = 0;
  for (int i = 1; i <= 256; ++i) push_both(q, ref, i * kHour, sequence);
  const int wide = q.window_shift();
  EXPECT_GT(std::ldexp(1.0, wide), static_cast<double>(10 * kMinute));
  RandomStream rng(11, 0, 0);
  for (int i = 0; i < 100'000; ++i) {
    push_both(q, ref, static_cast<SimTime>(rng.uniform01() * 100.0 * kSecond) + 1, sequence);
  }
  const double target = static_cast<double>(CalendarQueue::kTargetPerWindow) * kMillisecond;
  EXPECT_LT(std::ldexp(1.0, q.window_shift()), 100.0 * kSecond / 32);  // under 1/32 of the events
  EXPECT_GT(std::ldexp(1.0, q.window_shift()), target / 8);
  expect_same_order(q, ref);
}

TEST(CalendarQueue, ShowsTheEventsToComeAcrossWindowBoundariesForPrefetching) {
  // The engine prefetches what the event k places on will touch (Engine::run_until): ahead(k)
  // must see past the end of the window being taken, or the first events of every window run
  // cold. With nothing pushed while taking, ahead(k) is exactly the event taken k takes later,
  // and it is null only when k or fewer events are left.
  // A hold model first, so that the queue has shaped itself to the event rate and the near heap
  // holds no more than the few events pushed into the window being taken; then only takes.
  CalendarQueue q;
  RandomStream rng(5, 0, 0);
  constexpr int kEvents = 50'000;
  const auto delay = [&rng] { return static_cast<SimTime>(-std::log(rng.uniform_open0()) * 1e12); };
  std::uint64_t sequence = 0;
  for (; sequence < kEvents; ++sequence) q.push(event(delay(), sequence));
  for (int i = 0; i < 200'000; ++i) {
    const SimTime now = q.top().time;
    q.pop();
    q.push(event(now + delay(), sequence++));
  }
  constexpr std::size_t kFar = CalendarQueue::kLookAhead - 1;
  std::vector<std::uint64_t> taken;
  std::vector<std::uint64_t> seen_ahead;  // after each take, the sequence ahead(kFar) showed, or none
  constexpr std::uint64_t kNone = UINT64_MAX;
  std::size_t windows_seen = 0;
  SimTime last_window = -1;
  while (!q.empty()) {
    taken.push_back(q.top().sequence);
    q.pop();
    const QueuedEvent* next = q.ahead(kFar);
    seen_ahead.push_back(next != nullptr ? next->sequence : kNone);
    if (!q.empty()) {
      const SimTime window = q.top().time >> q.window_shift();
      if (window != last_window) ++windows_seen;
      last_window = window;
    }
  }
  ASSERT_EQ(taken.size(), static_cast<std::size_t>(kEvents));
  EXPECT_GT(windows_seen, 100U);  // the test crosses many window boundaries
  // The first window's events can sit in the near heap (pushed after it was sorted), which
  // ahead() does not show; once it is drained, the prediction is exact.
  std::size_t checked = 0;
  for (std::size_t i = 1'000; i < taken.size(); ++i) {
    const std::size_t left = taken.size() - 1 - i;
    if (left > kFar) {
      ASSERT_EQ(seen_ahead[i], taken[i + 1 + kFar]) << "after take " << i;
      ++checked;
    } else {
      ASSERT_EQ(seen_ahead[i], kNone) << "after take " << i;
    }
  }
  EXPECT_GT(checked, 40'000U);
}

}  // namespace
}  // namespace misim
