// One replication of a sweep, in the calling thread: the steps `misim run` takes (load with
// --seed and --set, simulate to the end, finish, summarise), so a row of the results and a run of
// `misim run FILE --seed S --set ...` give the same numbers. Nothing here is shared between calls:
// threads may run replications side by side.
#include <chrono>
#include <exception>

#include "misim/scenario.hpp"
#include "misim/simulation.hpp"
#include "misim/summary.hpp"
#include "misim/sweep.hpp"

namespace misim {

std::optional<RunRecord> run_sweep_replication(const SweepDefinition& sweep, const SweepRun& run,
                                               const std::atomic<bool>* stop) {
  const auto wall_start = std::chrono::steady_clock::now();
  const auto wall = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  };
  RunRecord record;
  record.run = run;
  record.metrics.assign(sweep.metrics.size(), std::nullopt);
  try {
    ScenarioOverrides overrides;
    overrides.seed = run.seed;
    overrides.duration = sweep.duration;
    overrides.params = sweep.points.at(run.point);
    Result<Scenario> scenario = load_scenario_text(sweep.scenario_text, sweep.scenario_file, overrides);
    if (!scenario) {
      record.error = scenario.error().to_string();
      record.wall_seconds = wall();
      return record;
    }
    Simulation simulation(scenario->simulation);
    // In the slices misim run uses, so a stop is seen within a thousandth of the run.
    const SimTime slice = std::max<SimTime>(simulation.config().duration / 1000, kMillisecond);
    while (!simulation.finished()) {
      if (stop != nullptr && stop->load(std::memory_order_relaxed)) return std::nullopt;
      simulation.advance(simulation.now() + slice);
    }
    simulation.finish(false);
    record.wall_seconds = wall();
    const Summary summary(*scenario, simulation, Execution{record.wall_seconds, false, {}});
    for (std::size_t m = 0; m < sweep.metrics.size(); ++m) record.metrics[m] = summary.metric(sweep.metrics[m]);
    record.expectations_met = summary.expectations_met();
    record.events = simulation.executed_events();
    record.ok = true;
  } catch (const std::exception& e) {
    // A broken invariant aborts this run only: the sweep records it and goes on.
    record.ok = false;
    record.error = std::string("internal error: ") + e.what();
    record.wall_seconds = wall();
  }
  return record;
}

}  // namespace misim
