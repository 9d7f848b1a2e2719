// What the model tests share: a scenario loaded from YAML text (tests/support), and the token
// path's statistics and access pairs looked up by name or status.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "misim/scenario.hpp"
#include "misim/simulation.hpp"
#include "scenario_loading.hpp"

namespace misim::model_test {

/// The scenario in `text` (as a file named test.yaml); an error fails the test and gives an empty
/// Scenario.
inline Scenario load(const std::string& text) { return test_support::scenario_from_text(text); }

/// The simulation configuration of the scenario in `text` (see load).
inline SimulationConfig load_config(const std::string& text) { return load(text).simulation; }

/// The access pair whose resource is named `resource`; a missing one fails the test.
inline const AccessPair& pair_of(const Simulation& sim, const std::string& resource) {
  for (const AccessPair& p : sim.access_pairs()) {
    if (sim.directory().name(p.resource) == resource) return p;
  }
  static const AccessPair none{};
  ADD_FAILURE() << "no pair for " << resource;
  return none;
}

/// Token requests answered with `status`.
inline std::uint64_t status_count(const Simulation& sim, int status) {
  auto it = sim.token_statistics().by_status.find(status);
  return it == sim.token_statistics().by_status.end() ? 0 : it->second;
}

/// Requests refused for `reason` (TokenPathStatistics::refused).
inline std::uint64_t refused(const Simulation& sim, std::string_view reason) {
  auto it = sim.token_statistics().refused.find(reason);
  return it == sim.token_statistics().refused.end() ? 0 : it->second;
}

}  // namespace misim::model_test
