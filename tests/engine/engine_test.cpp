// Tests of include/misim/engine.hpp: event order, cancellation, running to an end time, stopping,
// counters, the lifetime of event callables, and a large random schedule against a reference.
#include "misim/engine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <type_traits>
#include <utility>
#include <vector>

#include "misim/random.hpp"

namespace misim {
namespace {

using ::testing::ElementsAre;

TEST(Engine, StartsAtTimeZeroWithNothingPending) {
  Engine engine;
  EXPECT_EQ(engine.now(), 0);
  EXPECT_EQ(engine.pending_events(), 0U);
  EXPECT_EQ(engine.executed_events(), 0U);
  EXPECT_EQ(engine.run(), RunOutcome::kDrained);
  EXPECT_EQ(engine.now(), 0);
}

TEST(Engine, RunsEventsInTimeOrder) {
  Engine engine;
  std::vector<int> order;
  engine.schedule_at(30, [&] { order.push_back(3); });
  engine.schedule_at(10, [&] { order.push_back(1); });
  engine.schedule_at(20, [&] { order.push_back(2); });
  EXPECT_EQ(engine.run(), RunOutcome::kDrained);
  EXPECT_THAT(order, ElementsAre(1, 2, 3));
  EXPECT_EQ(engine.now(), 30);
}

TEST(Engine, RunsEventsAtEqualTimesInSchedulingOrder) {
  Engine engine;
  std::vector<int> order;
  for (int i = 0; i < 100; ++i) engine.schedule_at(5, [&order, i] { order.push_back(i); });
  engine.run();
  ASSERT_EQ(order.size(), 100U);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
}

TEST(Engine, SeesTheEventTimeAsNowInsideAnAction) {
  Engine engine;
  std::vector<SimTime> seen;
  for (const SimTime t : {7 * kSecond, 3 * kMillisecond, 3 * kMillisecond, kDay}) {
    engine.schedule_at(t, [&] { seen.push_back(engine.now()); });
  }
  engine.run();
  EXPECT_THAT(seen, ElementsAre(3 * kMillisecond, 3 * kMillisecond, 7 * kSecond, kDay));
}

TEST(Engine, ScheduleAfterIsRelativeToNow) {
  Engine engine;
  SimTime fired = -1;
  engine.schedule_at(100, [&] { engine.schedule_after(50, [&] { fired = engine.now(); }); });
  engine.run();
  EXPECT_EQ(fired, 150);
}

TEST(Engine, RunsAnEventScheduledForNowFromInsideAnActionAfterThoseAlreadyScheduledForNow) {
  Engine engine;
  std::vector<int> order;
  engine.schedule_at(10, [&] {
    order.push_back(1);
    engine.schedule_after(0, [&] { order.push_back(4); });
    engine.schedule_at(10, [&] { order.push_back(5); });
  });
  engine.schedule_at(10, [&] { order.push_back(2); });
  engine.schedule_at(10, [&] {
    order.push_back(3);
    engine.schedule_at(10, [&] { order.push_back(6); });
  });
  engine.schedule_at(11, [&] { order.push_back(7); });
  engine.run();
  EXPECT_THAT(order, ElementsAre(1, 2, 3, 4, 5, 6, 7));
}

TEST(Engine, RunsAChainOfZeroDelayEventsWithoutAdvancingTime) {
  struct Chain {
    Engine engine;
    int remaining = 10'000;
    void step() {
      if (--remaining > 0) engine.schedule_after(0, [this] { step(); });
    }
  } chain;
  chain.engine.schedule_at(42, [&chain] { chain.step(); });
  chain.engine.run();
  EXPECT_EQ(chain.remaining, 0);
  EXPECT_EQ(chain.engine.now(), 42);
  EXPECT_EQ(chain.engine.executed_events(), 10'000U);
}

TEST(Engine, HandlesAreValidAndDistinct) {
  Engine engine;
  const EventHandle none;
  EXPECT_FALSE(none.valid());
  const EventHandle a = engine.schedule_at(1, [] {});
  const EventHandle b = engine.schedule_at(1, [] {});
  EXPECT_TRUE(a.valid());
  EXPECT_TRUE(b.valid());
  EXPECT_NE(a, b);
  EXPECT_EQ(a, a);
}

TEST(Engine, CancelledEventNeverRuns) {
  Engine engine;
  std::vector<int> order;
  engine.schedule_at(1, [&] { order.push_back(1); });
  const EventHandle h = engine.schedule_at(2, [&] { order.push_back(2); });
  engine.schedule_at(3, [&] { order.push_back(3); });
  EXPECT_TRUE(engine.is_pending(h));
  EXPECT_TRUE(engine.cancel(h));
  EXPECT_FALSE(engine.is_pending(h));
  EXPECT_EQ(engine.pending_events(), 2U);
  engine.run();
  EXPECT_THAT(order, ElementsAre(1, 3));
  EXPECT_EQ(engine.executed_events(), 2U);
}

TEST(Engine, CancelReturnsFalseForAnEventThatAlreadyRan) {
  Engine engine;
  int runs = 0;
  const EventHandle h = engine.schedule_at(1, [&] { ++runs; });
  engine.run();
  EXPECT_EQ(runs, 1);
  EXPECT_FALSE(engine.is_pending(h));
  EXPECT_FALSE(engine.cancel(h));
  EXPECT_EQ(engine.pending_events(), 0U);
}

TEST(Engine, CancellingTwiceReturnsFalseTheSecondTime) {
  Engine engine;
  const EventHandle h = engine.schedule_at(1, [] {});
  EXPECT_TRUE(engine.cancel(h));
  EXPECT_FALSE(engine.cancel(h));
  EXPECT_EQ(engine.pending_events(), 0U);
  EXPECT_EQ(engine.run(), RunOutcome::kDrained);
  EXPECT_EQ(engine.executed_events(), 0U);
}

TEST(Engine, CancelOfADefaultHandleIsANoOp) {
  Engine engine;
  engine.schedule_at(1, [] {});
  EXPECT_FALSE(engine.cancel(EventHandle{}));
  EXPECT_FALSE(engine.is_pending(EventHandle{}));
  EXPECT_EQ(engine.pending_events(), 1U);
}

TEST(Engine, AStaleHandleDoesNotCancelTheEventThatReusedItsSlot) {
  Engine engine;
  int runs = 0;
  const EventHandle old = engine.schedule_at(5, [] {});
  ASSERT_TRUE(engine.cancel(old));
  // The freed slot is reused by the next event; the old handle must not reach it.
  const EventHandle fresh = engine.schedule_at(5, [&] { ++runs; });
  EXPECT_FALSE(engine.is_pending(old));
  EXPECT_FALSE(engine.cancel(old));
  EXPECT_TRUE(engine.is_pending(fresh));
  engine.run();
  EXPECT_EQ(runs, 1);
}

TEST(Engine, AnEventIsNotPendingWhileItRunsAndCannotCancelItself) {
  Engine engine;
  EventHandle self;
  bool pending_inside = true;
  bool cancelled_inside = true;
  int runs = 0;
  self = engine.schedule_at(1, [&] {
    ++runs;
    pending_inside = engine.is_pending(self);
    cancelled_inside = engine.cancel(self);
  });
  EXPECT_EQ(engine.run(), RunOutcome::kDrained);
  EXPECT_EQ(runs, 1);
  EXPECT_FALSE(pending_inside);
  EXPECT_FALSE(cancelled_inside);
  EXPECT_EQ(engine.pending_events(), 0U);
  EXPECT_EQ(engine.executed_events(), 1U);
}

TEST(Engine, AnActionCanCancelAnotherPendingEvent) {
  Engine engine;
  std::vector<int> order;
  EventHandle victim;
  bool cancelled = false;
  engine.schedule_at(1, [&] {
    order.push_back(1);
    cancelled = engine.cancel(victim);
  });
  victim = engine.schedule_at(1, [&] { order.push_back(2); });  // same time, after the canceller
  engine.schedule_at(2, [&] { order.push_back(3); });
  engine.run();
  EXPECT_TRUE(cancelled);
  EXPECT_THAT(order, ElementsAre(1, 3));
}

TEST(Engine, AnActionCanCancelAnEventItScheduledAndReuseTheSlot) {
  Engine engine;
  std::vector<int> order;
  engine.schedule_at(1, [&] {
    const EventHandle h = engine.schedule_after(5, [&] { order.push_back(99); });
    EXPECT_TRUE(engine.cancel(h));
    engine.schedule_after(5, [&] { order.push_back(2); });
    order.push_back(1);
  });
  engine.run();
  EXPECT_THAT(order, ElementsAre(1, 2));
  EXPECT_EQ(engine.now(), 6);
}

TEST(Engine, RunUntilRunsEventsAtTheEndTimeAndLeavesLaterOnesPending) {
  Engine engine;
  std::vector<SimTime> ran;
  for (const SimTime t : {5, 10, 10, 11, 20}) engine.schedule_at(t, [&] { ran.push_back(engine.now()); });
  EXPECT_EQ(engine.run_until(10), RunOutcome::kReachedEnd);
  EXPECT_THAT(ran, ElementsAre(5, 10, 10));
  EXPECT_EQ(engine.now(), 10);
  EXPECT_EQ(engine.pending_events(), 2U);
  EXPECT_EQ(engine.executed_events(), 3U);
}

TEST(Engine, RunUntilAdvancesNowToTheEndEvenWithoutEvents) {
  Engine engine;
  engine.schedule_at(3, [] {});
  engine.schedule_at(kHour + 1, [] {});
  EXPECT_EQ(engine.run_until(kHour), RunOutcome::kReachedEnd);
  EXPECT_EQ(engine.now(), kHour);
  EXPECT_EQ(engine.pending_events(), 1U);

  Engine empty;
  empty.run_until(2 * kSecond);
  EXPECT_EQ(empty.now(), 2 * kSecond);
}

TEST(Engine, RunUntilCanBeCalledRepeatedlyToStepThroughTime) {
  Engine engine;
  std::vector<SimTime> ran;
  for (SimTime t = 1; t <= 10; ++t) engine.schedule_at(t * kSecond, [&] { ran.push_back(engine.now()); });
  for (SimTime step = 2; step <= 10; step += 2) {
    engine.run_until(step * kSecond);
    EXPECT_EQ(engine.now(), step * kSecond);
    EXPECT_EQ(ran.size(), static_cast<std::size_t>(step));
  }
  // Events scheduled after a run_until are relative to its end time.
  SimTime fired = 0;
  engine.schedule_after(kSecond, [&] { fired = engine.now(); });
  engine.run();
  EXPECT_EQ(fired, 11 * kSecond);
}

TEST(Engine, RunUntilRunsEventsScheduledForTheEndTimeFromInsideAnAction) {
  Engine engine;
  int runs = 0;
  engine.schedule_at(10, [&] {
    ++runs;
    engine.schedule_after(0, [&] { ++runs; });
    engine.schedule_after(1, [&] { ++runs; });
  });
  engine.run_until(10);
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(engine.pending_events(), 1U);
}

TEST(Engine, RunDrainsEveryEvent) {
  Engine engine;
  int runs = 0;
  for (int i = 0; i < 1000; ++i) engine.schedule_at((i * 7919) % 1000 * kMillisecond, [&] { ++runs; });
  EXPECT_EQ(engine.run(), RunOutcome::kDrained);
  EXPECT_EQ(runs, 1000);
  EXPECT_EQ(engine.pending_events(), 0U);
  EXPECT_EQ(engine.now(), 999 * kMillisecond);  // run() leaves now() at the last event
}

TEST(Engine, StopFromInsideAnActionReturnsAfterThatEvent) {
  Engine engine;
  std::vector<int> order;
  engine.schedule_at(1, [&] { order.push_back(1); });
  engine.schedule_at(2, [&] {
    order.push_back(2);
    engine.stop();
    order.push_back(3);  // the action itself finishes
  });
  engine.schedule_at(2, [&] { order.push_back(4); });
  engine.schedule_at(3, [&] { order.push_back(5); });
  EXPECT_EQ(engine.run_until(100), RunOutcome::kStopped);
  EXPECT_THAT(order, ElementsAre(1, 2, 3));
  EXPECT_EQ(engine.now(), 2);  // not advanced to the end time
  EXPECT_EQ(engine.pending_events(), 2U);
  // A later run carries on where the stopped one left off.
  EXPECT_EQ(engine.run(), RunOutcome::kDrained);
  EXPECT_THAT(order, ElementsAre(1, 2, 3, 4, 5));
}

TEST(Engine, StopBeforeRunDoesNotPreventTheNextRun) {
  Engine engine;
  int runs = 0;
  engine.schedule_at(1, [&] { ++runs; });
  engine.stop();
  EXPECT_EQ(engine.run(), RunOutcome::kDrained);
  EXPECT_EQ(runs, 1);
}

TEST(Engine, CountsExecutedAndPendingEvents) {
  Engine engine;
  std::vector<EventHandle> handles;
  for (int i = 0; i < 10; ++i) handles.push_back(engine.schedule_at(i, [] {}));
  EXPECT_EQ(engine.pending_events(), 10U);
  engine.cancel(handles[3]);
  engine.cancel(handles[7]);
  EXPECT_EQ(engine.pending_events(), 8U);
  engine.run_until(4);  // runs 0, 1, 2, 4
  EXPECT_EQ(engine.executed_events(), 4U);
  EXPECT_EQ(engine.pending_events(), 4U);
  engine.run();
  EXPECT_EQ(engine.executed_events(), 8U);
  EXPECT_EQ(engine.pending_events(), 0U);
}

// Posted events (Engine::post_at): a handler and an argument, no slot and no handle.
struct PostLog {
  Engine* engine = nullptr;
  std::vector<std::pair<SimTime, std::uint32_t>> seen;  // (now, argument)
  static void handle(void* self, std::uint32_t argument) {
    auto* log = static_cast<PostLog*>(self);
    log->seen.emplace_back(log->engine->now(), argument);
  }
};

TEST(EnginePost, RunsPostedEventsInTimeOrderWithTheirArguments) {
  Engine engine;
  PostLog log{&engine, {}};
  const std::uint32_t h = engine.add_handler(&PostLog::handle, &log);
  engine.post_at(30, h, 3);
  engine.post_at(10, h, 1);
  engine.post_at(20, h, 2);
  EXPECT_EQ(engine.pending_events(), 3U);
  EXPECT_EQ(engine.run(), RunOutcome::kDrained);
  EXPECT_THAT(log.seen, ElementsAre(std::pair<SimTime, std::uint32_t>{10, 1}, std::pair<SimTime, std::uint32_t>{20, 2},
                                    std::pair<SimTime, std::uint32_t>{30, 3}));
  EXPECT_EQ(engine.executed_events(), 3U);
  EXPECT_EQ(engine.pending_events(), 0U);
}

TEST(EnginePost, OrdersPostedAndScheduledEventsAtEqualTimesAsTheyWereIssued) {
  Engine engine;
  std::vector<int> order;
  struct Ctx {
    std::vector<int>* order;
  } ctx{&order};
  const std::uint32_t h = engine.add_handler(
      [](void* c, std::uint32_t argument) { static_cast<Ctx*>(c)->order->push_back(static_cast<int>(argument)); },
      &ctx);
  for (int i = 0; i < 50; ++i) {
    if (i % 3 == 0) {
      engine.post_at(5, h, static_cast<std::uint32_t>(i));
    } else {
      engine.schedule_at(5, [&order, i] { order.push_back(i); });
    }
  }
  engine.run();
  ASSERT_EQ(order.size(), 50U);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
}

TEST(EnginePost, SelectsEachEventsOwnHandler) {
  Engine engine;
  PostLog first{&engine, {}};
  PostLog second{&engine, {}};
  const std::uint32_t a = engine.add_handler(&PostLog::handle, &first);
  const std::uint32_t b = engine.add_handler(&PostLog::handle, &second);
  EXPECT_NE(a, b);
  engine.post_at(1, b, 7);
  engine.post_at(2, a, 8);
  engine.run();
  EXPECT_THAT(first.seen, ElementsAre(std::pair<SimTime, std::uint32_t>{2, 8}));
  EXPECT_THAT(second.seen, ElementsAre(std::pair<SimTime, std::uint32_t>{1, 7}));
}

TEST(EnginePost, StopFromInsideAPostedEventReturnsAfterIt) {
  Engine engine;
  struct Ctx {
    Engine* engine;
    int runs = 0;
  } ctx{&engine};
  const std::uint32_t h = engine.add_handler(
      [](void* c, std::uint32_t) {
        auto* x = static_cast<Ctx*>(c);
        ++x->runs;
        x->engine->stop();
      },
      &ctx);
  engine.post_at(1, h, 0);
  engine.post_at(2, h, 0);
  EXPECT_EQ(engine.run(), RunOutcome::kStopped);
  EXPECT_EQ(ctx.runs, 1);
  EXPECT_EQ(engine.now(), 1);
  EXPECT_EQ(engine.pending_events(), 1U);
}

TEST(EnginePost, PostedEventsSurviveThePurgeOfCancelledOnes) {
  // Once cancelled events far outnumber live ones the engine drops their dead queue entries at
  // once; the posted events, which have no slot to tell them dead, must all stay and run.
  Engine engine;
  PostLog log{&engine, {}};
  const std::uint32_t h = engine.add_handler(&PostLog::handle, &log);
  constexpr std::uint32_t kPosted = 1000;
  constexpr std::uint32_t kCancelled = 5000;  // > 2 * kPosted + the purge's minimum: a purge runs
  for (std::uint32_t i = 0; i < kPosted; ++i) engine.post_at(100 + i, h, i);
  std::vector<EventHandle> handles;
  for (std::uint32_t i = 0; i < kCancelled; ++i) {
    handles.push_back(engine.schedule_at(50 + i, [] { ADD_FAILURE() << "a cancelled event ran"; }));
  }
  for (const EventHandle handle : handles) EXPECT_TRUE(engine.cancel(handle));
  EXPECT_EQ(engine.pending_events(), kPosted);
  engine.run();
  ASSERT_EQ(log.seen.size(), kPosted);
  for (std::uint32_t i = 0; i < kPosted; ++i) {
    EXPECT_EQ(log.seen[i].first, 100 + static_cast<SimTime>(i));
    EXPECT_EQ(log.seen[i].second, i);
  }
}

TEST(Engine, ReserveDoesNotChangeBehaviour) {
  Engine engine;
  engine.reserve(100'000);
  std::vector<int> order;
  engine.schedule_at(2, [&] { order.push_back(2); });
  engine.schedule_at(1, [&] { order.push_back(1); });
  engine.run();
  EXPECT_THAT(order, ElementsAre(1, 2));
}

TEST(Engine, KeepsCallableStateAcrossTheCall) {
  Engine engine;
  std::vector<int> seen;
  engine.schedule_at(1, [&seen, n = 0]() mutable {
    ++n;
    seen.push_back(n);
  });
  engine.run();
  EXPECT_THAT(seen, ElementsAre(1));
}

TEST(Engine, AcceptsCallablesUpToTheActionCapacity) {
  Engine engine;
  struct Big {
    std::int64_t* out;
    std::int64_t values[(Engine::kActionCapacity - sizeof(std::int64_t*)) / sizeof(std::int64_t)];
    void operator()() const {
      for (const std::int64_t v : values) *out += v;
    }
  };
  static_assert(sizeof(Big) == Engine::kActionCapacity);
  std::int64_t total = 0;
  Big big{&total, {}};
  for (std::int64_t& v : big.values) v = 3;
  engine.schedule_at(1, big);
  engine.run();
  EXPECT_EQ(total, 3 * static_cast<std::int64_t>(std::size(big.values)));
}

TEST(EngineDeathTest, SchedulingInThePastIsAnAssertionInDebugAndClampedToNowInRelease) {
  Engine engine;
  engine.run_until(100);
  SimTime fired = -1;
  EXPECT_DEBUG_DEATH(engine.schedule_at(50, [&] { fired = engine.now(); }), "past");
#ifdef NDEBUG
  engine.run();
  EXPECT_EQ(fired, 100);
#endif
}

// --- Lifetime of the callables ----------------------------------------------------------------

/// A callable that records its own destruction by id; moved-from shells do not count.
class Tracked {
 public:
  Tracked(std::vector<int>* destroyed, int id, int* live) : destroyed_(destroyed), id_(id), live_(live) { ++*live_; }
  Tracked(Tracked&& other) noexcept : destroyed_(other.destroyed_), id_(other.id_), live_(other.live_) {
    other.destroyed_ = nullptr;
    ++*live_;
  }
  Tracked(const Tracked&) = delete;
  Tracked& operator=(const Tracked&) = delete;
  Tracked& operator=(Tracked&&) = delete;
  ~Tracked() {
    --*live_;
    if (destroyed_ != nullptr) ++(*destroyed_)[static_cast<std::size_t>(id_)];
  }
  void operator()() const {}

 private:
  std::vector<int>* destroyed_;
  int id_;
  int* live_;
};
static_assert(!std::is_trivially_destructible_v<Tracked>);

TEST(EngineLifetime, DestroysAnActionOnceRightAfterItRuns) {
  std::vector<int> destroyed(2, 0);
  int live = 0;
  Engine engine;
  engine.schedule_at(1, Tracked(&destroyed, 0, &live));
  engine.schedule_at(2, [&] { EXPECT_EQ(destroyed[0], 1) << "the first action is gone before the next runs"; });
  EXPECT_EQ(destroyed[0], 0);
  EXPECT_EQ(live, 1);
  engine.run();
  EXPECT_EQ(destroyed[0], 1);
  EXPECT_EQ(live, 0);
}

TEST(EngineLifetime, DestroysACancelledActionOnceAtCancelTime) {
  std::vector<int> destroyed(1, 0);
  int live = 0;
  Engine engine;
  const EventHandle h = engine.schedule_at(1, Tracked(&destroyed, 0, &live));
  engine.cancel(h);
  EXPECT_EQ(destroyed[0], 1);
  EXPECT_EQ(live, 0);
  engine.cancel(h);
  engine.run();
  EXPECT_EQ(destroyed[0], 1);
}

TEST(EngineLifetime, DestroysPendingActionsOnceWhenTheEngineDies) {
  constexpr int kEvents = 10'000;  // more than one chunk of slots
  std::vector<int> destroyed(kEvents, 0);
  int live = 0;
  {
    Engine engine;
    std::vector<EventHandle> handles;
    for (int i = 0; i < kEvents; ++i) handles.push_back(engine.schedule_at(i % 97, Tracked(&destroyed, i, &live)));
    for (int i = 0; i < kEvents; i += 3) engine.cancel(handles[static_cast<std::size_t>(i)]);  // dead heap entries
    engine.run_until(40);  // some ran, the rest stay pending
    EXPECT_GT(engine.pending_events(), 0U);
    EXPECT_GT(engine.executed_events(), 0U);
  }
  EXPECT_EQ(live, 0);
  for (int i = 0; i < kEvents; ++i) ASSERT_EQ(destroyed[static_cast<std::size_t>(i)], 1) << "event " << i;
}

TEST(EngineLifetime, DestroysEveryActionExactlyOnceWhenActionsScheduleAndCancelOthers) {
  constexpr int kEvents = 5'000;
  std::vector<int> destroyed(kEvents, 0);
  int live = 0;
  int created = 0;
  struct Run {
    Run(std::vector<int>* d, int* l, int* c) : destroyed(d), live(l), created(c) {}
    std::vector<int>* destroyed;
    int* live;
    int* created;
    std::vector<EventHandle> handles = std::vector<EventHandle>(kEvents);
    RandomStream rng{1, 2, purpose("test.lifetime")};
    Engine engine;  // declared last: dies first, while the counters above are alive
    void add(SimTime delay) {
      handles[static_cast<std::size_t>(*created)] = engine.schedule_after(delay, Tracked(destroyed, *created, live));
      ++*created;
    }
  };
  {
    Run run(&destroyed, &live, &created);
    while (created < kEvents / 2) run.add(static_cast<SimTime>(run.rng.below(1000)));
    for (int i = 0; i < 200; ++i) {
      run.engine.schedule_at(static_cast<SimTime>(run.rng.below(1000)), [r = &run] {
        for (int k = 0; k < 10 && *r->created < kEvents; ++k) r->add(static_cast<SimTime>(r->rng.below(1000)));
        r->engine.cancel(r->handles[r->rng.below(static_cast<std::uint64_t>(*r->created))]);
      });
    }
    run.engine.run_until(900);
    // Nothing destroyed twice so far, and exactly the pending actions are alive.
    for (int i = 0; i < created; ++i) ASSERT_LE(destroyed[static_cast<std::size_t>(i)], 1) << "event " << i;
    EXPECT_GT(run.engine.pending_events(), 0U);
    int pending_tracked = 0;
    for (int i = 0; i < created; ++i)
      pending_tracked += run.engine.is_pending(run.handles[static_cast<std::size_t>(i)]);
    EXPECT_GT(pending_tracked, 0);
    EXPECT_EQ(live, pending_tracked);
  }
  EXPECT_GT(created, kEvents / 2);
  EXPECT_EQ(live, 0);
  for (int i = 0; i < created; ++i) ASSERT_EQ(destroyed[static_cast<std::size_t>(i)], 1) << "event " << i;
}

TEST(EngineLifetime, LeavesNoActionAliveAfterAMixedRun) {
  constexpr int kEvents = 5'000;
  std::vector<int> destroyed(kEvents, 0);
  int live = 0;
  int created = 0;
  {
    Engine engine;
    std::vector<EventHandle> handles(kEvents);
    RandomStream rng(3, 4, purpose("test.lifetime"));
    for (; created < kEvents; ++created) {
      handles[static_cast<std::size_t>(created)] =
          engine.schedule_after(static_cast<SimTime>(rng.below(1000)), Tracked(&destroyed, created, &live));
      if (rng.below(4) == 0) engine.cancel(handles[rng.below(static_cast<std::uint64_t>(created) + 1)]);
      if (created % 500 == 499) engine.run_until(engine.now() + 50);
    }
  }
  EXPECT_EQ(live, 0);
  for (int i = 0; i < created; ++i) ASSERT_EQ(destroyed[static_cast<std::size_t>(i)], 1) << "event " << i;
}

// --- A large random schedule against a reference ----------------------------------------------

// Each event, identified by the order of its creation, decides from its own random stream how many
// events to schedule (some at the current time) and which earlier event to try to cancel. The same
// decisions are replayed on a reference scheduler, a std::multimap keyed by time, which keeps equal
// keys in insertion order: the two must run the same events in the same order.
class RandomSchedule {
 public:
  static constexpr std::uint64_t kSeed = 20240601;
  static constexpr int kInitial = 2'000;
  static constexpr int kLimit = 200'000;

  struct Decision {
    std::vector<SimTime> children;  // delays
    std::int64_t cancel = -1;       // id to cancel, or -1
  };

  /// What event `id` does when it runs (with `created` events created so far).
  static Decision decide(int id, int created) {
    RandomStream r(kSeed, static_cast<std::uint64_t>(id), purpose("test.schedule"));
    Decision d;
    if (created < kLimit) {
      const std::uint64_t children = r.below(4);  // 0 to 3: the population grows until kLimit
      for (std::uint64_t i = 0; i < children; ++i) d.children.push_back(static_cast<SimTime>(r.below(4)) * 10);
    }
    if (r.below(5) == 0) d.cancel = static_cast<std::int64_t>(r.below(static_cast<std::uint64_t>(created)));
    return d;
  }

  static SimTime initial_time(int id) {
    RandomStream r(kSeed, static_cast<std::uint64_t>(id), purpose("test.schedule.initial"));
    return static_cast<SimTime>(r.below(100)) * 10;  // many ties
  }
};

struct ScheduleTrace {
  std::vector<int> order;
  std::vector<SimTime> times;
  std::vector<bool> cancel_results;
};

ScheduleTrace run_on_engine() {
  struct State {
    Engine engine;
    std::vector<EventHandle> handles;
    ScheduleTrace trace;
    void schedule(SimTime delay) {
      const int id = static_cast<int>(handles.size());
      handles.push_back(engine.schedule_after(delay, [this, id] { on_event(id); }));
    }
    void on_event(int id) {
      trace.order.push_back(id);
      trace.times.push_back(engine.now());
      const RandomSchedule::Decision d = RandomSchedule::decide(id, static_cast<int>(handles.size()));
      for (const SimTime delay : d.children) schedule(delay);
      if (d.cancel >= 0) trace.cancel_results.push_back(engine.cancel(handles[static_cast<std::size_t>(d.cancel)]));
    }
  };
  State s;
  for (int id = 0; id < RandomSchedule::kInitial; ++id) s.schedule(RandomSchedule::initial_time(id));
  EXPECT_EQ(s.engine.run(), RunOutcome::kDrained);
  EXPECT_EQ(s.engine.executed_events(), s.trace.order.size());
  return std::move(s.trace);
}

ScheduleTrace run_on_reference() {
  using Queue = std::multimap<SimTime, int>;
  Queue queue;
  std::vector<Queue::iterator> where;
  std::vector<bool> pending;
  ScheduleTrace trace;
  SimTime now = 0;
  const auto schedule = [&](SimTime delay) {
    where.push_back(queue.emplace(now + delay, static_cast<int>(where.size())));
    pending.push_back(true);
  };
  for (int id = 0; id < RandomSchedule::kInitial; ++id) schedule(RandomSchedule::initial_time(id));
  while (!queue.empty()) {
    const auto top = queue.begin();
    now = top->first;
    const int id = top->second;
    queue.erase(top);
    pending[static_cast<std::size_t>(id)] = false;
    trace.order.push_back(id);
    trace.times.push_back(now);
    const RandomSchedule::Decision d = RandomSchedule::decide(id, static_cast<int>(where.size()));
    for (const SimTime delay : d.children) schedule(delay);
    if (d.cancel >= 0) {
      const auto victim = static_cast<std::size_t>(d.cancel);
      trace.cancel_results.push_back(pending[victim]);
      if (pending[victim]) {
        queue.erase(where[victim]);
        pending[victim] = false;
      }
    }
  }
  return trace;
}

TEST(Engine, MatchesAReferenceSchedulerOnALargeRandomSchedule) {
  const ScheduleTrace expected = run_on_reference();
  const ScheduleTrace actual = run_on_engine();
  ASSERT_GT(expected.order.size(), 100'000U) << "the schedule should be large";
  // Sanity of the workload: some cancellations succeeded, some found nothing to cancel.
  const auto hits = std::count(expected.cancel_results.begin(), expected.cancel_results.end(), true);
  EXPECT_GT(hits, 1000);
  EXPECT_LT(hits, static_cast<std::ptrdiff_t>(expected.cancel_results.size()));
  ASSERT_EQ(actual.order.size(), expected.order.size());
  for (std::size_t i = 0; i < expected.order.size(); ++i) {
    ASSERT_EQ(actual.order[i], expected.order[i]) << "at position " << i;
    ASSERT_EQ(actual.times[i], expected.times[i]) << "at position " << i;
  }
  EXPECT_EQ(actual.cancel_results, expected.cancel_results);
}

}  // namespace
}  // namespace misim
