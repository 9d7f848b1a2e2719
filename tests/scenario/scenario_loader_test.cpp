// The scenario loader: what it accepts, and errors placed at FILE:LINE:COL that say what to change.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "misim/scenario.hpp"
#include "misim/simulation.hpp"
#include "misim/topology.hpp"
#include "scenario_loading.hpp"

namespace misim {
namespace {

using testing::HasSubstr;

constexpr const char* kMinimal = R"(# a minimal scenario
name: minimal
duration: 10s
services:
  gateway: {servers: 2, latency: 5ms}
workload:
  - {stage: gateway, rate: 10/s}
)";

Error load_error(const std::string& text, const ScenarioOverrides& overrides = {}) {
  return test_support::error_of(load_scenario_text(text, "t.yaml", overrides));
}

TEST(ScenarioLoader, ReadsAMinimalScenario) {
  Result<Scenario> s = load_scenario_text(kMinimal, "t.yaml");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->name, "minimal");
  EXPECT_EQ(s->simulation.duration, 10 * kSecond);
  ASSERT_EQ(s->simulation.stages.size(), 1U);
  EXPECT_EQ(s->simulation.stages[0].station.servers, 2);
  EXPECT_EQ(s->simulation.stages[0].station.service.kind(), DistributionKind::kConstant);
  EXPECT_DOUBLE_EQ(s->simulation.stages[0].station.service.mean(), 5e6);
  ASSERT_EQ(s->simulation.workloads.size(), 1U);
  EXPECT_DOUBLE_EQ(s->simulation.workloads[0].rate.per_second, 10.0);
}

TEST(ScenarioLoader, SubstitutesParamsInsideFlowMappings) {
  const std::string text = R"(name: p
duration: 1m
params: {n: 7, lat: 3ms, r: 2/s}
services:
  gateway: {servers: ${n}, latency: {dist: exponential, mean: ${lat}}}
workload: [{stage: gateway, rate: ${r}}]
)";
  Result<Scenario> s = load_scenario_text(text, "t.yaml");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->simulation.stages[0].station.servers, 7);
  EXPECT_DOUBLE_EQ(s->simulation.stages[0].station.service.mean(), 3e6);
  EXPECT_DOUBLE_EQ(s->simulation.workloads[0].rate.per_second, 2.0);
}

TEST(ScenarioLoader, SetOverridesAParamAndMarksIt) {
  const std::string text =
      "name: p\nduration: 1m\nparams: {n: 7}\nservices: {gateway: {servers: ${n}, latency: 1ms}}\n";
  ScenarioOverrides o;
  o.params.emplace_back("n", "3");
  Result<Scenario> s = load_scenario_text(text, "t.yaml", o);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->simulation.stages[0].station.servers, 3);
  ASSERT_EQ(s->params.size(), 1U);
  EXPECT_TRUE(s->params[0].overridden);
  EXPECT_EQ(s->params[0].value, "3");
}

TEST(ScenarioLoader, SeedAndDurationOverridesWin) {
  ScenarioOverrides o;
  o.seed = 99;
  o.duration = kHour;
  Result<Scenario> s = load_scenario_text(kMinimal, "t.yaml", o);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->simulation.seed, 99U);
  EXPECT_EQ(s->simulation.duration, kHour);
}

TEST(ScenarioLoader, RejectsAnUnknownSetParamWithASuggestion) {
  ScenarioOverrides o;
  o.params.emplace_back("serverz", "3");
  const Error e = load_error("name: p\nduration: 1m\nparams: {servers: 7}\n", o);
  EXPECT_THAT(e.message, HasSubstr("no param 'serverz'"));
  EXPECT_THAT(e.message, HasSubstr("did you mean 'servers'"));
}

TEST(ScenarioLoader, PlacesAMisspeltKeyAndSuggestsTheRightOne) {
  const Error e = load_error("name: x\nduraton: 10s\n");
  EXPECT_EQ(e.place.file, "t.yaml");
  EXPECT_EQ(e.place.line, 2);
  EXPECT_EQ(e.place.column, 1);
  EXPECT_THAT(e.message, HasSubstr("unknown key 'duraton'"));
  EXPECT_THAT(e.message, HasSubstr("did you mean 'duration'"));
  EXPECT_THAT(e.to_string(), HasSubstr("t.yaml:2:1: error: "));
}

TEST(ScenarioLoader, RequiresNameAndDuration) {
  EXPECT_THAT(load_error("duration: 10s\n").message, HasSubstr("missing required key 'name'"));
  EXPECT_THAT(load_error("name: x\n").message, HasSubstr("missing required key 'duration'"));
}

TEST(ScenarioLoader, RejectsADurationWithoutUnitAtItsPlace) {
  const Error e = load_error("name: x\nduration: 10\n");
  EXPECT_EQ(e.place.line, 2);
  EXPECT_EQ(e.place.column, 11);
  EXPECT_THAT(e.message, HasSubstr("has no unit"));
}

TEST(ScenarioLoader, RejectsARateWithoutUnit) {
  const Error e =
      load_error("name: x\nduration: 1s\nservices: {aad: {latency: 1ms}}\nworkload: [{stage: aad, rate: 10}]\n");
  EXPECT_EQ(e.place.line, 4);
  EXPECT_THAT(e.message, HasSubstr("rate '10' needs a unit"));
}

TEST(ScenarioLoader, RejectsAReferenceToAnUnknownService) {
  const Error e =
      load_error("name: x\nduration: 1s\nservices: {aad: {latency: 1ms}}\nworkload: [{stage: add, rate: 1/s}]\n");
  EXPECT_THAT(e.message, HasSubstr("no service named 'add'"));
  EXPECT_THAT(e.message, HasSubstr("did you mean 'aad'"));
}

TEST(ScenarioLoader, RejectsAnUndefinedParamReference) {
  const Error e = load_error("name: x\nduration: ${d}\n");
  EXPECT_EQ(e.place.line, 2);
  EXPECT_THAT(e.message, HasSubstr("unknown param 'd'"));
}

TEST(ScenarioLoader, RejectsWrongTypesWithWhatWasExpected) {
  EXPECT_THAT(load_error("name: x\nduration: 1s\nservices: {aad: {servers: many, latency: 1ms}}\n").message,
              HasSubstr("must be a whole number from 1"));
  EXPECT_THAT(load_error("name: x\nduration: 1s\nservices: {aad: {servers: 0, latency: 1ms}}\n").message,
              HasSubstr("must be from 1 to"));
  EXPECT_THAT(load_error("name: x\nduration: 1s\nservices: [aad]\n").message, HasSubstr("'services' must map"));
  EXPECT_THAT(load_error("name: [a, b]\nduration: 1s\n").message, HasSubstr("must be a single value, not a list"));
}

TEST(ScenarioLoader, RejectsAnUnknownDistributionKindWithASuggestion) {
  const Error e =
      load_error("name: x\nduration: 1s\nservices: {aad: {latency: {dist: lognormel, median: 1ms, p99: 2ms}}}\n");
  EXPECT_THAT(e.message, HasSubstr("did you mean 'lognormal'"));
}

TEST(ScenarioLoader, RejectsInconsistentDistributionParameters) {
  EXPECT_THAT(
      load_error("name: x\nduration: 1s\nservices: {aad: {latency: {dist: lognormal, median: 5ms, p99: 1ms}}}\n")
          .message,
      HasSubstr("p99 must be at least the median"));
  EXPECT_THAT(
      load_error(
          "name: x\nduration: 1s\nservices: {aad: {latency: {dist: empirical, percentiles: {p50: 1ms, p100: 2ms}}}}\n")
          .message,
      HasSubstr("must start at quantile 0"));
}

TEST(ScenarioLoader, RejectsDuplicateKeys) {
  EXPECT_THAT(load_error("name: x\nname: y\nduration: 1s\n").message, HasSubstr("duplicate key 'name'"));
}

TEST(ScenarioLoader, ReportsYamlSyntaxErrorsWithTheirPlace) {
  const Error e = load_error("name: x\nduration: [1s\n");
  EXPECT_THAT(e.message, HasSubstr("a '[' is not closed by a ']' (YAML: "));
  EXPECT_GT(e.place.line, 0);
}

TEST(ScenarioLoader, RejectsAnEmptyFile) { EXPECT_THAT(load_error("").message, HasSubstr("empty")); }

TEST(ScenarioLoader, RejectsAWarmupNotShorterThanTheRun) {
  EXPECT_THAT(load_error("name: x\nduration: 1m\nwarmup: 1m\n").message, HasSubstr("'warmup' must be shorter"));
}

TEST(ScenarioLoader, ReadsEveryDistributionKind) {
  const std::string text = R"(name: d
duration: 1s
services:
  a: {latency: {dist: constant, value: 1ms}}
  b: {latency: {dist: exponential, mean: 1ms}}
  c: {latency: {dist: uniform, low: 1ms, high: 3ms}}
  d: {latency: {dist: normal, mean: 2ms, sd: 1ms}}
  e: {latency: {dist: lognormal, median: 2ms, p99: 20ms}}
  f: {latency: {dist: lognormal, mu: -6, sigma: 0.5}}
  g: {latency: {dist: gamma, shape: 2, scale: 1ms}}
  h: {latency: {dist: erlang, k: 3, mean: 3ms}}
  i: {latency: {dist: empirical, percentiles: {p0: 1ms, p50: 2ms, p100: 5ms}}}
)";
  Result<Scenario> s = load_scenario_text(text, "t.yaml");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  const auto& st = s->simulation.stages;
  ASSERT_EQ(st.size(), 9U);
  EXPECT_DOUBLE_EQ(st[2].station.service.mean(), 2e6);
  EXPECT_EQ(st[4].station.service.kind(), DistributionKind::kLognormal);
  // mu is ln(seconds): exp(-6 + 0.125) s = 2.8 ms.
  EXPECT_NEAR(st[5].station.service.mean(), std::exp(-6.0 + 0.125) * 1e9, 1.0);
  EXPECT_DOUBLE_EQ(st[6].station.service.mean(), 2e6);
  EXPECT_DOUBLE_EQ(st[7].station.service.mean(), 3e6);
  EXPECT_EQ(st[8].station.service.kind(), DistributionKind::kEmpirical);
}

TEST(ScenarioLoader, ChecksExpectations) {
  Result<Scenario> s = load_scenario_text(
      "name: x\nduration: 1s\nexpect:\n  - {metric: stages.aad.wait_ms.mean, between: [1, 2]}\n", "t.yaml");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  ASSERT_EQ(s->expectations.size(), 1U);
  EXPECT_EQ(*s->expectations[0].above, 1.0);
  EXPECT_EQ(*s->expectations[0].below, 2.0);
  EXPECT_EQ(s->expectations[0].place.line, 4);
  EXPECT_THAT(load_error("name: x\nduration: 1s\nexpect: [{metric: m}]\n").message,
              HasSubstr("needs 'below', 'above' or 'between'"));
}

TEST(ScenarioTopology, ExpandsCountTemplatesAndTheirReferences) {
  const std::string text = R"(name: t
duration: 1h
params: {n: 3}
topology:
  identities: [{name: web-id}]
  resources:
    - {name: web, type: vm, count: ${n}, system_assigned: true, user_assigned: [web-id]}
    - {name: vault, type: key_vault}
  role_assignments:
    - {principal: web, role: Reader, scope: vault}
)";
  Result<Scenario> s = load_scenario_text(text, "t.yaml");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  Result<Directory> dir = build_directory(s->simulation.topology, 1);
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  for (const char* vm : {"web-0", "web-1", "web-2"}) {
    Result<ResourceId> r = dir->lookup_resource(vm);
    ASSERT_TRUE(r.ok()) << vm;
    EXPECT_EQ(dir->user_assigned_of(*r).size(), 1U);
  }
  EXPECT_FALSE(dir->find("web").has_value());
  EXPECT_EQ(dir->live_count(EntityKind::kRoleAssignment), 3U);  // one per instance
}

/// The user-assigned identities of each instance `web-0` ... of a template, by name.
std::vector<std::string> held_identities(const Directory& dir, const std::string& resource) {
  std::vector<std::string> names;
  for (const IdentityId id : dir.user_assigned_of(*dir.lookup_resource(resource))) {
    names.emplace_back(dir.name(id));
  }
  return names;
}

TEST(ScenarioTopology, SpreadSharesATemplatesIdentitiesOutInConsecutiveBlocks) {
  const std::string text = R"(name: t
duration: 1h
topology:
  identities: [{name: id, count: 2}, {name: common}]
  resources:
    - {name: web, type: vm, count: 8, user_assigned: [{spread: id}, common]}
)";
  Result<Scenario> s = load_scenario_text(text, "t.yaml");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  Result<Directory> dir = build_directory(s->simulation.topology, 1);
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  for (int i = 0; i < 8; ++i) {
    const std::string vm = "web-" + std::to_string(i);
    EXPECT_THAT(held_identities(*dir, vm), testing::UnorderedElementsAre(i < 4 ? "id-0" : "id-1", "common")) << vm;
  }
}

TEST(ScenarioTopology, SpreadOverAnUnevenCountGivesBlocksThatDifferByOne) {
  const std::string text = R"(name: t
duration: 1h
topology:
  identities: [{name: id, count: 2}]
  resources: [{name: web, type: vm, count: 5, user_assigned: [{spread: id}]}]
)";
  Result<Scenario> s = load_scenario_text(text, "t.yaml");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  Result<Directory> dir = build_directory(s->simulation.topology, 1);
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  // Instance i holds identity i * 2 / 5.
  for (const auto& [vm, id] : std::vector<std::pair<std::string, std::string>>{
           {"web-0", "id-0"}, {"web-1", "id-0"}, {"web-2", "id-0"}, {"web-3", "id-1"}, {"web-4", "id-1"}}) {
    EXPECT_THAT(held_identities(*dir, vm), testing::ElementsAre(id)) << vm;
  }
}

TEST(ScenarioTopology, SpreadWorksInTheTimelinesCreateResourceToo) {
  const std::string text = R"(name: t
duration: 1h
topology:
  identities: [{name: id, count: 2}]
timeline:
  - {at: 10m, create_resource: {name: web, type: vm, count: 4, user_assigned: [{spread: id}]}}
)";
  Result<Scenario> s = load_scenario_text(text, "t.yaml");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  std::vector<std::string> attached;
  for (const TimedOperation& t : s->simulation.timeline) {
    if (t.operation.kind == OperationKind::kAttach) attached.push_back(t.operation.subject + ">" + t.operation.target);
  }
  EXPECT_THAT(attached, testing::ElementsAre("web-0>id-0", "web-1>id-0", "web-2>id-1", "web-3>id-1"));
}

TEST(ScenarioTopology, SpreadIsRefusedWithoutTwoTemplatesOrWithMoreIdentitiesThanInstances) {
  const std::string head = "name: t\nduration: 1h\ntopology:\n  identities: [{name: id, count: 3}, {name: one}]\n";
  EXPECT_THAT(
      load_error(head + "  resources: [{name: web, type: vm, count: 4, user_assigned: [{spread: one}]}]\n").to_string(),
      HasSubstr("t.yaml:5:72: error: resource 'web' 'user_assigned' 'spread' shares out the instances of a "
                "template"));
  EXPECT_THAT(load_error(head + "  resources: [{name: web, type: vm, user_assigned: [{spread: id}]}]\n").to_string(),
              HasSubstr("t.yaml:5:53: error: resource 'web': 'spread' gives each instance of a template one of "
                        "another template's identities; resource 'web' has no 'count'"));
  EXPECT_THAT(
      load_error(head + "  resources: [{name: web, type: vm, count: 2, user_assigned: [{spread: id}]}]\n").to_string(),
      HasSubstr("t.yaml:5:63: error: resource 'web': spreading 3 identities over 2 instances would leave 1 "
                "of them unused"));
  EXPECT_THAT(
      load_error(head + "  resources: [{name: web, type: vm, count: 4, user_assigned: [{spred: id}]}]\n").to_string(),
      HasSubstr("unknown key 'spred'"));
}

TEST(ScenarioWorkload, AnIdentityTemplateMakesEachCallerNameTheInstanceItHolds) {
  // The VMs' system-assigned identities have no role: only their own user-assigned identity, named
  // per caller, reaches the vault. web-0 and web-1 share id-0, deleted at 1h: their cached tokens
  // still work, but a new acquisition is refused ("Identity not found").
  const std::string text = R"(name: t
duration: 3h
topology:
  identities: [{name: id, count: 2}]
  resources:
    - {name: web, type: vm, count: 4, system_assigned: true, user_assigned: [{spread: id}]}
    - {name: vault, type: key_vault}
  role_assignments: [{principal: id, role: Key Vault Secrets User, scope: vault}]
services: {aad: {token_lifetime: 90m}}
workload: [{from: web, target: vault, identity: id, rate: 1/min, client: msal}]
timeline: [{at: 1h, delete: id-0}]
)";
  Result<Scenario> s = load_scenario_text(text, "t.yaml");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  Simulation sim(s->simulation);
  sim.run();
  ASSERT_EQ(sim.access_pairs().size(), 4U);
  for (const AccessPair& p : sim.access_pairs()) {
    const std::string vm(sim.directory().name(p.resource));
    EXPECT_GT(p.granted, 0U) << vm;
    if (vm == "web-2" || vm == "web-3") {
      EXPECT_EQ(p.denied, 0U) << vm;
    }
    if (vm == "web-0" || vm == "web-1") {
      EXPECT_GT(p.denied, 0U) << vm;
      EXPECT_GT(p.first_denied, 90 * kMinute) << vm;  // the token issued before 1h lasted
    }
  }
}

TEST(ScenarioTopology, CreatesADefaultTenantSubscriptionAndGroup) {
  Result<Scenario> s =
      load_scenario_text("name: t\nduration: 1h\ntopology:\n  resources: [{name: v, type: vm}]\n", "t.yaml");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  Result<Directory> dir = build_directory(s->simulation.topology, 1);
  ASSERT_TRUE(dir.ok());
  EXPECT_TRUE(dir->find("tenant").has_value());
  EXPECT_TRUE(dir->find("subscription").has_value());
  EXPECT_TRUE(dir->find("rg").has_value());
}

TEST(ScenarioTimeline, KeepsFileOrderAtEqualTimesAndSortsByTime) {
  const std::string text = R"(name: t
duration: 3h
topology:
  identities: [{name: a}, {name: b}]
timeline:
  - {at: 2h, delete: b}
  - {at: 1h, delete: a}
  - {at: 2h, create_user_assigned: {name: c}}
)";
  Result<Scenario> s = load_scenario_text(text, "t.yaml");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  const auto& tl = s->simulation.timeline;
  ASSERT_EQ(tl.size(), 3U);
  EXPECT_EQ(tl[0].at, kHour);
  EXPECT_EQ(tl[0].operation.subject, "a");
  EXPECT_EQ(tl[1].operation.subject, "b");
  EXPECT_EQ(tl[2].operation.subject, "c");
}

TEST(ScenarioTimeline, ReportsAnOperationOnADeletedEntityWhereItIsWritten) {
  const Error e = load_error(
      "name: t\nduration: 3h\ntopology:\n  identities: [{name: a}]\ntimeline:\n  - {at: 1h, delete: a}\n  - {at: 2h, "
      "delete: a}\n");
  EXPECT_EQ(e.place.line, 7);
  EXPECT_THAT(e.message, HasSubstr("at 2h"));
}

TEST(ScenarioTimeline, RejectsTwoActionsInOneEntryAndNone) {
  EXPECT_THAT(load_error("name: t\nduration: 3h\ntopology: {identities: [{name: a}]}\ntimeline: [{at: 1h, delete: a, "
                         "disable_system_assigned: a}]\n")
                  .message,
              HasSubstr("has two actions"));
  EXPECT_THAT(load_error("name: t\nduration: 3h\ntimeline: [{at: 1h}]\n").message, HasSubstr("needs an action"));
}

TEST(ParamOverride, SplitsNameAndValue) {
  auto kv = parse_param_override("vms=5000");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->first, "vms");
  EXPECT_EQ(kv->second, "5000");
  EXPECT_FALSE(parse_param_override("vms").ok());
  EXPECT_FALSE(parse_param_override("=5").ok());
}

}  // namespace
}  // namespace misim
