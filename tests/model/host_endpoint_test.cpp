// The token endpoints other than IMDS (App Service, Arc HIMDS, AKS workload identity), the
// Azure.Identity (.NET) probe and resources' AAD regions, each shown by a small scenario
// (docs/model.md, "Other hosts' token endpoints").
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "misim/scenario.hpp"
#include "misim/simulation.hpp"
#include "model_test_support.hpp"

namespace misim {
namespace {

using model_test::load;
using model_test::pair_of;
using model_test::refused;
using model_test::status_count;

/// The attempts of token requests, in order.
class Attempts : public EventSink {
 public:
  void on_event(const TraceEvent& e) override {
    if (e.kind == EventKind::kAttempt) seen.push_back(e);
  }
  std::vector<TraceEvent> seen;
};

// An App Service with its system-assigned identity and a user-assigned one; the user-assigned one
// may read the vault, the system-assigned one may not.
std::string app_service(const std::string& workload) {
  return R"(name: app
duration: 150m
topology:
  identities: [{name: app-id}]
  resources:
    - {name: app, type: app_service, system_assigned: true, user_assigned: [app-id]}
    - {name: vault, type: key_vault}
  role_assignments: [{principal: app-id, role: Key Vault Secrets User, scope: vault}]
workload:
  - )" + workload +
         "\n";
}

TEST(AppServiceEndpoint, RefusesARequestNamingTwoSelectorsWith400) {
  Simulation sim(load(app_service("{from: app, target: vault, rate: 1/h, arrivals: constant, client: none, "
                                  "identity: app-id, select_by: [client_id, principal_id]}"))
                     .simulation);
  sim.run();
  EXPECT_EQ(status_count(sim, 400), sim.token_statistics().requests);
  EXPECT_GE(status_count(sim, 400), 1U);
  EXPECT_EQ(refused(sim, "selectors_exclusive"), status_count(sim, 400));
  EXPECT_EQ(sim.token_statistics().tokens_issued, 0U);
  EXPECT_EQ(pair_of(sim, "app").granted, 0U);
  EXPECT_EQ(pair_of(sim, "app").first_denial, AccessOutcome::kNoToken);
}

TEST(AppServiceEndpoint, GrantsARequestNamingOneSelector) {
  Simulation sim(load(app_service("{from: app, target: vault, rate: 1/h, arrivals: constant, client: none, "
                                  "identity: app-id, select_by: mi_res_id}"))
                     .simulation);
  sim.run();
  EXPECT_EQ(status_count(sim, 400), 0U);
  EXPECT_GE(pair_of(sim, "app").granted, 1U);
  EXPECT_EQ(pair_of(sim, "app").denied, 0U);
}

TEST(AppServiceEndpoint, UsesTheSystemAssignedIdentityWhenTheRequestNamesNone) {
  // The system-assigned identity has no role at the vault: its token is denied by RBAC, which
  // shows that the endpoint chose it over the user-assigned one.
  Simulation sim(
      load(app_service("{from: app, target: vault, rate: 1/h, arrivals: constant, client: none}")).simulation);
  sim.run();
  EXPECT_EQ(status_count(sim, 400), 0U);
  EXPECT_GE(sim.token_statistics().tokens_issued, 1U);
  EXPECT_EQ(pair_of(sim, "app").granted, 0U);
  EXPECT_EQ(pair_of(sim, "app").first_denial, AccessOutcome::kNoRoleAssignment);
}

TEST(AppServiceEndpoint, RefusesARequestNamingNoneWithoutASystemAssignedIdentity) {
  // IMDS would take the only user-assigned identity; App Service means system-assigned by "none".
  const std::string text = R"(name: app
duration: 2h
topology:
  identities: [{name: app-id}]
  resources:
    - {name: app, type: function_app, user_assigned: [app-id]}
    - {name: vm, type: vm, user_assigned: [app-id]}
    - {name: vault, type: key_vault}
  role_assignments: [{principal: app-id, role: Key Vault Secrets User, scope: vault}]
workload:
  - {from: [app, vm], target: vault, rate: 1/h, arrivals: constant, client: none}
)";
  Simulation sim(load(text).simulation);
  sim.run();
  EXPECT_EQ(pair_of(sim, "app").granted, 0U);
  EXPECT_GE(refused(sim, "no_system_assigned"), 1U);
  EXPECT_GE(pair_of(sim, "vm").granted, 1U);
}

// An Arc server with its system-assigned identity, allowed to read the vault.
constexpr const char* kArc = R"(name: arc
duration: 150m
topology:
  identities: [{name: other-id}]
  resources:
    - {name: arc, type: arc_server, system_assigned: true}
    - {name: vault, type: key_vault}
  role_assignments: [{principal: arc, role: Key Vault Secrets User, scope: vault}]
workload:
)";

TEST(ArcHimdsEndpoint, TakesTheChallengeRoundTripBeforeItsToken) {
  Simulation sim(
      load(std::string(kArc) + "  - {from: arc, target: vault, rate: 1/h, arrivals: constant, client: msal}\n")
          .simulation);
  Attempts attempts;
  sim.attach(attempts, TraceLevel::kRequests);
  sim.advance(kHour + kSecond);  // the first call at 1 h, answered within a second
  ASSERT_EQ(attempts.seen.size(), 2U);
  EXPECT_EQ(attempts.seen[0].status, 401);  // the challenge
  EXPECT_EQ(attempts.seen[0].count, 0U);
  EXPECT_EQ(attempts.seen[1].status, 200);  // the request with the key
  EXPECT_EQ(attempts.seen[1].count, 1U);
  EXPECT_EQ(attempts.seen[0].request, attempts.seen[1].request);
  EXPECT_LE(attempts.seen[0].time, attempts.seen[1].begin);
  EXPECT_EQ(sim.token_statistics().acquisitions, 1U);
  EXPECT_EQ(sim.token_statistics().requests, 2U);
  EXPECT_EQ(sim.token_statistics().tokens_issued, 1U);
  EXPECT_EQ(sim.token_statistics().failed_acquisitions, 0U);
  EXPECT_EQ(pair_of(sim, "arc").granted, 1U);
}

TEST(ArcHimdsEndpoint, RefusesAUserAssignedSelector) {
  Simulation sim(load(std::string(kArc) + "  - {from: arc, target: vault, rate: 1/h, arrivals: constant, "
                                          "client: msal, identity: other-id}\n")
                     .simulation);
  sim.run();
  EXPECT_GE(status_count(sim, 401), 1U);  // challenged first, as every request
  EXPECT_GE(status_count(sim, 400), 1U);
  EXPECT_EQ(refused(sim, "arc_user_assigned"), status_count(sim, 400));
  EXPECT_EQ(sim.token_statistics().tokens_issued, 0U);
  EXPECT_EQ(pair_of(sim, "arc").first_denial, AccessOutcome::kNoToken);
}

TEST(ArcHimdsEndpoint, ChallengesEveryRetryAndKeepsTheProfilesSchedule) {
  // AAD is down: every keyed request gets 503 and MSAL retries it 3 times (1, 2, 4 s,
  // azure-facts.md:25); each retry is challenged again, so 4 x 2 requests.
  const std::string text = std::string(kArc) +
                           "  - {from: arc, target: vault, rate: 1/h, arrivals: constant, client: msal}\n"
                           "timeline:\n  - {at: 30m, outage: {service: aad, for: 1h}}\n";
  Simulation sim(load(text).simulation);
  Attempts attempts;
  sim.attach(attempts, TraceLevel::kRequests);
  sim.advance(kHour + 30 * kSecond);
  EXPECT_EQ(status_count(sim, 401), 4U);
  EXPECT_EQ(status_count(sim, 503), 4U);
  EXPECT_EQ(sim.token_statistics().failed_acquisitions, 1U);
  // 401, 503, 401, 503, ...: each retry's challenge is sent MSAL's delay after the 503.
  ASSERT_EQ(attempts.seen.size(), 8U);
  const std::vector<SimTime> delays = {kSecond, 2 * kSecond, 4 * kSecond};
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(attempts.seen[2 * k].status, 401) << k;
    EXPECT_EQ(attempts.seen[2 * k + 1].status, 503) << k;
    if (k < 3) {
      EXPECT_EQ(attempts.seen[2 * k + 2].begin - attempts.seen[2 * k + 1].time, delays[k]) << k;
    }
  }
}

// Two AKS workloads use one user-assigned identity; its federated credential trusts one service
// account of one cluster.
std::string aks(const std::string& services, const std::string& subject_b) {
  return R"(name: aks
duration: 3h
)" + services +
         R"(topology:
  identities: [{name: pod-id}]
  resources:
    - {name: good, type: aks_workload, user_assigned: [pod-id]}
    - {name: bad, type: aks_workload, user_assigned: [pod-id]}
    - {name: vault, type: key_vault}
  role_assignments: [{principal: pod-id, role: Key Vault Secrets User, scope: vault}]
  federated_credentials:
    - {identity: pod-id, name: web, issuer: "https://oidc.example/c1", subject: "system:serviceaccount:web:web"}
workload:
  - {from: good, target: vault, rate: 1/h, arrivals: constant, client: msal, issuer: "https://oidc.example/c1",
     subject: "system:serviceaccount:web:web"}
  - {from: bad, target: vault, rate: 1/h, arrivals: constant, client: msal, issuer: "https://oidc.example/c1",
     subject: ")" +
         subject_b + R"("}
)";
}

TEST(WorkloadIdentity, AMatchingFederatedCredentialGetsTokensAndAMismatchedSubjectIsDenied) {
  Simulation sim(load(aks("", "system:serviceaccount:web:other")).simulation);
  sim.advance(150 * kMinute);  // the calls at 1 h and 2 h, answered
  const AccessPair& good = pair_of(sim, "good");
  const AccessPair& bad = pair_of(sim, "bad");
  EXPECT_GE(good.granted, 2U);
  EXPECT_EQ(good.denied, 0U);
  EXPECT_EQ(bad.granted, 0U);
  EXPECT_GE(bad.denied, 1U);
  EXPECT_EQ(bad.first_denial, AccessOutcome::kNoToken);
  // The reason: no federated credential matches (AADSTS70021), once per acquisition of `bad`.
  EXPECT_GE(refused(sim, "no_federated_credential"), 1U);
  EXPECT_EQ(refused(sim, "no_federated_credential"), status_count(sim, 400));
  // No IMDS in the path: no endpoint cache, every request of `good` went to AAD.
  EXPECT_EQ(sim.token_statistics().endpoint_cache_hits, 0U);
  EXPECT_EQ(sim.token_statistics().aad_requests, sim.token_statistics().requests);
}

TEST(WorkloadIdentity, AnExpiredServiceAccountTokenIsRefusedWhenTheKubeletStopsRefreshing) {
  // The pods start at 0; their projected tokens live 1 h and are not renewed: the calls at 1 h
  // are refused. The same run with the kubelet refreshing grants them.
  const std::string stopped = "services:\n  workload_identity: {kubelet_refresh: false}\n";
  Simulation sim(load(aks(stopped, "system:serviceaccount:web:web")).simulation);
  sim.run();
  EXPECT_EQ(pair_of(sim, "good").granted, 0U);
  EXPECT_GE(refused(sim, "assertion_expired"), 1U);
  Simulation fresh(load(aks("", "system:serviceaccount:web:web")).simulation);
  fresh.run();
  EXPECT_GE(pair_of(fresh, "good").granted, 1U);
  EXPECT_GE(pair_of(fresh, "bad").granted, 1U);
}

// An AKS pod calls every minute; its identity's federated credential is added by the timeline at
// 00:09:45 and replicates `replication` later.
std::string late_credential(const std::string& replication) {
  return R"(name: late-fic
duration: 30m
services:
  aad: {latency: {dist: constant, value: 40ms}}
)" + replication +
         R"(topology:
  identities: [{name: pod-id}]
  resources:
    - {name: pod, type: aks_workload, user_assigned: [pod-id]}
    - {name: vault, type: key_vault}
  role_assignments: [{principal: pod-id, role: Key Vault Secrets User, scope: vault}]
workload:
  - {from: pod, target: vault, rate: 1/min, arrivals: constant, client: msal, issuer: "https://oidc.example/c1",
     subject: "system:serviceaccount:web:web"}
timeline:
  - {at: 585s, add_federated_credential: {identity: pod-id, name: web, issuer: "https://oidc.example/c1",
     subject: "system:serviceaccount:web:web"}}
)";
}

TEST(WorkloadIdentity, AFederatedCredentialWorksOnlyAfterItsReplicationDelay) {
  // Replication takes 30 s here: the exchange at 00:10:00, 15 s after the credential was added,
  // gets AADSTS70021 (400, azure-facts.md:56); the one at 00:11:00 gets its token.
  Simulation sim(
      load(late_credential("  workload_identity: {federated_credential_replication: {dist: constant, value: 30s}}\n"))
          .simulation);
  Attempts attempts;
  sim.attach(attempts, TraceLevel::kRequests);
  sim.run();
  EXPECT_EQ(refused(sim, "no_federated_credential"), 9U);  // 00:01 to 00:09: no credential yet
  EXPECT_EQ(refused(sim, "federated_credential_replicating"), 1U);
  ASSERT_GE(attempts.seen.size(), 11U);
  EXPECT_EQ(attempts.seen[9].status, 400);
  EXPECT_EQ(attempts.seen[9].begin, 10 * kMinute);
  EXPECT_EQ(attempts.seen[10].status, 200);
  EXPECT_EQ(attempts.seen[10].begin, 11 * kMinute);
  const AccessPair& pod = pair_of(sim, "pod");
  EXPECT_EQ(pod.first_granted, attempts.seen[10].time);
  EXPECT_EQ(pod.first_denial, AccessOutcome::kNoToken);
}

TEST(WorkloadIdentity, AFederatedCredentialsDefaultReplicationIsSecondsToAMinute) {
  // By default a credential replicates 5 s to 60 s after it is added (as identities do,
  // azure-facts.md:56): the call 15 s after creation fails or not, the one 75 s after succeeds.
  Simulation sim(load(late_credential("")).simulation);
  EXPECT_EQ(sim.config().token_path.hosts.workload_identity.federated_credential_replication.mean(), 32.5e9);
  sim.run();
  EXPECT_LE(refused(sim, "federated_credential_replicating"), 1U);
  const AccessPair& pod = pair_of(sim, "pod");
  EXPECT_GE(pod.first_granted, 10 * kMinute);
  EXPECT_LT(pod.first_granted, 11 * kMinute + kSecond);
}

TEST(WorkloadIdentity, The21stFederatedCredentialOfAnIdentityIsRefused) {
  // At most 20 per user-assigned identity (azure-facts.md:54).
  std::string text = "name: fic\nduration: 1h\ntopology:\n  identities: [{name: pod-id}]\n  federated_credentials:\n";
  for (int i = 0; i < 21; ++i) {
    text += "    - {identity: pod-id, name: fic-" + std::to_string(i) +
            ", issuer: \"https://oidc.example/c1\", subject: \"system:serviceaccount:ns:sa-" + std::to_string(i) +
            "\"}\n";
  }
  Result<Scenario> s = load_scenario_text(text, "fic.yaml");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().to_string().find("maximum of 20 federated credentials"), std::string::npos)
      << s.error().to_string();
  EXPECT_EQ(s.error().place.line, 26);  // the 21st entry
  // Twenty are accepted.
  const std::size_t last = text.rfind("    - {identity");
  EXPECT_TRUE(load_scenario_text(text.substr(0, last), "fic.yaml").ok());
}

// One VM whose application uses a client library; AAD tokens live 1 h, so it acquires every hour.
std::string dotnet(const std::string& client, const std::string& imds) {
  return R"(name: probe
duration: 5h
services:
  aad: {token_lifetime: 1h}
  imds: )" +
         imds + R"(
topology:
  resources:
    - {name: vm, type: vm, system_assigned: true}
    - {name: vault, type: key_vault}
  role_assignments: [{principal: vm, role: Key Vault Secrets User, scope: vault}]
workload:
  - {from: vm, target: vault, rate: 1/min, arrivals: constant, client: )" +
         client + "}\n";
}

TEST(DotnetProbe, HappensOnceOnTheFirstAcquisition) {
  Simulation sim(load(dotnet("azure-identity-dotnet", "{latency: 2ms}")).simulation);
  Attempts attempts;
  sim.attach(attempts, TraceLevel::kRequests);
  sim.run();
  ASSERT_GE(sim.token_statistics().acquisitions, 4U);
  // One probe, answered 400 for the missing Metadata header (azure-facts.md:18, :29), then the
  // real request; every later acquisition is one request.
  EXPECT_EQ(status_count(sim, 400), 1U);
  ASSERT_GE(attempts.seen.size(), 2U);
  EXPECT_EQ(attempts.seen[0].status, 400);
  EXPECT_EQ(attempts.seen[1].status, 200);
  EXPECT_EQ(attempts.seen[1].request, attempts.seen[0].request);
  EXPECT_EQ(sim.token_statistics().requests, sim.token_statistics().acquisitions + 1);
  EXPECT_EQ(sim.token_statistics().failed_acquisitions, 0U);
  EXPECT_EQ(pair_of(sim, "vm").denied, 0U);
  // The same client profile without the probe (the JS library) sends no such request.
  Simulation js(load(dotnet("azure-identity-js", "{latency: 2ms}")).simulation);
  js.run();
  EXPECT_EQ(status_count(js, 400), 0U);
  EXPECT_EQ(js.token_statistics().requests, js.token_statistics().acquisitions);
}

TEST(DotnetProbe, TimesOutAfterItsOwnTimeout) {
  // IMDS takes 1.5 s: the probe (1 s timeout) gets no answer in time and the request counts as a
  // timeout (408), which the profile retries; the retry probes again.
  Simulation sim(load(dotnet("azure-identity-dotnet", "{latency: 1500ms}")).simulation);
  sim.advance(kHour);
  EXPECT_EQ(refused(sim, "probe_timeout"), status_count(sim, 408));
  EXPECT_GE(status_count(sim, 408), 1U);
  EXPECT_EQ(pair_of(sim, "vm").granted, 0U);
}

TEST(AadRegions, AResourceNamedInARegionSendsItsRequestsThere) {
  const std::string text = R"(name: regions
duration: 2h
services:
  aad: {regions: [{name: eu, resources: [web]}, {name: us, resources: [app]}, asia]}
topology:
  resources:
    - {name: web, type: vm, count: 4, system_assigned: true}
    - {name: app, type: app_service, system_assigned: true}
    - {name: vault, type: key_vault}
  role_assignments:
    - {principal: web, role: Key Vault Secrets User, scope: vault}
    - {principal: app, role: Key Vault Secrets User, scope: vault}
workload:
  - {from: [web, app], target: vault, rate: 1/h, arrivals: constant, client: msal}
)";
  Simulation sim(load(text).simulation);
  sim.run();
  ASSERT_EQ(sim.aad_region_count(), 3U);
  EXPECT_EQ(sim.aad_region(0).statistics().arrivals, 4U);  // the four web VMs
  EXPECT_EQ(sim.aad_region(1).statistics().arrivals, 1U);  // the app
  EXPECT_EQ(sim.aad_region(2).statistics().arrivals, 0U);
}

TEST(AadRegions, AResourceInTwoRegionsIsAnError) {
  const std::string text = R"(name: regions
duration: 2h
services:
  aad: {regions: [{name: eu, resources: [web]}, {name: us, resources: [web]}]}
topology:
  resources: [{name: web, type: vm, system_assigned: true}]
)";
  Result<Scenario> s = load_scenario_text(text, "r.yaml");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().to_string().find("already in region 'eu'"), std::string::npos) << s.error().to_string();
}

}  // namespace
}  // namespace misim
