// Every scenario under scenarios/ loads, runs to its end and meets its own expectations; runs are
// reproducible. Scenario files double as tests: adding one to scenarios/ adds it here.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "library_scenarios.hpp"
#include "misim/scenario.hpp"
#include "misim/summary.hpp"

namespace misim {
namespace {

using test_support::library_scenario_files;

std::string test_name(const testing::TestParamInfo<std::string>& info) {
  return test_support::library_test_name(info.param);
}

class ScenarioLibrary : public testing::TestWithParam<std::string> {};

TEST_P(ScenarioLibrary, OpensWithACommentSayingWhatItShows) {
  std::ifstream in(GetParam());
  std::string first;
  std::getline(in, first);
  ASSERT_TRUE(first.rfind("# ", 0) == 0) << GetParam()
                                         << " must open with a comment saying what it teaches or measures";
  EXPECT_GT(first.size(), 10U);
}

TEST_P(ScenarioLibrary, RunsToTheEndAndMeetsItsExpectations) {
  Result<Scenario> scenario = load_scenario_file(GetParam());
  ASSERT_TRUE(scenario.ok()) << scenario.error().to_string();
  EXPECT_FALSE(scenario->expectations.empty()) << "a library scenario states what it expects";
  Simulation sim(scenario->simulation);
  sim.run();
  EXPECT_EQ(sim.now(), scenario->simulation.duration);
  const Summary summary(*scenario, sim, Execution{});
  for (const ExpectationResult& e : summary.expectations()) {
    EXPECT_TRUE(e.met) << e.place.file << ":" << e.place.line << ": " << e.text << " (" << e.detail << ")";
  }
}

TEST_P(ScenarioLibrary, GivesTheSameFingerprintForTheSameSeed) {
  Result<Scenario> scenario = load_scenario_file(GetParam());
  ASSERT_TRUE(scenario.ok()) << scenario.error().to_string();
  Simulation first(scenario->simulation);
  first.run();
  Simulation second(scenario->simulation);
  second.run();
  EXPECT_EQ(first.fingerprint(), second.fingerprint());
  EXPECT_EQ(first.executed_events(), second.executed_events());
}

INSTANTIATE_TEST_SUITE_P(Scenarios, ScenarioLibrary, testing::ValuesIn(library_scenario_files()), test_name);

}  // namespace
}  // namespace misim
