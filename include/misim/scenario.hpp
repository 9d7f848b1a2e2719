// Scenario: a YAML scenario file, validated and turned into a SimulationConfig.
//
// Every problem is an Error placed at FILE:LINE:COL with what was expected (and a "did you mean"
// for a misspelt key); loading stops at the first one. The language is documented in
// docs/scenarios.md; at this stage it covers stages (services), workload generators into stages,
// params with --set overrides, and metric expectations. A scenario may extend another file
// (`extends: base.yaml`), and is refused, before anything is built, when its estimated memory is
// above a limit (docs/reliability.md).
//
//   ScenarioOverrides o;
//   o.params.push_back({"vms", "5000"});
//   Result<Scenario> s = load_scenario_file("scenarios/quickstart.yaml", o);
//   if (!s) { std::cerr << s.error().to_string() << '\n'; return 2; }
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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

/// What a run of the scenario will need, estimated by the loader from counts alone, before any
/// template is expanded or anything is built; a scenario whose estimate exceeds the memory limit is
/// refused (ScenarioOverrides::max_memory). docs/reliability.md gives the calibration.
struct ResourceEstimate {
  std::uint64_t resources = 0;          // at the start and created by the timeline
  std::uint64_t identities = 0;         // user-assigned, service principals and system-assigned
  std::uint64_t attachments = 0;        // user-assigned identities attached to resources
  std::uint64_t role_assignments = 0;   // in the topology and the timeline
  std::uint64_t calling_resources = 0;  // (workload, resource) pairs that make calls
  std::uint64_t operations = 0;         // timeline operations and access expectations, after expansion
  std::uint64_t queued_requests = 0;    // waiting at overloaded stages with unlimited queues, at the end
  std::uint64_t pending_events = 0;     // scheduled at once, at the most
  std::uint64_t stages = 0;             // services of the scenario's own (queueing stations)
  std::uint64_t bytes = 0;              // peak memory of a run
};

struct Scenario {
  std::string file;
  std::string name;
  std::string description;
  std::vector<Param> params;
  SimulationConfig simulation;
  std::vector<MetricExpectation> expectations;
  std::vector<AccessExpectation> access_expectations;
  std::uint64_t source_hash = 0;  // of the bytes of the file and of every file it extends
  /// The file and every file it `extends`, the scenario's own first.
  std::vector<std::string> files;
  ResourceEstimate estimate;
};

/// Command-line changes applied while loading (`--seed`, `--duration`, `--set K=V`).
struct ScenarioOverrides {
  std::optional<std::uint64_t> seed;
  std::optional<SimTime> duration;
  std::vector<std::pair<std::string, std::string>> params;
  /// Refuse a scenario whose estimated peak memory is above this many bytes (`--max-memory`);
  /// unset: default_max_memory().
  std::optional<std::uint64_t> max_memory = std::nullopt;
};

/// The default memory limit: half of the memory this process may use (the machine's RAM, or a
/// smaller cgroup limit), so that a run never pushes the machine into swapping or the OOM killer.
[[nodiscard]] std::uint64_t default_max_memory();

/// `512MiB`, `4GiB`, `2GB`, `1.5GiB`, `1073741824` (bytes): a memory size for --max-memory.
[[nodiscard]] Result<std::uint64_t> parse_memory_size(std::string_view text);

/// `1.5 GiB`, `512 MiB`, `900 KiB`, `12 B`: a memory size for messages.
[[nodiscard]] std::string format_memory_size(std::uint64_t bytes);

/// Reads and validates a scenario file.
Result<Scenario> load_scenario_file(const std::string& path, const ScenarioOverrides& overrides = {});

/// Validates scenario text; `file` names it in error messages.
Result<Scenario> load_scenario_text(const std::string& text, const std::string& file,
                                    const ScenarioOverrides& overrides = {});

/// As load_scenario_file, and builds the estate into `estate`: the directory the topology
/// describes, before any timeline operation, as Simulation would build it. The loader checks the
/// estate by building it and applying the timeline to it; the estate handed out is built beside
/// that check, on a second thread, so a fleet's `misim run` builds it once in the wall time of
/// the check (docs/performance.md). `estate` is left as it was when loading fails.
Result<Scenario> load_scenario_file(const std::string& path, const ScenarioOverrides& overrides, Directory& estate);

/// Splits `NAME=VALUE` from a --set argument.
Result<std::pair<std::string, std::string>> parse_param_override(const std::string& argument);

}  // namespace misim
