// Scheduling allocates nothing in steady state (include/misim/engine.hpp, docs/style.md: "Hot
// paths allocate nothing per event").
//
// This executable links misim_allocation_counter (tools/testing), which replaces the global
// operator new and delete with versions that count, so it runs in a process of its own. The counting is always on; each
// test reads the counter around the code under test, after the engine has grown its storage to the run's peak.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "allocation_counter.hpp"
#include "misim/engine.hpp"
#include "misim/inplace_function.hpp"
#include "misim/random.hpp"

namespace misim {
namespace {

std::uint64_t allocations() { return counting::allocation_count().allocations; }

TEST(AllocationCounter, CountsAllocations) {
  // Guards the test itself: if the replacement were not linked in, every check below would pass.
  // The pointer escapes through a volatile, so clang may not elide the new/delete pair.
  static int* volatile escaped = nullptr;
  const std::uint64_t before = allocations();
  escaped = new int(5);
  const std::uint64_t after = allocations();
  delete escaped;
  EXPECT_EQ(after - before, 1U);
}

/// A model that keeps `population` events pending: each event, when it runs, schedules one more
/// at a random delay (some at the current time), so the pending set cycles through every slot and
/// the heap keeps its size while time moves on.
class SteadyModel {
 public:
  SteadyModel(Engine& engine, int population) : engine_(engine) {
    for (int i = 0; i < population; ++i) schedule(static_cast<std::uint64_t>(i));
  }
  std::uint64_t fired() const { return fired_; }

 private:
  void schedule(std::uint64_t id) {
    const auto delay = static_cast<SimTime>(rng_.below(4) == 0 ? 0 : rng_.below(1'000'000));
    engine_.schedule_after(delay, [this, id, padding = std::uint64_t{0}] {
      ++fired_;
      fired_ += padding;
      schedule(id);
    });
  }

  Engine& engine_;
  RandomStream rng_{99, 0, purpose("test.no_allocation")};
  std::uint64_t fired_ = 0;
};

/// Allocations while the engine runs at least `events` more events, in steps of 1 ms.
std::uint64_t allocations_running(Engine& engine, std::uint64_t events) {
  const std::uint64_t before = allocations();
  const std::uint64_t executed_before = engine.executed_events();
  while (engine.executed_events() - executed_before < events) engine.run_until(engine.now() + 1'000'000);
  return allocations() - before;
}

TEST(EngineAllocation, SchedulingAndRunningEventsAllocatesNothingInSteadyState) {
  Engine engine;
  SteadyModel model(engine, 1000);
  // Warm-up: the heap and the slot chunks grow to the peak (1000 pending, plus the one running).
  engine.run_until(engine.now() + 50'000'000);
  ASSERT_GT(model.fired(), 10'000U);

  EXPECT_EQ(allocations_running(engine, 100'000), 0U) << "allocations while running 100k events in steady state";
  EXPECT_EQ(engine.pending_events(), 1000U);
}

/// As SteadyModel, with posted events (Engine::post_at): the argument is the entity's id.
class SteadyPostedModel {
 public:
  SteadyPostedModel(Engine& engine, std::uint32_t population)
      : engine_(engine), handler_(engine.add_handler(&SteadyPostedModel::fire, this)) {
    for (std::uint32_t i = 0; i < population; ++i) post(i);
  }
  std::uint64_t fired() const { return fired_; }

 private:
  static void fire(void* self, std::uint32_t id) {
    auto* model = static_cast<SteadyPostedModel*>(self);
    ++model->fired_;
    model->post(id);
  }
  void post(std::uint32_t id) {
    const auto delay = static_cast<SimTime>(rng_.below(4) == 0 ? 0 : rng_.below(1'000'000));
    engine_.post_at(engine_.now() + delay, handler_, id);
  }

  Engine& engine_;
  std::uint32_t handler_;
  RandomStream rng_{98, 0, purpose("test.no_allocation")};
  std::uint64_t fired_ = 0;
};

TEST(EngineAllocation, PostingAndRunningPostedEventsAllocatesNothingInSteadyState) {
  Engine engine;
  SteadyPostedModel model(engine, 1000);
  engine.run_until(engine.now() + 50'000'000);  // warm-up: the queue's blocks grow to the peak
  ASSERT_GT(model.fired(), 10'000U);

  EXPECT_EQ(allocations_running(engine, 100'000), 0U) << "allocations while running 100k posted events in steady state";
  EXPECT_EQ(engine.pending_events(), 1000U);
}

TEST(EngineAllocation, CancellingAndReschedulingTimersAllocatesNothingInSteadyState) {
  // The token-refresh pattern: a timer per entity, cancelled and set again on every activity.
  // Timers are set in the near future, so cancelled heap entries surface and are dropped soon.
  constexpr int kEntities = 500;
  Engine engine;
  std::vector<EventHandle> timers(kEntities);
  RandomStream rng(5, 5, purpose("test.no_allocation.timers"));
  std::uint64_t fired = 0;
  const auto activity = [&](int round) {
    for (int e = 0; e < kEntities; ++e) {
      engine.cancel(timers[static_cast<std::size_t>(e)]);
      timers[static_cast<std::size_t>(e)] =
          engine.schedule_after(static_cast<SimTime>(1 + rng.below(2'000)), [&fired] { ++fired; });
    }
    engine.run_until(engine.now() + 1'000 + round % 7);
  };
  for (int round = 0; round < 200; ++round) activity(round);  // warm-up

  const std::uint64_t before = allocations();
  for (int round = 0; round < 400; ++round) activity(round);  // 200k schedules, ~150k cancels
  const std::uint64_t after = allocations();
  EXPECT_GT(fired, 0U);
  EXPECT_EQ(after - before, 0U) << "allocations while cancelling and rescheduling timers";
}

// Timers set far ahead and reset on every activity (a token-refresh timer 12 h out, reset at each
// request) leave a dead heap entry per reset; the engine drops them once they outnumber the live
// ones, so 1000 pending timers reset 100k times reach a steady state without allocating.
TEST(EngineAllocation, ResettingFarFutureTimersAllocatesNothingInSteadyState) {
  constexpr int kEntities = 1000;
  Engine engine;
  std::vector<EventHandle> timers(kEntities);
  const auto activity = [&] {
    for (int e = 0; e < kEntities; ++e) {
      engine.cancel(timers[static_cast<std::size_t>(e)]);
      timers[static_cast<std::size_t>(e)] = engine.schedule_after(12 * kHour, [] {});
    }
    engine.run_until(engine.now() + 10 * kMillisecond);
  };
  for (int round = 0; round < 100; ++round) activity();  // warm-up

  const std::uint64_t before = allocations();
  for (int round = 0; round < 100; ++round) activity();
  const std::uint64_t after = allocations();
  EXPECT_EQ(engine.pending_events(), static_cast<std::size_t>(kEntities));
  EXPECT_EQ(after - before, 0U) << "allocations while resetting 1000 far-future timers 100k times";
}

TEST(InplaceFunctionAllocation, StoresCallablesWithoutAllocating) {
  struct Payload {
    std::uint64_t a, b, c, d, e;
    int* out;
    void operator()() const { *out = static_cast<int>(a + b + c + d + e); }
  };
  int out = 0;
  const std::uint64_t before = allocations();
  {
    InplaceFunction<void(), 48> f = Payload{1, 2, 3, 4, 5, &out};
    InplaceFunction<void(), 48> g = std::move(f);
    g();
    f = std::move(g);
    f.emplace([&out] { out += 100; });
    f();
  }
  EXPECT_EQ(allocations() - before, 0U);
  EXPECT_EQ(out, 115);
}

}  // namespace
}  // namespace misim
