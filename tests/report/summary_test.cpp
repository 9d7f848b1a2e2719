// summary.json (include/misim/summary.hpp): expectations reach every stage, those whose key has a
// dot included, and the endpoint stage says which hosts' endpoint it stands for.
#include "misim/summary.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "misim/scenario.hpp"
#include "misim/simulation.hpp"
#include "scenario_run.hpp"

namespace misim {
namespace {

using Json = nlohmann::json;

struct SummarizedRun : testing::ScenarioRun {
  Json json;
};

SummarizedRun run(const std::string& text) {
  SummarizedRun r;
  static_cast<testing::ScenarioRun&>(r) = testing::run_scenario(load_scenario_text(text, "t.yaml"), false);
  if (!r.summary) return r;
  r.json = Json::parse(r.summary->json_text());
  return r;
}

TEST(Summary, AnExpectationReachesAnAadRegionsStageWhoseKeyHasADot) {
  // Each region's stage is stages["aad.westeurope"], next to stages.aad (all regions merged).
  const SummarizedRun r = run(R"(
name: regions
duration: 1h
services:
  aad: {regions: [{name: westeurope, resources: [web]}, eastus]}
topology:
  identities: [{name: id}]
  resources:
    - {name: web, type: vm, count: 2, user_assigned: [id]}
    - {name: app, type: vm, count: 2, user_assigned: [id]}
    - {name: vault, type: key_vault}
  role_assignments: [{principal: id, role: Key Vault Secrets User, scope: vault}]
workload:
  - {name: a, from: web, target: vault, rate: 1/min, client: msal}
  - {name: b, from: app, target: vault, rate: 1/min, client: msal}
expect:
  - {metric: stages.aad.westeurope.sojourn_ms.p99, above: 0}
  - {metric: stages.aad.westeurope.arrivals, above: 0}
)");
  ASSERT_TRUE(r.summary);
  ASSERT_TRUE(r.json["stages"].contains("aad.westeurope")) << r.json["stages"].dump(2);
  for (const ExpectationResult& e : r.summary->expectations()) {
    EXPECT_TRUE(e.met) << e.text << ": " << e.detail;
    EXPECT_TRUE(e.actual.has_value()) << e.text;
  }
  EXPECT_EQ(r.summary->metric("stages.aad.westeurope.sojourn_ms.p99"),
            r.json["stages"]["aad.westeurope"]["sojourn_ms"]["p99"].get<double>());
  // The regions' arrivals add up to the merged stage's.
  EXPECT_EQ(r.summary->metric("stages.aad.westeurope.arrivals").value_or(-1) +
                r.summary->metric("stages.aad.eastus.arrivals").value_or(-1),
            r.summary->metric("stages.aad.arrivals").value_or(-1));
  EXPECT_FALSE(r.summary->metric("stages.aad.northeurope.arrivals").has_value());
}

std::string hosts(const std::string& resources) {
  return "name: hosts\nduration: 1h\ntopology:\n  resources:\n" + resources +
         "    - {name: vault, type: key_vault}\n"
         "  role_assignments: [{principal: h, role: Key Vault Secrets User, scope: vault}]\n"
         "workload:\n  - {name: a, from: h, target: vault, rate: 1/min, client: msal}\n";
}

TEST(Summary, TheEndpointStageSaysWhichHostsEndpointItStandsFor) {
  const SummarizedRun app = run(hosts("    - {name: h, type: app_service, count: 2, system_assigned: true}\n"));
  ASSERT_TRUE(app.summary);
  const Json& imds = app.json["stages"]["imds"];  // the key stays for every host
  EXPECT_EQ(imds["kind"], "app_service");
  EXPECT_EQ(imds["name"], "App Service identity endpoint (IDENTITY_ENDPOINT)");

  const SummarizedRun arc = run(hosts("    - {name: h, type: arc_server, count: 2, system_assigned: true}\n"));
  ASSERT_TRUE(arc.summary);
  EXPECT_EQ(arc.json["stages"]["imds"]["kind"], "arc_himds");
  EXPECT_EQ(arc.json["stages"]["imds"]["name"], "Arc HIMDS");

  const SummarizedRun vm = run(hosts("    - {name: h, type: vm, count: 2, system_assigned: true}\n"));
  ASSERT_TRUE(vm.summary);
  EXPECT_EQ(vm.json["stages"]["imds"]["kind"], "imds");
  EXPECT_EQ(vm.json["stages"]["imds"]["name"], "IMDS");
}

TEST(Summary, TheEndpointStageOfHostsOfSeveralKindsIsMixed) {
  const SummarizedRun r = run(R"(
name: mixed
duration: 1h
topology:
  resources:
    - {name: web, type: vm, system_assigned: true}
    - {name: fn, type: function_app, system_assigned: true}
    - {name: vault, type: key_vault}
  role_assignments:
    - {principal: web, role: Key Vault Secrets User, scope: vault}
    - {principal: fn, role: Key Vault Secrets User, scope: vault}
workload:
  - {name: a, from: [web, fn], target: vault, rate: 1/min, client: msal}
)");
  ASSERT_TRUE(r.summary);
  EXPECT_EQ(r.json["stages"]["imds"]["kind"], "mixed");
  EXPECT_EQ(r.json["stages"]["imds"]["name"], "IMDS and Functions identity endpoint (IDENTITY_ENDPOINT)");
}

}  // namespace
}  // namespace misim
