// ARM between the timeline and the directory: the documented rate limits on identity creations and
// role-assignment writes (azure-facts.md:52), 429 and the issuer's retry after Retry-After, outages
// in errors and timeouts modes, and latency from issue to effect. docs/model.md, "ARM".
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "misim/scenario.hpp"
#include "misim/simulation.hpp"
#include "misim/trace_event.hpp"
#include "model_test_support.hpp"

namespace misim {
namespace {

using model_test::load_config;

constexpr const char* kSecretsGet = "Microsoft.KeyVault/vaults/secrets/getSecret/action";

/// The record of the operation whose description mentions `name` in quotes.
const TimelineRecord* record_of(const Simulation& sim, const std::string& name) {
  for (const TimelineRecord& r : sim.timeline()) {
    if (r.operation.find("'" + name + "'") != std::string::npos) return &r;
  }
  return nullptr;
}

// Two subscriptions of one tenant; one resource group in each.
constexpr const char* kEstate = R"(name: arm
duration: 1h
topology:
  subscriptions: [{name: s0}, {name: s1}]
  resource_groups: [{name: g0, subscription: s0}, {name: g1, subscription: s1}]
  resources: [{name: vault, type: key_vault, group: g0}]
)";

TEST(Arm, The81stIdentityCreationIn20sOfASubscriptionRegionIsThrottledUntilTheWindowHasRoom) {
  Simulation sim(load_config(std::string(kEstate) + R"(timeline:
  - {at: 1m, create_resource: {name: vm, type: vm, count: 81, group: g0, system_assigned: true}}
)"));
  sim.run();
  for (int i = 0; i < 80; ++i) {
    const TimelineRecord* r = record_of(sim, "vm-" + std::to_string(i));
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->at, kMinute);
    EXPECT_EQ(r->throttled, 0U);
  }
  const TimelineRecord* last = record_of(sim, "vm-80");
  ASSERT_NE(last, nullptr);
  EXPECT_TRUE(last->applied);
  EXPECT_EQ(last->issued, kMinute);
  EXPECT_EQ(last->throttled, 1U);
  EXPECT_EQ(last->at, kMinute + 20 * kSecond);  // Retry-After: until the first 80 leave the window
  EXPECT_EQ(sim.arm_statistics().throttled, 1U);
  EXPECT_EQ(sim.arm_statistics().throttle_delay, 20 * kSecond);
}

TEST(Arm, CreationsWithoutAnIdentityAreNotLimited) {
  Simulation sim(load_config(std::string(kEstate) + R"(timeline:
  - {at: 1m, create_resource: {name: vm, type: vm, count: 200, group: g0}}
)"));
  sim.run();
  EXPECT_EQ(sim.arm_statistics().throttled, 0U);
  EXPECT_EQ(record_of(sim, "vm-199")->at, kMinute);
}

TEST(Arm, EachSubscriptionHasItsOwnWindowUnderTheTenants) {
  Simulation sim(load_config(std::string(kEstate) + R"(timeline:
  - {at: 1m, create_resource: {name: a, type: vm, count: 80, group: g0, system_assigned: true}}
  - {at: 1m, create_resource: {name: b, type: vm, count: 80, group: g1, system_assigned: true}}
)"));
  sim.run();
  EXPECT_EQ(sim.arm_statistics().throttled, 0U);
  EXPECT_EQ(record_of(sim, "b-79")->at, kMinute);
}

TEST(Arm, The401stIdentityCreationIn20sOfATenantRegionIsThrottledUntilTheWindowHasRoom) {
  std::string text = R"(name: arm
duration: 1h
topology:
  subscriptions: [{name: s0}, {name: s1}, {name: s2}, {name: s3}, {name: s4}, {name: s5}]
  resource_groups:
)";
  for (int s = 0; s < 6; ++s)
    text += "    - {name: g" + std::to_string(s) + ", subscription: s" + std::to_string(s) + "}\n";
  text += "timeline:\n";
  for (int s = 0; s < 5; ++s) {
    text += "  - {at: 1m, create_user_assigned: {name: id" + std::to_string(s) + ", count: 80, group: g" +
            std::to_string(s) + "}}\n";
  }
  text += "  - {at: 1m, create_user_assigned: {name: last, group: g5}}\n";
  Simulation sim(load_config(text));
  sim.run();
  EXPECT_EQ(record_of(sim, "id4-79")->at, kMinute);  // the 400th
  const TimelineRecord* last = record_of(sim, "last");
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->throttled, 1U);  // its subscription's window is empty: the tenant's is full
  EXPECT_EQ(last->at, kMinute + 20 * kSecond);
  EXPECT_TRUE(last->applied);
}

TEST(Arm, The301stRoleAssignmentIn20sOfASubscriptionRegionIsThrottled) {
  Simulation sim(load_config(std::string(kEstate) + R"(  identities: [{name: id, count: 301, group: g0}]
timeline:
  - {at: 1m, assign: {principal: id, role: Key Vault Secrets User, scope: vault}}
)"));
  sim.run();
  EXPECT_EQ(record_of(sim, "id-299")->at, kMinute);
  const TimelineRecord* last = record_of(sim, "id-300");
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->throttled, 1U);
  EXPECT_EQ(last->at, kMinute + 20 * kSecond);
  EXPECT_EQ(sim.arm_statistics().throttled_operations, 1U);
}

TEST(Arm, ThrottledOperationsTakeEffectInIssueOrderOneWindowAfterAnother) {
  // 200 creations at once against 80 per 20 s: 80 at once, 80 after 20 s, 40 after 40 s; the ones
  // that lost the race at 20 s are answered 429 again.
  Simulation sim(load_config(std::string(kEstate) + R"(timeline:
  - {at: 1m, create_user_assigned: {name: id, count: 200, group: g0}}
)"));
  sim.run();
  EXPECT_EQ(record_of(sim, "id-159")->at, kMinute + 20 * kSecond);
  EXPECT_EQ(record_of(sim, "id-160")->at, kMinute + 40 * kSecond);
  EXPECT_EQ(record_of(sim, "id-160")->throttled, 2U);
  EXPECT_EQ(sim.arm_statistics().throttled, 120U + 40U);
  EXPECT_EQ(sim.arm_statistics().throttled_operations, 120U);
}

TEST(Arm, AttachmentsAreNotLimitedByDefault) {
  Simulation sim(load_config(std::string(kEstate) + R"(  identities: [{name: shared, group: g0}]
timeline:
  - {at: 1m, create_resource: {name: vm, type: vm, count: 400, group: g0, user_assigned: [shared]}}
)"));
  sim.run();
  EXPECT_EQ(sim.arm_statistics().throttled, 0U);
}

TEST(Arm, TheAssignmentLimitsCanCountIdentityAttachmentsInstead) {
  // The limit's source speaks of assigning a user-assigned identity to a resource (docs/model.md).
  Simulation sim(load_config(std::string(kEstate) + R"(  identities: [{name: shared, group: g0}]
services:
  arm: {limits: {assignments: identity_attachments}}
timeline:
  - {at: 1m, create_resource: {name: vm, type: vm, count: 301, group: g0, user_assigned: [shared]}}
  - {at: 1m, assign: {principal: shared, role: Key Vault Secrets User, scope: vault}}
)"));
  sim.run();
  EXPECT_EQ(record_of(sim, "vm-300")->at, kMinute);  // the VM itself: no identity created
  const TimelineRecord* attach = nullptr;
  for (const TimelineRecord& r : sim.timeline()) {
    if (r.operation.find("attach") != std::string::npos && r.operation.find("'vm-300'") != std::string::npos)
      attach = &r;
  }
  ASSERT_NE(attach, nullptr);
  EXPECT_EQ(attach->throttled, 1U);
  EXPECT_EQ(attach->at, kMinute + 20 * kSecond);
  EXPECT_EQ(sim.arm_statistics().throttled_operations, 1U);  // the role assignment is not counted now
}

TEST(Arm, LimitsAreSettable) {
  Simulation sim(load_config(std::string(kEstate) + R"(services:
  arm: {limits: {identity_creations_per_subscription_region: 40, window: 10s}}
timeline:
  - {at: 1m, create_user_assigned: {name: id, count: 41, group: g0}}
)"));
  sim.run();
  EXPECT_EQ(record_of(sim, "id-40")->at, kMinute + 10 * kSecond);
}

TEST(Arm, AnUnlimitedClassIsNeverThrottled) {
  Simulation sim(load_config(std::string(kEstate) + R"(services:
  arm: {limits: {identity_creations_per_subscription_region: unlimited, identity_creations_per_tenant_region: unlimited}}
timeline:
  - {at: 1m, create_user_assigned: {name: id, count: 1000, group: g0}}
)"));
  sim.run();
  EXPECT_EQ(sim.arm_statistics().throttled, 0U);
}

// A user-assigned identity granted a vault's secrets, and an ARM outage 10:00-20:00.
std::string outage(const std::string& mode) {
  return std::string(kEstate) + R"(  identities: [{name: a, group: g0}, {name: b, group: g0}]
timeline:
  - {at: 10m, outage: {service: arm, for: 10m, mode: )" +
         mode + R"(}}
  - {at: 12m, delete: a}
  - {at: 25m, delete: b}
)";
}

TEST(Arm, AnOutageInErrorsModeFailsTheOperationsInsideItAndNotThoseAfter) {
  Simulation sim(load_config(outage("errors")));
  sim.run();
  const TimelineRecord* inside = record_of(sim, "a");
  ASSERT_NE(inside, nullptr);
  EXPECT_FALSE(inside->applied);
  EXPECT_EQ(inside->at, 12 * kMinute);
  EXPECT_NE(inside->error.find("ARM outage"), std::string::npos) << inside->error;
  EXPECT_TRUE(sim.directory().find("a").has_value());  // still there
  const TimelineRecord* after = record_of(sim, "b");
  ASSERT_NE(after, nullptr);
  EXPECT_TRUE(after->applied);
  EXPECT_FALSE(sim.directory().find("b").has_value());
  EXPECT_EQ(sim.arm_statistics().failed, 1U);
}

TEST(Arm, AnOutageInTimeoutsModeHoldsOperationsUntilItEnds) {
  Simulation sim(load_config(outage("timeouts")));
  sim.run();
  const TimelineRecord* inside = record_of(sim, "a");
  ASSERT_NE(inside, nullptr);
  EXPECT_TRUE(inside->applied);
  EXPECT_EQ(inside->issued, 12 * kMinute);
  EXPECT_EQ(inside->at, 20 * kMinute);
  EXPECT_EQ(sim.arm_statistics().held_by_outages, 1U);
  EXPECT_EQ(sim.arm_statistics().failed, 0U);
}

TEST(Arm, AnOutageIsNamedAndMarkedInTraces) {
  struct Faults : EventSink {
    void on_begin(const RunInfo& run) override { names = run.faults; }
    void on_event(const TraceEvent& e) override {
      if (e.kind == EventKind::kFault) marks.push_back(e);
    }
    std::vector<std::string> names;
    std::vector<TraceEvent> marks;
  } faults;
  Simulation sim(load_config(outage("errors")));
  sim.attach(faults, TraceLevel::kLifecycle);
  sim.run();
  ASSERT_EQ(faults.names.size(), 1U);
  EXPECT_NE(faults.names[0].find("ARM outage"), std::string::npos);
  ASSERT_EQ(faults.marks.size(), 2U);
  EXPECT_EQ(faults.marks[0].time, 10 * kMinute);
  EXPECT_EQ(faults.marks[1].time, 20 * kMinute);
}

// A role assignment removed at 30:00, with ARM taking 45 s to apply it.
constexpr const char* kUnassign = R"(name: arm
duration: 1h
services:
  arm: {latency: 45s}
topology:
  identities: [{name: app}]
  resources: [{name: vault, type: key_vault}]
  role_assignments: [{principal: app, role: Key Vault Secrets User, scope: vault}]
timeline:
  - {at: 30m, unassign: {principal: app, role: Key Vault Secrets User, scope: vault}}
)";

TEST(Arm, LatencyDelaysTheEffectOfAnOperationOnTheDirectory) {
  Simulation sim(load_config(kUnassign));
  const auto granted = [&] {
    const IdentityId app = *sim.directory().lookup_principal("app");
    return sim.directory().check_access(app, *sim.directory().find("vault"), kSecretsGet).granted;
  };
  const SimTime effect = 30 * kMinute + 45 * kSecond;
  sim.advance(effect - 1);
  EXPECT_TRUE(granted()) << "removed at 30:00, but ARM applies it only at 30:45";
  sim.advance(effect);
  EXPECT_FALSE(granted());
  ASSERT_EQ(sim.timeline().size(), 1U);
  EXPECT_EQ(sim.timeline()[0].issued, 30 * kMinute);
  EXPECT_EQ(sim.timeline()[0].at, effect);
}

TEST(Arm, TheTraceRecordsWhenAnOperationWasIssuedAndWhenItTookEffect) {
  struct Operations : EventSink {
    void on_event(const TraceEvent& e) override {
      if (e.kind == EventKind::kOperation) list.push_back(e);
    }
    std::vector<TraceEvent> list;
  } ops;
  Simulation sim(load_config(kUnassign));
  sim.attach(ops, TraceLevel::kLifecycle);
  sim.run();
  ASSERT_EQ(ops.list.size(), 1U);
  EXPECT_EQ(ops.list[0].begin, 30 * kMinute);
  EXPECT_EQ(ops.list[0].time, 30 * kMinute + 45 * kSecond);
  EXPECT_EQ(ops.list[0].status, 1);
}

TEST(Arm, ByDefaultAnOperationTakesEffectWhenItIsIssued) {
  std::string text = kUnassign;
  text.erase(text.find("services:"), text.find("topology:") - text.find("services:"));
  Simulation sim(load_config(text));
  sim.run();
  ASSERT_EQ(sim.timeline().size(), 1U);
  EXPECT_EQ(sim.timeline()[0].at, 30 * kMinute);
  EXPECT_EQ(sim.arm_statistics().delay.max(), 0.0);
}

/// Effect times of 100 deletions issued at once with a random latency.
std::vector<SimTime> effects(std::uint64_t seed) {
  std::string text = std::string(kEstate) + R"(  identities: [{name: id, count: 100, group: g0}]
services:
  arm: {latency: {dist: lognormal, median: 5s, p99: 60s}}
timeline:
  - {at: 1m, delete: id}
)";
  SimulationConfig config = load_config(text);
  config.seed = seed;
  Simulation sim(config);
  sim.run();
  std::vector<SimTime> out;
  for (const TimelineRecord& r : sim.timeline()) out.push_back(r.at);
  EXPECT_EQ(sim.directory().live_count(EntityKind::kIdentity), 0U);
  return out;
}

TEST(Arm, ARunOfDeletionsDelayedAlikeLeavesTheDirectoryInOnePassAndWhole) {
  Simulation sim(load_config(std::string(kEstate) + R"(  identities: [{name: id, count: 50, group: g0}]
services:
  arm: {latency: 10s}
timeline:
  - {at: 1m, delete: id}
  - {at: 2m, create_user_assigned: {name: again, group: g0}}
)"));
  sim.advance(kMinute + 10 * kSecond - 1);
  EXPECT_EQ(sim.directory().live_count(EntityKind::kIdentity), 50U);
  sim.run();
  EXPECT_EQ(sim.directory().live_count(EntityKind::kIdentity), 1U);
  for (const TimelineRecord& r : sim.timeline()) EXPECT_TRUE(r.applied) << r.operation << ": " << r.error;
  EXPECT_EQ(record_of(sim, "id-49")->at, kMinute + 10 * kSecond);
  EXPECT_EQ(record_of(sim, "again")->at, 2 * kMinute + 10 * kSecond);
}

TEST(Arm, LatencyDrawsAreDeterministicForASeed) {
  const std::vector<SimTime> a = effects(7);
  EXPECT_EQ(a, effects(7));
  EXPECT_NE(a, effects(8));
  ASSERT_EQ(a.size(), 100U);
  EXPECT_GT(a.back(), a.front());  // spread, and recorded in effect order
}

TEST(Arm, ArmFiguresAreReadFromTheScenario) {
  const SimulationConfig c = load_config(std::string(kEstate) + R"(services:
  arm:
    latency: {dist: constant, value: 2s}
    limits: {window: 30s, identity_creations_per_subscription_region: 40, identity_creations_per_tenant_region: 200,
             assignments_per_subscription_region: 100, assignments_per_tenant_region: unlimited}
timeline:
  - {at: 1m, outage: {service: arm, for: 5m, mode: timeouts}}
)");
  EXPECT_EQ(c.token_path.arm.latency.mean(), 2e9);
  EXPECT_EQ(c.token_path.arm.limits.window, 30 * kSecond);
  EXPECT_EQ(c.token_path.arm.limits.identity_creations_per_subscription_region, 40U);
  EXPECT_EQ(c.token_path.arm.limits.identity_creations_per_tenant_region, 200U);
  EXPECT_EQ(c.token_path.arm.limits.assignments_per_subscription_region, 100U);
  EXPECT_EQ(c.token_path.arm.limits.assignments_per_tenant_region, 0U);
  EXPECT_EQ(c.token_path.arm.limits.assignments, ArmAssignments::kRoleAssignments);
  ASSERT_EQ(c.token_path.arm.outages.size(), 1U);
  EXPECT_EQ(c.token_path.arm.outages[0].start, kMinute);
  EXPECT_EQ(c.token_path.arm.outages[0].end, 6 * kMinute);
  EXPECT_TRUE(c.token_path.arm.outages[0].timeouts);
  EXPECT_TRUE(c.token_path.faults.empty());
}

}  // namespace
}  // namespace misim
