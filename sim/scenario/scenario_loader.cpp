// The scenario loader: YAML text to a validated Scenario. The language: docs/scenarios.md.
#include <algorithm>
#include <cstdio>
#include <future>
#include <limits>
#include <set>
#include <stdexcept>

#include "distribution_spec.hpp"
#include "language.hpp"
#include "misim/scenario.hpp"
#include "misim/topology.hpp"
#include "rate_shape_reader.hpp"
#include "resource_estimate.hpp"
#include "scenario_source.hpp"
#include "suggest.hpp"
#include "token_path_reader.hpp"
#include "topology_reader.hpp"
#include "yaml_reader.hpp"

namespace misim {

namespace {

using scenario::Choice;
using scenario::Document;
using scenario::LoadAbort;
using scenario::MapReader;
using scenario::Section;

// Bounds that keep a typo from asking for an absurd machine. They are limits of this version's
// model, not of Azure; docs/scenarios.md lists them.
constexpr std::int64_t kMaxServers = 1'000'000;
constexpr std::int64_t kMaxQueueCapacity = 1'000'000'000;

std::vector<Param> read_params(const Document& doc, const YAML::Node& root, const ScenarioOverrides& overrides) {
  std::vector<Param> params;
  const YAML::Node node = root["params"];
  if (node.IsDefined() && !node.IsNull()) {
    if (!node.IsMap()) doc.fail(node, "'params' must be a mapping of names to values, e.g. {vms: 100}");
    std::set<std::string, std::less<>> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string name = it->first.IsScalar() ? it->first.Scalar() : std::string();
      if (name.empty() || name.find_first_of("${} \t") != std::string::npos) {
        doc.fail(it->first, "param name '" + name + "' must be a plain word");
      }
      if (!seen.insert(name).second) doc.fail(it->first, "duplicate param '" + name + "'");
      if (!it->second.IsScalar())
        doc.fail(it->second, "param '" + name + "' must be a single value (number, duration, rate or word)");
      if (it->second.Scalar().find("$<") != std::string::npos) {
        doc.fail(it->second, "param '" + name + "' refers to another param; params hold plain values");
      }
      params.push_back({name, it->second.Scalar(), false});
    }
  }
  for (const auto& [name, value] : overrides.params) {
    Param* found = nullptr;
    std::vector<std::string_view> names;
    for (Param& p : params) {
      names.push_back(p.name);
      if (p.name == name) found = &p;
    }
    if (found == nullptr) {
      std::string known =
          names.empty() ? "; this scenario has no params" : "; its params are " + scenario::quoted_list(names);
      doc.fail(SourcePlace{doc.file(), 0, 0}, "--set " + name + ": the scenario has no param '" + name + "'" +
                                                  scenario::did_you_mean(name, names) + known);
    }
    found->value = value;
    found->overridden = true;
  }
  return params;
}

StageConfig read_stage(const Document& doc, const std::string& name, const YAML::Node& node) {
  const std::string what = "service '" + name + "'";
  MapReader m(doc, node, what, scenario::keys(Section::kService));
  StageConfig stage;
  stage.name = name;
  if (m.has("servers")) {
    stage.station.servers = static_cast<int>(doc.integer(m.get("servers"), what + " 'servers'", 1, kMaxServers));
  }
  if (m.has("queue_capacity")) {
    const YAML::Node cap = m.get("queue_capacity");
    if (cap.IsScalar() && doc.scalar(cap, what) == "unlimited") {
      stage.station.queue_capacity = -1;
    } else {
      stage.station.queue_capacity =
          doc.integer(cap, what + " 'queue_capacity' (or 'unlimited')", 0, kMaxQueueCapacity);
    }
  }
  stage.station.service = scenario::read_duration_distribution(doc, m.require("latency"), what + " 'latency'");
  return stage;
}

std::size_t find_stage(const Document& doc, const SimulationConfig& sim, const YAML::Node& node,
                       const std::string& what) {
  const std::string name = doc.string(node, what);
  if (name == "aad") return kAadStage;  // the token path's AAD (its first region)
  std::vector<std::string_view> names = {"aad"};
  for (std::size_t i = 0; i < sim.stages.size(); ++i) {
    if (sim.stages[i].name == name) return i;
    names.push_back(sim.stages[i].name);
  }
  doc.fail(node,
           what + ": no service named '" + name + "'" + scenario::did_you_mean(name, names) +
               (names.empty() ? "; define it under 'services:'" : "; services are " + scenario::quoted_list(names)));
}

WorkloadConfig read_workload(const Document& doc, const SimulationConfig& sim, const YAML::Node& node,
                             std::size_t index) {
  const std::string what = "workload #" + std::to_string(index + 1);
  MapReader m(doc, node, what, scenario::keys(Section::kWorkload));
  WorkloadConfig w;
  w.name = m.has("name") ? doc.string(m.get("name"), what + " 'name'") : "workload-" + std::to_string(index);
  w.stage = find_stage(doc, sim, m.require("stage"), what + " 'stage'");
  w.rate = doc.rate(m.require("rate"), what + " 'rate'");
  if (m.has("arrivals")) {
    const std::string p = doc.choice(m.get("arrivals"), what + " 'arrivals'", scenario::words(Choice::kArrivalProcess));
    w.process = p == "poisson" ? ArrivalProcess::kPoisson : ArrivalProcess::kConstant;
  }
  if (m.has("start")) w.start = doc.duration(m.get("start"), what + " 'start'");
  if (m.has("stop")) w.stop = doc.duration(m.get("stop"), what + " 'stop'");
  if (w.stop <= w.start) doc.fail(node, what + ": 'stop' must come after 'start'");
  scenario::read_rate_shape(doc, m, what, w.shape);
  return w;
}

MetricExpectation read_expectation(const Document& doc, const YAML::Node& node, std::size_t index) {
  const std::string what = "expectation #" + std::to_string(index + 1);
  MapReader m(doc, node, what, scenario::keys(Section::kExpectation));
  MetricExpectation e;
  e.place = doc.place(node);
  e.metric = doc.string(m.require("metric"), what + " 'metric'");
  constexpr double kBig = std::numeric_limits<double>::max();
  if (m.has("between")) {
    const YAML::Node range = m.get("between");
    if (!range.IsSequence() || range.size() != 2)
      doc.fail(range, what + " 'between' must be a list of two numbers [low, high]");
    e.above = doc.number(range[0], what + " 'between' low", -kBig, kBig);
    e.below = doc.number(range[1], what + " 'between' high", -kBig, kBig);
    if (m.has("below") || m.has("above")) doc.fail(node, what + ": use 'between' or 'below'/'above', not both");
  }
  if (m.has("below")) e.below = doc.number(m.get("below"), what + " 'below'", -kBig, kBig);
  if (m.has("above")) e.above = doc.number(m.get("above"), what + " 'above'", -kBig, kBig);
  if (!e.below && !e.above) doc.fail(node, what + " needs 'below', 'above' or 'between'");
  if (e.below && e.above && *e.above > *e.below) doc.fail(node, what + ": the low bound is above the high bound");
  const auto number = [](double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", x);
    return std::string(buf);
  };
  e.text = e.metric;
  if (e.above && e.below) {
    e.text += " between " + number(*e.above) + " and " + number(*e.below);
  } else if (e.below) {
    e.text += " below " + number(*e.below);
  } else {
    e.text += " above " + number(*e.above);
  }
  return e;
}

/// Adds what the run schedules and queues to the estimate: the pending events of workloads,
/// calling resources, identities (certificate rolls), the timeline and the fault windows (ARM's
/// outages included: a start and an end each), and the requests that pile up in a stage with an
/// unlimited queue when more arrive than its servers can take. An operation ARM throttles or holds
/// keeps one event at a time (its retry or its effect), so the timeline's size bounds ARM's events.
void estimate_run(const Document& doc, const SimulationConfig& sim, std::size_t timeline_operations,
                  const std::vector<SourcePlace>& workload_places, scenario::ResourceBudget& budget) {
  using scenario::Cost;
  const ResourceEstimate& e = budget.estimate();
  const SourcePlace top{doc.file(), 1, 1};
  const std::size_t fault_windows = sim.token_path.faults.size() + sim.token_path.arm.outages.size();
  budget.add(
      Cost::kPendingEvent,
      scenario::saturating_add(
          scenario::saturating_add(sim.workloads.size(), scenario::saturating_mul(2, e.calling_resources)),
          scenario::saturating_add(e.identities, scenario::saturating_add(timeline_operations, 2 * fault_windows))),
      top, "the events the run keeps scheduled");
  for (std::size_t st = 0; st < sim.stages.size(); ++st) {
    const StationConfig& station = sim.stages[st].station;
    const double mean_service_s = station.service.mean() / 1e9;
    if (station.queue_capacity >= 0 || !(mean_service_s > 0)) continue;
    double arrivals = 0;  // requests over the run
    double offered = 0;   // per second, the run's average
    std::size_t first = sim.workloads.size();
    for (std::size_t w = 0; w < sim.workloads.size(); ++w) {
      const WorkloadConfig& wl = sim.workloads[w];
      if (wl.stage != st) continue;
      first = std::min(first, w);
      double profile = 0;
      for (double h : wl.shape.hourly) profile += h / 24.0;
      const SimTime stop = std::min(wl.stop, sim.duration);
      const double active_s = stop > wl.start ? static_cast<double>(stop - wl.start) / 1e9 : 0.0;
      arrivals += wl.rate.per_second * profile * active_s;
      offered += wl.rate.per_second * profile;
    }
    const double capacity = station.servers / mean_service_s;
    if (first == sim.workloads.size() || offered <= capacity) continue;
    // Requests beyond what the servers take wait until the end of the run.
    const double waiting = arrivals * (1.0 - capacity / offered);
    budget.add(Cost::kQueuedRequest,
               waiting >= 1.8e19 ? std::numeric_limits<std::uint64_t>::max() : static_cast<std::uint64_t>(waiting),
               workload_places[first],
               "stage '" + sim.stages[st].name +
                   "', offered more than its servers take (an unlimited queue that "
                   "grows all run),");
  }
}

Scenario read_scenario(const std::string& text, const std::string& file, const ScenarioOverrides& overrides,
                       Directory* built_estate) {
  Scenario s;
  s.file = file;
  scenario::ScenarioSource source = scenario::read_scenario_source(text, file);
  s.source_hash = source.hash;
  s.files = source.files;
  const YAML::Node& root = source.root;
  const Document bootstrap(source.files, nullptr);
  if (!root.IsDefined() || root.IsNull())
    bootstrap.fail(SourcePlace{file, 1, 1}, "the scenario is empty; it needs at least 'name' and 'duration'");
  if (!root.IsMap()) bootstrap.fail(root, "a scenario must be a mapping with keys such as name, duration, services");
  s.params = read_params(bootstrap, root, overrides);
  const Document doc(source.files, &s.params);
  const MapReader top(doc, root, "the scenario", scenario::keys(Section::kScenario));

  s.name = doc.string(top.require("name"), "'name'");
  if (top.has("description")) s.description = doc.string(top.get("description"), "'description'");
  SimulationConfig& sim = s.simulation;
  if (top.has("seed")) {
    sim.seed =
        static_cast<std::uint64_t>(doc.integer(top.get("seed"), "'seed'", 0, std::numeric_limits<std::int64_t>::max()));
  }
  sim.duration = doc.duration(top.require("duration"), "'duration'");
  if (sim.duration <= 0) doc.fail(top.get("duration"), "'duration' must be longer than 0s");
  if (top.has("warmup")) sim.warmup = doc.duration(top.get("warmup"), "'warmup'");
  if (overrides.seed) sim.seed = *overrides.seed;
  if (overrides.duration) sim.duration = *overrides.duration;
  if (sim.warmup >= sim.duration)
    doc.fail(top.has("warmup") ? top.get("warmup") : root, "'warmup' must be shorter than the duration");

  // Every count goes through the budget before anything is expanded or built (resource_estimate.hpp).
  scenario::ResourceBudget budget(doc, overrides.max_memory ? *overrides.max_memory : default_max_memory());
  scenario::TopologyReading estate =
      scenario::read_topology_and_timeline(doc, top.get("topology"), top.get("timeline"), sim.duration, budget);
  const scenario::EstateNames estate_names = scenario::estate_names(estate.topology, estate.timeline, estate.templates);
  sim.token_path.faults = std::move(estate.faults);
  sim.token_path.arm.outages = std::move(estate.arm_outages);

  if (top.has("services")) {
    const YAML::Node services = top.get("services");
    if (!services.IsMap())
      doc.fail(services,
               "'services' must map service names to their parameters, e.g. {aad: {servers: 64, latency: 40ms}}");
    std::set<std::string, std::less<>> seen;
    for (auto it = services.begin(); it != services.end(); ++it) {
      if (!it->first.IsScalar()) doc.fail(it->first, "service names must be plain words");
      const std::string name = it->first.Scalar();
      if (!seen.insert(name).second) doc.fail(it->first, "duplicate service '" + name + "'");
      if (scenario::is_token_service(name)) {
        scenario::read_token_service(doc, name, it->second, sim.token_path);
        continue;
      }
      budget.add(scenario::Cost::kStage, 1, it->first, "service '" + name + "'");
      sim.stages.push_back(read_stage(doc, name, it->second));
    }
  }
  if (top.has("services")) scenario::check_region_resources(doc, top.get("services"), estate_names, sim.token_path.aad);
  scenario::check_fault_regions(doc, sim.token_path.faults, estate.fault_region_places, sim.token_path.aad);
  std::vector<SourcePlace> workload_places;
  if (top.has("workload")) {
    const YAML::Node workload = top.get("workload");
    scenario::require_sequence(doc, workload, "'workload'");
    for (std::size_t i = 0; i < workload.size(); ++i) {
      // `from:` makes application calls through the token path; `stage:` feeds a stage directly.
      if (workload[i].IsMap() && workload[i]["from"].IsDefined()) {
        sim.token_path.calls.push_back(
            scenario::read_call_workload(doc, workload[i], i, estate_names, sim.token_path, budget));
      } else {
        sim.workloads.push_back(read_workload(doc, sim, workload[i], i));
        workload_places.push_back(doc.place(workload[i]));
      }
    }
  }
  if (top.has("expect")) {
    const YAML::Node expect = top.get("expect");
    scenario::require_sequence(doc, expect, "'expect'");
    for (std::size_t i = 0; i < expect.size(); ++i) {
      if (expect[i].IsMap() && expect[i]["access"].IsDefined()) {
        for (AccessExpectation& a : scenario::read_access_expectation(doc, expect[i], i, estate_names, budget)) {
          s.access_expectations.push_back(std::move(a));
        }
      } else {
        s.expectations.push_back(read_expectation(doc, expect[i], i));
      }
    }
  }
  estimate_run(doc, sim, estate.timeline.size(), workload_places, budget);
  s.estimate = budget.estimate();

  // Only now, with the estimate under the limit, is the estate built (on a scratch directory).
  // The estate to hand out is built beside the check, from the same operations, which neither
  // changes: when the check throws, the future's destructor waits for the build to finish.
  std::future<Result<Directory>> handed_out;
  if (built_estate != nullptr) {
    handed_out = std::async(std::launch::async,
                            [&topology = estate.topology, seed = sim.seed] { return build_directory(topology, seed); });
  }
  scenario::check_estate(doc, estate, sim.seed);
  if (built_estate != nullptr) {
    Result<Directory> built = handed_out.get();
    // The check built the same operations with the same seed; they cannot fail now.
    if (!built) throw std::logic_error("the estate built for the check does not build again: " + built.error().message);
    *built_estate = std::move(built).value();
  }
  sim.topology = std::move(estate.topology);
  sim.timeline = std::move(estate.timeline);
  return s;
}

Result<Scenario> load_scenario(const std::string& text, const std::string& file, const ScenarioOverrides& overrides,
                               Directory* built_estate) {
  try {
    return read_scenario(text, file, overrides, built_estate);
  } catch (const LoadAbort& abort) {
    return abort.error;
  } catch (const YAML::Exception& e) {
    return Error{"YAML: " + e.msg, SourcePlace{file, e.mark.line + 1, e.mark.column + 1}};
  }
}

}  // namespace

Result<Scenario> load_scenario_text(const std::string& text, const std::string& file,
                                    const ScenarioOverrides& overrides) {
  return load_scenario(text, file, overrides, nullptr);
}

Result<Scenario> load_scenario_file(const std::string& path, const ScenarioOverrides& overrides) {
  Result<std::string> text = scenario::read_scenario_file(path);
  if (!text) return std::move(text).error();
  return load_scenario(*text, path, overrides, nullptr);
}

Result<Scenario> load_scenario_file(const std::string& path, const ScenarioOverrides& overrides, Directory& estate) {
  Result<std::string> text = scenario::read_scenario_file(path);
  if (!text) return std::move(text).error();
  return load_scenario(*text, path, overrides, &estate);
}

Result<std::pair<std::string, std::string>> parse_param_override(const std::string& argument) {
  const std::size_t eq = argument.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Error{"--set expects NAME=VALUE, got '" + argument + "'", {}};
  }
  return std::pair{argument.substr(0, eq), argument.substr(eq + 1)};
}

}  // namespace misim
