// A scenario run to its end and summarised, as `misim run` does, for the report's tests; with a
// ReportCollector attached to every event when asked.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <utility>

#include "misim/report.hpp"
#include "misim/scenario.hpp"
#include "misim/simulation.hpp"
#include "misim/summary.hpp"

namespace misim::testing {

struct ScenarioRun {
  Scenario scenario;
  std::unique_ptr<Simulation> simulation;
  std::unique_ptr<ReportCollector> collector;  // null unless collected
  std::unique_ptr<Summary> summary;            // null when the scenario did not load
};

/// Runs the loaded scenario `s`; with `collect`, a ReportCollector sees every event (TraceLevel::kAll)
/// and the run's end. A load error fails the test and gives a run without a simulation or summary.
inline ScenarioRun run_scenario(Result<Scenario> s, bool collect) {
  ScenarioRun r;
  EXPECT_TRUE(s.ok()) << (s ? "" : s.error().to_string());
  if (!s) return r;
  r.scenario = *std::move(s);
  r.simulation = std::make_unique<Simulation>(r.scenario.simulation);
  if (collect) {
    r.collector = std::make_unique<ReportCollector>();
    r.simulation->attach(*r.collector, TraceLevel::kAll);
  }
  r.simulation->run();
  if (collect) r.simulation->finish(false);
  r.summary = std::make_unique<Summary>(r.scenario, *r.simulation, Execution{});
  return r;
}

}  // namespace misim::testing
