// The hold model (Vaucher & Duval 1975; Jones, CACM 1986): the classic measure of a pending-event
// set. N events are pending; each one, when it runs, schedules one new event at now + Exp(mean), so
// the set stays at N while its time distribution reaches a steady state. One "item" is one event.
//
//   BM_Hold/<N>                   misim::Engine: pop, run the stored callable, which reschedules itself
//   BM_Hold_StdPriorityQueue/<N>  hand-written loop over std::priority_queue of plain structs, the
//                                 same (time, sequence) order and the same draws from the same stream
#include <benchmark/benchmark.h>

#include <cstdint>
#include <queue>
#include <vector>

#include "bench_support.hpp"
#include "misim/engine.hpp"
#include "misim/random.hpp"

namespace misim::bench {
namespace {

constexpr double kHoldMean = 1e9;         // mean hold time, ns (1 s); only its scale matters
constexpr std::int64_t kBatch = 100'000;  // events per benchmark iteration
constexpr std::uint64_t kSeed = 20240601;

// ---- misim::Engine -------------------------------------------------------------------------

struct HoldModel {
  Engine engine;
  RandomStream stream{kSeed, 0, purpose("bench.hold")};
  std::int64_t remaining = 0;  // events left in this batch
};

// The event itself: 8 bytes of capture, stored in place in the engine's slot.
struct HoldEvent {
  HoldModel* model;
  void operator()() const {
    model->engine.schedule_after(exponential_ns(model->stream, kHoldMean), *this);
    if (--model->remaining == 0) model->engine.stop();
  }
};

void run_events(HoldModel& m, std::int64_t events) {
  m.remaining = events;
  m.engine.run();
}

void BM_Hold(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  HoldModel m;
  m.engine.reserve(pending);
  for (std::size_t i = 0; i < pending; ++i) {
    m.engine.schedule_after(exponential_ns(m.stream, kHoldMean), HoldEvent{&m});
  }
  run_events(m, static_cast<std::int64_t>(pending));  // warm-up: let the time distribution settle
  for (auto _ : state) run_events(m, kBatch);
  if (m.engine.pending_events() != pending) state.SkipWithError("pending-event count drifted");
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_Hold)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);

// ---- std::priority_queue baseline ----------------------------------------------------------

struct PlainEvent {
  SimTime time;
  std::uint64_t sequence;
  std::uint32_t id;
};
struct RunsLater {
  bool operator()(const PlainEvent& a, const PlainEvent& b) const noexcept {
    return a.time > b.time || (a.time == b.time && a.sequence > b.sequence);
  }
};

struct PlainHold {
  std::priority_queue<PlainEvent, std::vector<PlainEvent>, RunsLater> queue;
  RandomStream stream{kSeed, 0, purpose("bench.hold")};
  std::uint64_t next_sequence = 0;
  SimTime now = 0;
  std::uint64_t checksum = 0;

  void run_events(std::int64_t events) {
    for (std::int64_t i = 0; i < events; ++i) {
      const PlainEvent e = queue.top();
      queue.pop();
      now = e.time;
      checksum += e.id;  // the event's "work", so the id is used as the engine's callable uses its capture
      queue.push(PlainEvent{now + exponential_ns(stream, kHoldMean), next_sequence++, e.id});
    }
  }
};

void BM_Hold_StdPriorityQueue(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  PlainHold h;
  std::vector<PlainEvent> storage;
  storage.reserve(pending);
  h.queue = decltype(h.queue)(RunsLater{}, std::move(storage));
  for (std::size_t i = 0; i < pending; ++i) {
    h.queue.push(PlainEvent{exponential_ns(h.stream, kHoldMean), h.next_sequence++, static_cast<std::uint32_t>(i)});
  }
  h.run_events(static_cast<std::int64_t>(pending));
  for (auto _ : state) h.run_events(kBatch);
  benchmark::DoNotOptimize(h.checksum);
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_Hold_StdPriorityQueue)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);

}  // namespace
}  // namespace misim::bench
