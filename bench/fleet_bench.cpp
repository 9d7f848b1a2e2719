// The reference fleet (bench/scenarios/fleet.yaml, issue 8) at 10,000 VMs, so that a regression of
// the whole path (loading, building the estate, the token path's hot paths, the engine) shows in
// every benchmark run; docs/performance.md records the 10k, 100k and 1M points of the full runs.
//
//   BM_Fleet10k                (CPU time: the machine is shared) one iteration loads the scenario with vms=10000,
//   uamis=2500, builds
//                              the Simulation and runs the simulated day, as `misim run --trace
//                              none` does without writing files. Counters: events per second,
//                              calls, the phases' seconds.
//   BM_FleetCallsBaseline10k   the least a hand-written program must do for the same day: 30,000
//                              Poisson call streams (3 per VM, 1 per 30 minutes each) on a
//                              std::priority_queue, each call checking a cached token's expiry and
//                              counting a grant, the token fetched once per stream. No directory,
//                              no IMDS, no AAD queue, no trace: the ratio shows what the model's
//                              detail and the framework cost per call, not a like-for-like race.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <queue>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "misim/random.hpp"
#include "misim/scenario.hpp"
#include "misim/simulation.hpp"

namespace misim::bench {
namespace {

constexpr int kVms = 10'000;
constexpr int kAudiences = 3;
constexpr const char* kFleet = MISIM_SOURCE_DIR "/bench/scenarios/fleet.yaml";

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void BM_Fleet10k(benchmark::State& state) {
  ScenarioOverrides overrides;
  overrides.params = {{"vms", std::to_string(kVms)}, {"uamis", std::to_string(kVms / 4)}};
  std::uint64_t events = 0;
  std::uint64_t calls = 0;
  double loading = 0;
  double building = 0;
  double simulating = 0;
  for (auto _ : state) {
    auto t = std::chrono::steady_clock::now();
    Result<Scenario> scenario = load_scenario_file(kFleet, overrides);
    if (!scenario) {
      state.SkipWithError(scenario.error().to_string().c_str());
      return;
    }
    loading += seconds_since(t);
    t = std::chrono::steady_clock::now();
    Simulation simulation(scenario->simulation);
    building += seconds_since(t);
    t = std::chrono::steady_clock::now();
    simulation.run();
    simulation.finish(false);
    simulating += seconds_since(t);
    events += simulation.executed_events();
    calls += simulation.token_statistics().calls;
    benchmark::DoNotOptimize(simulation.fingerprint());
  }
  const auto n = static_cast<double>(state.iterations());
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["calls"] = static_cast<double>(calls) / n;
  state.counters["loading_s"] = loading / n;
  state.counters["building_s"] = building / n;
  state.counters["simulating_s"] = simulating / n;
  state.SetItemsProcessed(static_cast<std::int64_t>(calls));
}
BENCHMARK(BM_Fleet10k)->Unit(benchmark::kMillisecond);

void BM_FleetCallsBaseline10k(benchmark::State& state) {
  struct Call {
    SimTime time;
    std::uint64_t sequence;
    std::uint32_t stream;
    bool operator>(const Call& o) const noexcept { return time != o.time ? time > o.time : sequence > o.sequence; }
  };
  constexpr SimTime kDay = 24 * kHour;
  constexpr double kMeanGap = 30.0 * 60.0 * 1e9;  // 1 call per 30 minutes per stream
  constexpr SimTime kLifetime = 24 * kHour;
  constexpr std::uint32_t kStreams = kVms * kAudiences;
  std::uint64_t calls = 0;
  std::uint64_t seed = 1;
  for (auto _ : state) {
    std::vector<RandomStream> streams;
    std::vector<SimTime> expires(kStreams, -1);
    streams.reserve(kStreams);
    std::priority_queue<Call, std::vector<Call>, std::greater<>> queue;
    std::uint64_t sequence = 0;
    for (std::uint32_t s = 0; s < kStreams; ++s) {
      streams.emplace_back(seed, s, 1);
      queue.push(Call{exponential_ns(streams[s], kMeanGap), sequence++, s});
    }
    std::uint64_t granted = 0;
    std::uint64_t fetched = 0;
    while (!queue.empty()) {
      const Call c = queue.top();
      queue.pop();
      if (c.time > kDay) continue;
      if (c.time >= expires[c.stream]) {
        expires[c.stream] = c.time + kLifetime;  // a token, fetched at once
        ++fetched;
      }
      ++granted;
      queue.push(Call{c.time + exponential_ns(streams[c.stream], kMeanGap), sequence++, c.stream});
    }
    calls += granted;
    benchmark::DoNotOptimize(fetched);
    ++seed;
  }
  state.counters["calls"] = static_cast<double>(calls) / static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<std::int64_t>(calls));
}
BENCHMARK(BM_FleetCallsBaseline10k)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace misim::bench
