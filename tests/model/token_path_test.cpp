// The token path's rules, each shown by a small scenario (docs/model.md, "The token path").
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "misim/scenario.hpp"
#include "misim/simulation.hpp"
#include "misim/time.hpp"
#include "misim/trace_event.hpp"
#include "model_test_support.hpp"

namespace misim {
namespace {

using model_test::load;
using model_test::pair_of;
using model_test::status_count;

// Six applications on one VM ask for a token at the same instant; IMDS takes 10 ms per request.
constexpr const char* kSixAtOnce = R"(name: six
duration: 2h
services:
  imds: {latency: 10ms}
topology:
  resources:
    - {name: vm, type: vm, system_assigned: true}
    - {name: vault, type: key_vault}
  role_assignments: [{principal: vm, role: Key Vault Secrets User, scope: vault}]
workload:
  - {from: vm, target: vault, rate: 1/h, arrivals: constant, client: none}
  - {from: vm, target: vault, rate: 1/h, arrivals: constant, client: none}
  - {from: vm, target: vault, rate: 1/h, arrivals: constant, client: none}
  - {from: vm, target: vault, rate: 1/h, arrivals: constant, client: none}
  - {from: vm, target: vault, rate: 1/h, arrivals: constant, client: none}
  - {from: vm, target: vault, rate: 1/h, arrivals: constant, client: none}
)";

TEST(Imds, RejectsTheSixthConcurrentRequestWith429) {
  Simulation sim(load(kSixAtOnce).simulation);
  sim.advance(kHour + 5 * kMillisecond);  // all six sent at 1h, none answered yet
  EXPECT_EQ(sim.token_statistics().requests, 6U);
  EXPECT_EQ(status_count(sim, 429), 1U);
  sim.advance(kHour + kSecond);
  EXPECT_EQ(status_count(sim, 200), 5U);
}

TEST(Imds, RejectsThe21stRequestWithinASecondWith429) {
  std::string text =
      "name: burst\nduration: 2h\nservices:\n  imds: {latency: 1ms, max_concurrent: 100}\n"
      "topology:\n  resources:\n    - {name: vm, type: vm, system_assigned: true}\n"
      "    - {name: vault, type: key_vault}\n"
      "  role_assignments: [{principal: vm, role: Key Vault Secrets User, scope: vault}]\nworkload:\n";
  for (int i = 0; i < 21; ++i) text += "  - {from: vm, target: vault, rate: 1/h, arrivals: constant, client: none}\n";
  Simulation sim(load(text).simulation);
  sim.advance(kHour + 500 * kMillisecond);
  EXPECT_EQ(sim.token_statistics().requests, 21U);
  EXPECT_EQ(status_count(sim, 429), 1U);
  EXPECT_EQ(status_count(sim, 200), 20U);
}

TEST(Imds, TheClientRetriesA429ExactlyOnItsProfilesSchedule) {
  // One request holds IMDS's only concurrency slot for 20 s (under its client's 30 s request
  // timeout); a second application's request gets 429 and MSAL retries it after 1, 2 and 4 s
  // (azure-facts.md:25), then gives up.
  const std::string text = R"(name: retry
duration: 2h
services:
  imds: {latency: 20s, max_concurrent: 1}
topology:
  resources:
    - {name: vm, type: vm, system_assigned: true}
    - {name: vault, type: key_vault}
  role_assignments: [{principal: vm, role: Key Vault Secrets User, scope: vault}]
workload:
  - {from: vm, target: vault, rate: 1/h, arrivals: constant, client: none}
  - {from: vm, target: vault, rate: 1/h, arrivals: constant, client: msal}
)";
  Simulation sim(load(text).simulation);
  // Requests sent by each time: both first tries at 1h, then one retry at +1 s, +3 s and +7 s.
  const std::vector<SimTime> sends = {kHour, kHour + kSecond, kHour + 3 * kSecond, kHour + 7 * kSecond};
  std::uint64_t before = 0;
  for (std::size_t k = 0; k < sends.size(); ++k) {
    sim.advance(sends[k] - 1);
    EXPECT_EQ(sim.token_statistics().requests, before) << "just before send " << k;
    sim.advance(sends[k]);
    before += k == 0 ? 2 : 1;
    EXPECT_EQ(sim.token_statistics().requests, before) << "at send " << k;
  }
  sim.advance(kHour + 60 * kSecond);
  EXPECT_EQ(sim.token_statistics().retries, 3U);
  EXPECT_EQ(sim.token_statistics().failed_acquisitions, 1U);
  EXPECT_EQ(status_count(sim, 429), 4U);
}

TEST(TokenPath, ADeletedSharedIdentityKeepsAccessWhileCachedTokensAreValid) {
  const std::string text = R"(name: uami
duration: 27h
topology:
  identities: [{name: web-id}]
  resources:
    - {name: web, type: vm, count: 3, user_assigned: [web-id]}
    - {name: vault, type: key_vault}
  role_assignments: [{principal: web-id, role: Key Vault Secrets User, scope: vault}]
workload:
  - {from: web, target: vault, rate: 1/min, arrivals: constant, client: msal}
timeline:
  - {at: 2h, delete: web-id}
)";
  Simulation sim(load(text).simulation);
  sim.run();
  for (const char* vm : {"web-0", "web-1", "web-2"}) {
    const AccessPair& p = pair_of(sim, vm);
    // First call at 1 min gets a token valid 24 h; it serves until it expires, then nothing can
    // replace it: IMDS answers 400 "Identity not found".
    EXPECT_GE(p.first_granted, kMinute) << vm;  // when the first token arrives
    EXPECT_LT(p.first_granted, kMinute + kSecond) << vm;
    EXPECT_GE(p.first_denied, kMinute + 24 * kHour) << vm;
    // The next call after expiry, once IMDS has answered its token request with 400.
    EXPECT_LE(p.first_denied, kMinute + 24 * kHour + kMinute + kSecond) << vm;
    EXPECT_LT(p.last_granted, p.first_granted + 24 * kHour) << vm;
    EXPECT_EQ(p.first_denial, AccessOutcome::kNoToken) << vm;
  }
  EXPECT_GT(status_count(sim, 400), 0U);
}

// One VM, `reporter`, reads the storage account `reports` every second through MSAL for an hour,
// with the role assignments and the timeline given; RBAC changes are visible after 5 minutes.
// Returns the pair's record at the end.
AccessPair reporter_run(const std::string& role_assignments, const std::string& timeline) {
  const std::string text = R"(name: reporter
duration: 1h
services:
  propagation: {rbac_delay: 5m}
topology:
  resources:
    - {name: reporter, type: vm, system_assigned: true}
    - {name: reports, type: storage_account}
  role_assignments: )" + role_assignments +
                           R"(
workload:
  - {from: reporter, target: reports, rate: 1/s, arrivals: constant, client: msal}
timeline:
)" + timeline + "\n";
  Simulation sim(load(text).simulation);
  sim.run();
  return pair_of(sim, "reporter");
}

TEST(TokenPath, ARemovedRoleAssignmentStopsGrantingOnlyAfterThePropagationDelay) {
  const AccessPair p =
      reporter_run("[{principal: reporter, role: Storage Blob Data Reader, scope: reports}]",
                   "  - {at: 30m, unassign: {principal: reporter, role: Storage Blob Data Reader, scope: reports}}");
  EXPECT_EQ(p.first_denied, 35 * kMinute);  // calls every second: the first at the change's visibility
  EXPECT_EQ(p.last_granted, 35 * kMinute - kSecond);
  EXPECT_EQ(p.first_denial, AccessOutcome::kNoRoleAssignment);
}

// Most calls of a caller whose token is cached take a quiet path that skips the target's checks
// (TokenPath::Slot::quiet_until): a change at the target must still be seen by the first call at
// or after it, as the full checks would.
TEST(TokenPath, ACallWithACachedTokenIsDeniedFromTheMomentItsTargetIsDeleted) {
  // At the group, so that deleting the account leaves the assignment (and RBAC's answer) alone.
  const AccessPair p = reporter_run("[{principal: reporter, role: Storage Blob Data Reader, scope: rg}]",
                                    "  - {at: 30m, delete: reports}");
  EXPECT_EQ(p.first_denied, 30 * kMinute);  // the deletion runs before the call due at its time
  EXPECT_EQ(p.last_granted, 30 * kMinute - kSecond);
  EXPECT_EQ(p.first_denial, AccessOutcome::kTargetGone);
}

TEST(TokenPath, ACallerDeniedForLackOfARoleIsGrantedFromTheNewAssignmentsVisibility) {
  const AccessPair p = reporter_run(
      "[]", "  - {at: 10m, assign: {principal: reporter, role: Storage Blob Data Reader, scope: reports}}");
  EXPECT_EQ(p.first_denial, AccessOutcome::kNoRoleAssignment);
  EXPECT_EQ(p.first_granted, 15 * kMinute);
  EXPECT_EQ(p.last_denied, 15 * kMinute - kSecond);
}

// Most calls of a caller whose token is cached take the quiet path (TokenPath::Slot::quiet_until),
// which reads one line of the caller's slot and records into its access pair: the pair must hold
// every call and the last one's time.
TEST(TokenPath, EveryCallOfTheQuietPathIsCountedInItsAccessPair) {
  const std::string text = R"(name: quiet
duration: 1h
topology:
  resources:
    - {name: reporter, type: vm, system_assigned: true}
    - {name: reports, type: storage_account}
  role_assignments: [{principal: reporter, role: Storage Blob Data Reader, scope: reports}]
workload:
  - {from: reporter, target: reports, rate: 1/s, arrivals: constant, client: msal}
)";
  Simulation sim(load(text).simulation);
  sim.run();
  const AccessPair& p = pair_of(sim, "reporter");
  EXPECT_EQ(p.granted, sim.token_statistics().calls);
  EXPECT_GT(p.granted, 3500U);
  EXPECT_EQ(p.denied, 0U);
  EXPECT_GT(p.first_granted, kSecond);  // the first call, once its token came
  EXPECT_LT(p.first_granted, 2 * kSecond);
  EXPECT_EQ(p.last_granted, kHour);  // the last call, at the end
}

// Two workloads of one VM call the same target, one through an identity the target grants and
// one through an identity it does not: their calls alternate in the one access pair, each one
// changing its outcome, on the quiet path as on the full one.
TEST(TokenPath, TwoCallersSharingAnAccessPairEachSeeTheOthersOutcome) {
  const std::string text = R"(name: shared
duration: 1h
topology:
  identities: [{name: reader}, {name: stranger}]
  resources:
    - {name: vm, type: vm, user_assigned: [reader, stranger]}
    - {name: vault, type: key_vault}
  role_assignments: [{principal: reader, role: Key Vault Secrets User, scope: vault}]
workload:
  - {from: vm, target: vault, identity: reader, rate: 1/min, arrivals: constant, client: msal}
  - {from: vm, target: vault, identity: stranger, rate: 1/min, arrivals: constant, client: msal, start: 30s}
)";
  struct Changes : EventSink {
    void on_event(const TraceEvent& e) override { count += e.kind == EventKind::kAccessChange ? 1 : 0; }
    std::size_t count = 0;
  };
  Simulation sim(load(text).simulation);
  Changes changes;
  sim.attach(changes, TraceLevel::kLifecycle);
  sim.run();
  const AccessPair& p = pair_of(sim, "vm");
  EXPECT_EQ(p.granted + p.denied, sim.token_statistics().calls);
  EXPECT_EQ(p.granted, 60U);       // 1, 2, ..., 60 min
  EXPECT_EQ(p.denied, 59U);        // 1:30, 2:30, ..., 59:30
  EXPECT_EQ(changes.count, 119U);  // the first call, then every call after it
}

TEST(TokenPath, DuringAnAadOutageCachedTokensWorkAndNewClientsGetNone) {
  const std::string text = R"(name: outage
duration: 14h
topology:
  resources:
    - {name: old, type: vm, count: 5, system_assigned: true}
    - {name: new, type: vm, count: 5, system_assigned: true}
    - {name: vault, type: key_vault}
  role_assignments:
    - {principal: old, role: Key Vault Secrets User, scope: vault}
    - {principal: new, role: Key Vault Secrets User, scope: vault}
workload:
  - {from: old, target: vault, rate: 1/min, client: msal}
  - {from: new, target: vault, rate: 1/min, client: msal, start: 725m}
timeline:
  - {at: 12h, outage: {service: aad, for: 30m}}
)";
  Simulation sim(load(text).simulation);
  sim.run();
  for (int i = 0; i < 5; ++i) {
    const AccessPair& old_vm = pair_of(sim, "old-" + std::to_string(i));
    EXPECT_EQ(old_vm.denied, 0U) << i;
    const AccessPair& new_vm = pair_of(sim, "new-" + std::to_string(i));
    EXPECT_GE(new_vm.first_denied, 12 * kHour + 5 * kMinute) << i;
    EXPECT_LT(new_vm.first_denied, 12 * kHour + 30 * kMinute) << i;
    EXPECT_GE(new_vm.first_granted, 12 * kHour + 30 * kMinute) << i;  // after AAD is back
  }
  EXPECT_GT(status_count(sim, 503), 0U);
}

TEST(TokenPath, MsalRefreshesAgainstImdsCacheFiveTimesADayButAadIssuesOncePerTokenLifetime) {
  // MSAL refreshes when half the remaining lifetime of the token it got has passed, while that is
  // over 2 h (azure-facts.md:26). IMDS serves its cached token until it is about to expire
  // (azure-facts.md:36), with the remaining lifetime, so one token's day goes: new at 0, refresh at
  // 12 h (IMDS gives the same token, 12 h left), 18 h (6 h left), 21 h (3 h left), 22.5 h (1.5 h
  // left: no more proactive refresh), then a new token at expiry: 5 acquisitions a day, 1 issuance.
  const std::string text = R"(name: steady
duration: 96h
topology:
  resources:
    - {name: vm, type: vm, count: 20, system_assigned: true}
    - {name: vault, type: key_vault}
  role_assignments: [{principal: vm, role: Key Vault Secrets User, scope: vault}]
workload:
  - {from: vm, target: vault, rate: 1/min, client: msal}
)";
  Simulation sim(load(text).simulation);
  sim.run();
  const double keys_days = 20.0 * 4.0;
  EXPECT_NEAR(static_cast<double>(sim.token_statistics().acquisitions) / keys_days, 5.0, 0.3);
  EXPECT_NEAR(static_cast<double>(sim.token_statistics().tokens_issued) / keys_days, 1.0, 0.05);
  EXPECT_EQ(sim.token_statistics().failed_acquisitions, 0U);
  EXPECT_EQ(sim.token_statistics().endpoint_cache_hits,
            sim.token_statistics().acquisitions - sim.token_statistics().tokens_issued);
}

// An identity created during the run is unknown at the endpoints until it replicates
// (azure-facts.md:56). Most requests skip that check once every identity has replicated
// (TokenPath::replicated_by_): an identity created later must bring it back for its own requests,
// and leave the others' alone.
TEST(TokenPath, AnIdentityCreatedDuringTheRunIsFoundOnlyOnceItHasReplicated) {
  const std::string text = R"(name: replication
duration: 1h
services:
  imds: {latency: {dist: constant, value: 1ms}, cache: false}
  aad: {latency: {dist: constant, value: 40ms}}
  propagation: {identity_replication: {dist: constant, value: 5m}}
topology:
  resources:
    - {name: early, type: vm}
    - {name: late, type: vm}
    - {name: vault, type: key_vault}
workload:
  - {from: early, target: vault, rate: 1/min, arrivals: constant, client: none}
  - {from: late, target: vault, rate: 1/min, arrivals: constant, client: none}
timeline:
  - {at: 10m, enable_system_assigned: early}
  - {at: 20m, enable_system_assigned: late}
)";
  struct Answers : EventSink {
    void on_event(const TraceEvent& e) override {
      if (e.kind == EventKind::kAttempt) list.push_back({e.time, e.resource, e.status});
    }
    struct Answer {
      SimTime time;
      std::uint32_t host;
      std::uint16_t status;
    };
    std::vector<Answer> list;
  };
  Simulation sim(load(text).simulation);
  Answers answers;
  sim.attach(answers, TraceLevel::kRequests);
  sim.run();
  const std::uint32_t early = sim.directory().lookup_resource("early")->index();
  std::size_t early_found = 0;
  std::size_t late_found = 0;
  for (const Answers::Answer& a : answers.list) {
    // ARM takes the enabling operation in well under a minute; replication takes 5 minutes more.
    const SimTime enabled = a.host == early ? 10 * kMinute : 20 * kMinute;
    const std::string where = (a.host == early ? "early at " : "late at ") + format_clock(a.time);
    if (a.time < enabled + 5 * kMinute) {
      EXPECT_EQ(a.status, 400) << where;
    } else if (a.time > enabled + 6 * kMinute) {
      EXPECT_EQ(a.status, 200) << where;
      ++(a.host == early ? early_found : late_found);
    }
  }
  // Among them, early's requests while late's identity replicates (20-25 min) are answered.
  EXPECT_EQ(early_found, 60U - 16U);  // the calls at 17, 18, ..., 60 min
  EXPECT_EQ(late_found, 60U - 26U);   // 27, ..., 60 min
}

}  // namespace
}  // namespace misim
