// `extends: base.yaml` (docs/scenarios.md, "Extending a scenario"): what a child takes from its
// base and what it replaces, params and --set, errors placed in the file that holds them, cycles
// and the depth limit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "misim/scenario.hpp"
#include "scenario_loading.hpp"
#include "temp_dir_test.hpp"

namespace misim {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;

class Extends : public test_support::TempDirTest {
 protected:
  Extends() : TempDirTest("misim_extends_") {}

  static Scenario load(const std::string& file, const ScenarioOverrides& overrides = {}) {
    return test_support::scenario_from_file(file, overrides);
  }
  static Error error(const std::string& file) { return test_support::error_of(load_scenario_file(file)); }
};

constexpr const char* kBase = R"(# a base
name: base
duration: 1h
seed: 5
params: {rate: 10/s, servers: 4}
services:
  gateway: {servers: ${servers}, queue_capacity: 100, latency: {dist: lognormal, median: 4ms, p99: 20ms}}
  cache: {latency: 1ms}
workload:
  - {name: w1, stage: gateway, rate: ${rate}}
  - {name: w2, stage: cache, rate: 1/s}
expect:
  - {metric: stages.gateway.utilization, below: 0.5}
)";

TEST_F(Extends, TheChildsTopLevelKeysReplaceTheBasesAndTheRestIsInherited) {
  write("base.yaml", kBase);
  const Scenario s = load(write("child.yaml", "# a child\nextends: base.yaml\nname: child\nduration: 2h\n"));
  EXPECT_EQ(s.name, "child");
  EXPECT_EQ(s.simulation.duration, 2 * kHour);
  EXPECT_EQ(s.simulation.seed, 5U);
  ASSERT_EQ(s.simulation.stages.size(), 2U);
  EXPECT_EQ(s.simulation.stages[0].name, "gateway");
  EXPECT_EQ(s.simulation.workloads.size(), 2U);
  EXPECT_EQ(s.expectations.size(), 1U);
  EXPECT_EQ(s.files, (std::vector<std::string>{(dir_ / "child.yaml").string(), (dir_ / "base.yaml").string()}));
}

TEST_F(Extends, ParamsMergeByNameTheChildWinsAndSetWinsOverBoth) {
  write("base.yaml", kBase);
  const std::string child = write("child.yaml", "extends: base.yaml\nparams: {servers: 8, extra: 1}\n");
  const Scenario s = load(child);
  ASSERT_EQ(s.params.size(), 3U);
  EXPECT_EQ(s.params[0].name, "rate");
  EXPECT_EQ(s.params[1].value, "8");
  EXPECT_EQ(s.params[2].name, "extra");
  // The base's ${servers} takes the child's value...
  EXPECT_EQ(s.simulation.stages[0].station.servers, 8);
  // ...and --set takes precedence over both.
  ScenarioOverrides o;
  o.params.emplace_back("servers", "16");
  o.params.emplace_back("rate", "2/s");
  const Scenario set = load(child, o);
  EXPECT_EQ(set.simulation.stages[0].station.servers, 16);
  EXPECT_DOUBLE_EQ(set.simulation.workloads[0].rate.per_second, 2.0);
}

TEST_F(Extends, AServiceMergesSettingBySettingButADistributionIsReplacedWhole) {
  write("base.yaml", kBase);
  const Scenario s = load(write("child.yaml",
                                "extends: base.yaml\nservices:\n  gateway: {servers: 2, latency: {dist: exponential, "
                                "mean: 3ms}}\n  extra: {latency: 2ms}\n"));
  ASSERT_EQ(s.simulation.stages.size(), 3U);
  const StationConfig& gateway = s.simulation.stages[0].station;
  EXPECT_EQ(gateway.servers, 2);
  EXPECT_EQ(gateway.queue_capacity, 100);  // kept from the base
  EXPECT_EQ(gateway.service.kind(), DistributionKind::kExponential);
  EXPECT_DOUBLE_EQ(gateway.service.mean(), 3e6);
  EXPECT_EQ(s.simulation.stages[1].name, "cache");  // the base's order, then the child's new ones
  EXPECT_EQ(s.simulation.stages[2].name, "extra");
}

TEST_F(Extends, WorkloadTimelineAndExpectAreReplacedWhole) {
  write("base.yaml", kBase);
  const Scenario s = load(write("child.yaml",
                                "extends: base.yaml\nworkload: [{name: only, stage: cache, rate: 5/s}]\n"
                                "expect: [{metric: stages.cache.utilization, below: 1}]\n"));
  ASSERT_EQ(s.simulation.workloads.size(), 1U);
  EXPECT_EQ(s.simulation.workloads[0].name, "only");
  ASSERT_EQ(s.expectations.size(), 1U);
  EXPECT_EQ(s.expectations[0].metric, "stages.cache.utilization");
  // An empty list removes the base's.
  const Scenario none = load(write("none.yaml", "extends: base.yaml\nexpect: []\n"));
  EXPECT_TRUE(none.expectations.empty());
}

TEST_F(Extends, TopologyMergesBySectionAndItsListsAreReplaced) {
  write("base.yaml", R"(name: estate
duration: 3h
params: {vms: 3}
topology:
  limits: {role_assignments_per_subscription: 10, directory_objects_per_tenant: 100}
  identities: [{name: web-id}]
  resources:
    - {name: web, type: vm, count: ${vms}, user_assigned: [web-id]}
    - {name: vault, type: key_vault}
  role_assignments: [{principal: web-id, role: Reader, scope: vault}]
timeline:
  - {at: 1h, delete: web-id}
)");
  const Scenario s = load(write("child.yaml", R"(extends: base.yaml
params: {vms: 5}
topology:
  limits: {role_assignments_per_subscription: 20}
  resources:
    - {name: app, type: vm, count: ${vms}, user_assigned: [web-id]}
    - {name: vault, type: key_vault}
timeline: []
)"));
  EXPECT_EQ(s.simulation.topology.limits.role_assignments_per_subscription, 20U);
  EXPECT_EQ(s.simulation.topology.limits.directory_objects_per_tenant, 100U);
  std::size_t apps = 0;
  for (const DirectoryOperation& op : s.simulation.topology.operations) {
    apps += op.kind == OperationKind::kCreateResource && op.subject.rfind("app-", 0) == 0 ? 1 : 0;
    EXPECT_NE(op.subject, "web-0");
  }
  EXPECT_EQ(apps, 5U);
  EXPECT_TRUE(s.simulation.timeline.empty());
}

TEST_F(Extends, AChainResolvesEachPathFromTheFileThatNamesIt) {
  write("common/root.yaml", kBase);
  write("common/middle.yaml", "extends: root.yaml\nname: middle\nparams: {servers: 6}\n");
  const Scenario s = load(write("deep/child.yaml", "extends: ../common/middle.yaml\nduration: 5m\n"));
  EXPECT_EQ(s.name, "middle");
  EXPECT_EQ(s.simulation.duration, 5 * kMinute);
  EXPECT_EQ(s.simulation.stages[0].station.servers, 6);
  EXPECT_EQ(s.files.size(), 3U);
}

TEST_F(Extends, AnErrorInTheBaseIsPlacedInTheBase) {
  write("base.yaml", "name: base\nduration: 1h\nservices:\n  gateway: {servers: 2, latncy: 5ms}\n");
  const Error e = error(write("child.yaml", "extends: base.yaml\nname: child\n"));
  EXPECT_EQ(e.place.file, (dir_ / "base.yaml").string());
  EXPECT_EQ(e.place.line, 4);
  EXPECT_EQ(e.place.column, 25);
  EXPECT_THAT(e.message, HasSubstr("unknown key 'latncy'"));
}

TEST_F(Extends, AYamlErrorInTheBaseIsPlacedInTheBase) {
  write("base.yaml", "name: base\nduration: 1h\nservices: {gateway: {latency: 5ms}\n");
  const Error e = error(write("child.yaml", "extends: base.yaml\n"));
  EXPECT_EQ(e.place.file, (dir_ / "base.yaml").string());
  EXPECT_EQ(e.place.line, 4);
}

TEST_F(Extends, AnErrorInTheChildIsPlacedInTheChildEvenInAMergedSection) {
  write("base.yaml", kBase);
  const Error e = error(write("child.yaml", "extends: base.yaml\nservices:\n  gateway: {servers: none}\n"));
  EXPECT_EQ(e.place.file, (dir_ / "child.yaml").string());
  EXPECT_EQ(e.place.line, 3);
  EXPECT_EQ(e.place.column, 22);
  // A param the base uses but nobody defines is reported where the base uses it.
  write("uses.yaml", "name: b\nduration: 1h\nservices: {g: {servers: ${n}, latency: 1ms}}\n");
  const Error param = error(write("child2.yaml", "extends: uses.yaml\n"));
  EXPECT_EQ(param.place.file, (dir_ / "uses.yaml").string());
  EXPECT_EQ(param.place.line, 3);
}

TEST_F(Extends, ACycleIsReportedWithItsFiles) {
  write("a.yaml", "extends: b.yaml\nname: a\n");
  write("b.yaml", "extends: a.yaml\nname: b\n");
  const Error e = error((dir_ / "a.yaml").string());
  EXPECT_EQ(e.place.file, (dir_ / "b.yaml").string());
  EXPECT_EQ(e.place.line, 1);
  EXPECT_EQ(e.place.column, 10);
  EXPECT_EQ(e.message, "extends cycle: a.yaml -> b.yaml -> a.yaml");
  write("self.yaml", "extends: ./self.yaml\n");
  EXPECT_EQ(error((dir_ / "self.yaml").string()).message, "extends cycle: self.yaml -> self.yaml");
}

TEST_F(Extends, AChainDeeperThanEightFilesIsRefused) {
  for (int i = 1; i <= 9; ++i)
    write("b" + std::to_string(i) + ".yaml", "extends: b" + std::to_string(i + 1) + ".yaml\n");
  write("b10.yaml", "name: end\nduration: 1h\n");
  const Error e = error(write("child.yaml", "extends: b1.yaml\n"));
  EXPECT_THAT(e.message, HasSubstr("more than 8 files deep"));
  EXPECT_EQ(e.place.file, (dir_ / "b8.yaml").string());
  // Eight are allowed.
  write("c8.yaml", "name: end\nduration: 1h\n");
  for (int i = 1; i <= 7; ++i)
    write("c" + std::to_string(i) + ".yaml", "extends: c" + std::to_string(i + 1) + ".yaml\n");
  EXPECT_EQ(load(write("child8.yaml", "extends: c1.yaml\n")).name, "end");
}

TEST_F(Extends, AMissingBaseAParamInExtendsAndAnEmptyBaseAreErrorsAtTheKey) {
  EXPECT_THAT(error(write("missing.yaml", "extends: nowhere.yaml\nname: x\n")).message,
              HasSubstr("cannot open the scenario file"));
  EXPECT_THAT(error(write("param.yaml", "params: {b: base.yaml}\nextends: ${b}\n")).message,
              HasSubstr("'extends' cannot use params"));
  write("empty.yaml", "# nothing\n");
  const Error e = error(write("child.yaml", "extends: empty.yaml\n"));
  EXPECT_EQ(e.place.file, (dir_ / "empty.yaml").string());
  EXPECT_THAT(e.message, HasSubstr("the file is empty"));
}

TEST_F(Extends, TheSourceHashCoversTheBase) {
  const std::string base = write("base.yaml", kBase);
  const std::string child = write("child.yaml", "extends: base.yaml\n");
  const std::uint64_t before = load(child).source_hash;
  std::ofstream(base, std::ios::app) << "# a comment changes the bytes\n";
  EXPECT_NE(load(child).source_hash, before);
}

TEST_F(Extends, AliasesThroughoutAnExtendedFileAreWalkedOnce) {
  // Ten levels of ten aliases each stand for 10^10 paths; the loader visits each node once.
  std::string bomb = "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 10; ++i) {
    const std::string prev = "*a" + std::to_string(i - 1);
    bomb += "x" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int k = 0; k < 9; ++k) bomb += ", " + prev;
    bomb += "]\n";
  }
  write("base.yaml", kBase);
  const Error e = error(write("child.yaml", "extends: base.yaml\n" + bomb));
  EXPECT_THAT(e.message, HasSubstr("unknown key 'x0'"));
}

}  // namespace
}  // namespace misim
