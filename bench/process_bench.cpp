// Model processes as engine callbacks vs C++20 coroutines: the measurement behind writing misim's
// model code as callbacks (include/misim/engine.hpp, docs/performance.md).
//
// Each iteration starts P processes on a long-lived Engine and runs until all have finished; each
// process loops S times over "wait Exp(mean), then a trivial step" (add now() to a checksum). One
// "item" is one step, that is one engine event. Arguments: P/S.
//
//   BM_Process_Callback/P/S   the process is a 16-byte callable that reschedules itself; its state
//                             (a RandomStream and a step count) lives in one vector for all processes
//   BM_Process_Coroutine/P/S  the process is a coroutine that co_awaits a delay on the same Engine;
//                             its state lives in its coroutine frame, which operator new allocates
//
// Counters: allocs_per_process and bytes_per_process, the heap allocations (allocation_counter.hpp)
// made during the timed iterations divided by the processes started (the engine's own storage
// growth, done in the first iteration, included).
#include <benchmark/benchmark.h>

#include <coroutine>
#include <cstdint>
#include <exception>
#include <vector>

#include "allocation_counter.hpp"
#include "bench_support.hpp"
#include "misim/engine.hpp"
#include "misim/random.hpp"

namespace misim::bench {
namespace {

using counting::allocation_count;
using counting::AllocationCount;

constexpr double kStepMean = 1e6;  // ns between two steps of one process (1 ms)
constexpr std::uint64_t kSeed = 11;

RandomStream process_stream(std::uint64_t id) { return {kSeed, id, purpose("bench.process")}; }

// ---- callbacks -----------------------------------------------------------------------------

struct CallbackProcessState {
  RandomStream stream;
  std::int64_t steps_left;
};

struct CallbackWorld {
  Engine engine;
  std::vector<CallbackProcessState> processes;
  std::uint64_t checksum = 0;
};

// One process's next wake-up: 16 bytes of capture, stored in place in the engine.
struct CallbackStep {
  CallbackWorld* world;
  std::size_t id;
  void operator()() const {
    world->checksum += static_cast<std::uint64_t>(world->engine.now());  // the trivial step
    CallbackProcessState& p = world->processes[id];
    if (--p.steps_left > 0) world->engine.schedule_after(exponential_ns(p.stream, kStepMean), *this);
  }
};

void run_callbacks(CallbackWorld& w, std::size_t processes, std::int64_t steps) {
  w.processes.clear();  // keeps its capacity: no allocation after the first iteration
  for (std::size_t id = 0; id < processes; ++id) {
    w.processes.push_back({process_stream(id), steps});
    w.engine.schedule_after(exponential_ns(w.processes.back().stream, kStepMean), CallbackStep{&w, id});
  }
  w.engine.run();
}

// ---- coroutines ----------------------------------------------------------------------------

/// A coroutine that starts at once and destroys its own frame when it finishes.
struct Detached {
  struct promise_type {
    Detached get_return_object() noexcept { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
};

/// co_await Delay{engine, d}: resume d nanoseconds later, from the engine's loop.
struct Delay {
  Engine& engine;
  SimTime delay;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) const {
    engine.schedule_after(delay, [h] { h.resume(); });
  }
  void await_resume() const noexcept {}
};

struct CoroutineWorld {
  Engine engine;
  std::uint64_t checksum = 0;
};

Detached coroutine_process(CoroutineWorld& w, std::uint64_t id, std::int64_t steps) {
  RandomStream stream = process_stream(id);
  for (std::int64_t step = 0; step < steps; ++step) {
    co_await Delay{w.engine, exponential_ns(stream, kStepMean)};
    w.checksum += static_cast<std::uint64_t>(w.engine.now());  // the trivial step
  }
}

void run_coroutines(CoroutineWorld& w, std::size_t processes, std::int64_t steps) {
  for (std::size_t id = 0; id < processes; ++id) coroutine_process(w, id, steps);
  w.engine.run();
}

// ---- benchmarks ----------------------------------------------------------------------------

template <class World, void (*Run)(World&, std::size_t, std::int64_t)>
void run_processes(benchmark::State& state) {
  const auto processes = static_cast<std::size_t>(state.range(0));
  const std::int64_t steps = state.range(1);
  {
    // Both forms take the same steps at the same times, so one round of each must agree.
    CallbackWorld a;
    CoroutineWorld b;
    run_callbacks(a, processes, steps);
    run_coroutines(b, processes, steps);
    if (a.checksum != b.checksum || a.engine.executed_events() != b.engine.executed_events()) {
      state.SkipWithError("callback and coroutine processes disagree");
      return;
    }
  }
  World world;
  const AllocationCount before = allocation_count();
  for (auto _ : state) Run(world, processes, steps);
  const AllocationCount made = allocation_count() - before;
  benchmark::DoNotOptimize(world.checksum);
  const double started = static_cast<double>(state.iterations()) * static_cast<double>(processes);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(processes) * steps);
  state.counters["allocs_per_process"] = static_cast<double>(made.allocations) / started;
  state.counters["bytes_per_process"] = static_cast<double>(made.bytes) / started;
}

void BM_Process_Callback(benchmark::State& state) { run_processes<CallbackWorld, run_callbacks>(state); }
void BM_Process_Coroutine(benchmark::State& state) { run_processes<CoroutineWorld, run_coroutines>(state); }
// Long-lived processes (100 waits each) and short ones (4 waits: a request's few stages).
BENCHMARK(BM_Process_Callback)->Args({100, 100})->Args({10'000, 100})->Args({10'000, 4});
BENCHMARK(BM_Process_Coroutine)->Args({100, 100})->Args({10'000, 100})->Args({10'000, 4});

}  // namespace
}  // namespace misim::bench
