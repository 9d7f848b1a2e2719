// Scenario: a YAML scenario file, validated and turned into a SimulationConfig.
//
// Every problem is an Error placed at FILE:LINE:COL with what was expected (and a "did you mean"
// for a misspelt key); loading stops at the first one. The language is documented in
// docs/scenarios.md; at this stage it covers stages (services), workload generators into stages,
// params with --set overrides, and metric expectations.
//
//   ScenarioOverrides o;
//   o.params.push_back({"vms", "5000"});
//   Result<Scenario> s = load_scenario_file("scenarios/quickstart.yaml", o);
//   if (!s) { std::cerr << s.error().to_string() << '\n'; return 2; }
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "misim/result.hpp"
#include "misim/simulation.hpp"

namespace misim {

/// A scenario parameter after overrides, as text (it substitutes as `${name}`).
struct Param {
  std::string name;
  std::string value;
  bool overridden = false;
};

/// `expect: [{metric: stages.aad.wait_ms.mean, below: 50}]`: a bound on a summary.json value.
struct MetricExpectation {
  std::string metric;  // dotted path into summary.json
  std::optional<double> above;
  std::optional<double> below;
  SourcePlace place;
  std::string text;  // as written, for reports
};

/// `expect: [{access: web-0 -> vault, denied_after: 2h, within: 24h}]`: when a resource may reach
/// a target. Checked against the calls the run made from the resource to the target.
struct AccessExpectation {
  enum class Kind {
    kGrantedUntil,   // every call before `at` was granted (and there was at least one)
    kDeniedAfter,    // the first denial came at or after `at`, and no later than `at + within`
    kAlwaysGranted,  // no call was denied (and there was at least one)
  } kind = Kind::kAlwaysGranted;
  std::string resource;
  std::string target;
  SimTime at = 0;
  SimTime within = kForever;
  SourcePlace place;
  std::string text;
};

struct Scenario {
  std::string file;
  std::string name;
  std::string description;
  std::vector<Param> params;
  SimulationConfig simulation;
  std::vector<MetricExpectation> expectations;
  std::vector<AccessExpectation> access_expectations;
  std::uint64_t source_hash = 0;  // of the file's bytes
};

/// Command-line changes applied while loading (`--seed`, `--duration`, `--set K=V`).
struct ScenarioOverrides {
  std::optional<std::uint64_t> seed;
  std::optional<SimTime> duration;
  std::vector<std::pair<std::string, std::string>> params;
};

/// Reads and validates a scenario file.
Result<Scenario> load_scenario_file(const std::string& path, const ScenarioOverrides& overrides = {});

/// Validates scenario text; `file` names it in error messages.
Result<Scenario> load_scenario_text(const std::string& text, const std::string& file,
                                    const ScenarioOverrides& overrides = {});

/// Splits `NAME=VALUE` from a --set argument.
Result<std::pair<std::string, std::string>> parse_param_override(const std::string& argument);

}  // namespace misim
