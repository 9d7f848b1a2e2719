// The narrated explanation (include/misim/narration.hpp, `misim explain`): the deletion scenarios
// told with their times, impacts and lost accesses; --focus; abbreviation of long lists; speed.
#include "misim/narration.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>

#include "misim/scenario.hpp"
#include "scenario_loading.hpp"

namespace misim {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;
using testing::Not;

using test_support::scenario_from_text;

Scenario load(const std::string& relative, const ScenarioOverrides& overrides = {}) {
  return test_support::scenario_from_file(std::string(MISIM_SOURCE_DIR) + "/" + relative, overrides);
}

std::string told(const Scenario& scenario, const NarrationOptions& options = {}) {
  Result<Narration> n = narrate(scenario, options);
  if (!n) {
    ADD_FAILURE() << n.error().message;
    return std::string();
  }
  return n->text();
}

TEST(Narration, TellsTheEstateAtTheStart) {
  const std::string text = told(load("scenarios/deletion/delete-shared-user-assigned.yaml"));
  EXPECT_THAT(text,
              HasSubstr("00:00:00.000 the estate: 1 tenant, 1 subscription, 1 resource group, 6 resources "
                        "(5 VMs, 1 key vault), 1 user-assigned identity shared by 5 VMs and 1 role assignment.\n"));
  EXPECT_THAT(text, HasSubstr("00:00:00.000 user-assigned identity web-id in rg-web is attached to 5 VMs "
                              "(web-0 ... web-4).\n"));
  EXPECT_THAT(text, HasSubstr("00:00:00.000 5 VMs (web-0 ... web-4) reach vault as Key Vault Secrets User.\n"));
}

TEST(Narration, TellsTheDeletionOfASharedIdentityWithWhatItBreaks) {
  const std::string text = told(load("scenarios/deletion/delete-shared-user-assigned.yaml"));
  EXPECT_THAT(text, HasSubstr("02:00:00.000 user-assigned identity web-id deleted; it is detached from 5 VMs "
                              "(web-0 ... web-4); its 1 role assignment (Key Vault Secrets User on vault) is now "
                              "orphaned ('Identity not found'); 5 VMs (web-0 ... web-4) lose Key Vault Secrets User "
                              "on vault; tokens already issued keep working until they expire.\n"));
  EXPECT_THAT(text, HasSubstr("03:00:00.000 the estate at the end: 1 tenant, 1 subscription, 1 resource group, "
                              "6 resources (5 VMs, 1 key vault) and 1 role assignment (1 orphaned: 'Identity not "
                              "found').\n"));
}

TEST(Narration, TellsThatAVmTakesItsSystemAssignedIdentityButNotItsRoleAssignment) {
  const std::string text = told(load("scenarios/deletion/delete-vm-system-assigned.yaml"));
  EXPECT_THAT(text,
              HasSubstr("01:00:00.000 VM web-0 deleted; with it goes its system-assigned identity; its 1 role "
                        "assignment (Key Vault Secrets User on vault) is now orphaned ('Identity not found').\n"));
}

TEST(Narration, TellsTheCascadeOfAResourceGroup) {
  const std::string text = told(load("scenarios/deletion/delete-resource-group.yaml"));
  EXPECT_THAT(text, HasSubstr("01:00:00.000 resource group rg-app deleted; with it go VM app-vm, storage account "
                              "app-data, user-assigned identity app-id and the system-assigned identity of app-vm; "
                              "the 1 role assignment of user-assigned identity app-id (Key Vault Secrets User on "
                              "shared-vault) is now orphaned ('Identity not found'); 1 role assignment made at a "
                              "deleted scope is deleted: Storage Blob Data Reader on app-data for the system-assigned "
                              "identity of app-vm.\n"));
}

TEST(Narration, TellsTheAccessARemovedRoleAssignmentTakes) {
  const std::string text = told(load("scenarios/deletion/remove-role-assignment.yaml"));
  EXPECT_THAT(text, HasSubstr("00:30:00.000 role Storage Blob Data Reader on reports removed from the "
                              "system-assigned identity of reporter; VM reporter loses Storage Blob Data Reader on "
                              "reports; targets may keep honouring it for up to 10 minutes while the change "
                              "propagates.\n"));
}

TEST(Narration, TellsEveryTimelineOperationOfTheDeletionScenariosAtItsTimeInOrder) {
  for (const auto& entry : fs::directory_iterator(fs::path(MISIM_SOURCE_DIR) / "scenarios" / "deletion")) {
    const Scenario s = load(fs::relative(entry.path(), MISIM_SOURCE_DIR).string());
    Result<Narration> n = narrate(s);
    ASSERT_TRUE(n) << entry.path();
    for (std::size_t i = 1; i < n->lines.size(); ++i) EXPECT_LE(n->lines[i - 1].at, n->lines[i].at) << entry.path();
    for (const TimedOperation& op : s.simulation.timeline) {
      const std::string stamp = format_clock(op.at) + " ";
      EXPECT_THAT(n->text(), HasSubstr(stamp)) << entry.path() << ": nothing told at " << stamp;
    }
  }
}

TEST(Narration, FocusTellsOnlyWhatConcernsTheEntity) {
  const Scenario s = load("scenarios/deletion/delete-shared-user-assigned.yaml");
  const std::string text = told(s, {.focus = "web-3"});
  EXPECT_THAT(text, HasSubstr("in focus: VM web-3.\n"));
  EXPECT_THAT(text, HasSubstr("02:00:00.000 user-assigned identity web-id deleted; it is detached from VM web-3; "
                              "VM web-3 loses Key Vault Secrets User on vault.\n"));
  EXPECT_THAT(text, Not(HasSubstr("web-1")));
  EXPECT_THAT(text, Not(HasSubstr("5 VMs")));
  EXPECT_THAT(text, Not(HasSubstr("the estate")));
}

TEST(Narration, FocusOnTheDeletedEntityTellsTheWholeOperation) {
  const std::string text = told(load("scenarios/deletion/delete-shared-user-assigned.yaml"), {.focus = "web-id"});
  EXPECT_THAT(text, HasSubstr("02:00:00.000 user-assigned identity web-id deleted; it is detached from 5 VMs"));
  EXPECT_THAT(text, HasSubstr("5 VMs (web-0 ... web-4) lose Key Vault Secrets User on vault; tokens already issued "
                              "keep working until they expire.\n"));
}

TEST(Narration, FocusOnATemplateTellsAllItsInstances) {
  const std::string text = told(load("scenarios/deletion/delete-shared-user-assigned.yaml"), {.focus = "web"});
  EXPECT_THAT(text, HasSubstr("in focus: 5 VMs (web-0 ... web-4).\n"));
  EXPECT_THAT(text, HasSubstr("5 VMs (web-0 ... web-4) lose Key Vault Secrets User on vault"));
}

TEST(Narration, FocusOnABystanderKeepsOnlyTheConsequencesThatNameIt) {
  const std::string text = told(load("scenarios/deletion/delete-resource-group.yaml"), {.focus = "shared-vault"});
  // The group's deletion orphans the assignment at shared-vault: told, but without what does not concern it.
  EXPECT_THAT(text, HasSubstr("01:00:00.000 resource group rg-app deleted; the 1 role assignment of user-assigned "
                              "identity app-id (Key Vault Secrets User on shared-vault) is now orphaned"));
  EXPECT_THAT(text, Not(HasSubstr("app-data")));
}

TEST(Narration, AFocusThatNamesNothingIsAnError) {
  Result<Narration> n = narrate(load("scenarios/deletion/delete-shared-user-assigned.yaml"), {.focus = "web-id2"});
  ASSERT_FALSE(n);
  EXPECT_THAT(n.error().message, HasSubstr("--focus: nothing in the scenario is named 'web-id2'"));
}

TEST(Narration, AbbreviatesLongListsToTheFirstAndLastName) {
  ScenarioOverrides o;
  o.params.push_back({"vms", "100"});
  const std::string text = told(load("scenarios/deletion/delete-shared-user-assigned.yaml", o));
  EXPECT_THAT(text, HasSubstr("it is detached from 100 VMs (web-0 ... web-99);"));
  EXPECT_THAT(text, Not(HasSubstr("web-50")));
  const std::string all = told(load("scenarios/deletion/delete-shared-user-assigned.yaml"), {.max_names = 5});
  EXPECT_THAT(all, HasSubstr("it is detached from 5 VMs (web-0, web-1, web-2, web-3, web-4);"));
}

TEST(Narration, TellsTheOperationsOfOneTemplateEntryInOneSentence) {
  const std::string text = told(scenario_from_text(R"(
name: attach-later
duration: 2h
topology:
  identities: [{name: id}]
  resources:
    - {name: web, type: vm, count: 4}
    - {name: vault, type: key_vault}
  role_assignments: [{principal: id, role: Key Vault Secrets User, scope: vault}]
timeline:
  - {at: 1h, attach: {identity: id, to: web}}
  - {at: 90m, detach: {identity: id, from: web-2}}
)"));
  EXPECT_THAT(text, HasSubstr("01:00:00.000 user-assigned identity id attached to 4 VMs (web-0 ... web-3); 4 VMs "
                              "(web-0 ... web-3) gain Key Vault Secrets User on vault.\n"));
  EXPECT_THAT(text, HasSubstr("01:30:00.000 user-assigned identity id detached from VM web-2; VM web-2 loses Key "
                              "Vault Secrets User on vault; tokens already issued keep working until they expire.\n"));
}

TEST(Narration, EndsWithEachStagesStatistics) {
  const std::string text = told(load("scenarios/quickstart.yaml"));
  EXPECT_THAT(text, HasSubstr("00:00:00.000 workload fleet starts sending requests into aad"));
  EXPECT_THAT(text, HasSubstr("00:10:00.000 stage aad: "));
  EXPECT_THAT(text, HasSubstr("requests arrived after the warm-up"));
  EXPECT_THAT(text, HasSubstr("servers were busy"));
  EXPECT_THAT(told(load("scenarios/quickstart.yaml"), {.focus = "aad"}), HasSubstr("00:10:00.000 stage aad: "));
}

TEST(Narration, TellsAThousandVmEstateInUnderASecond) {
  const Scenario s = scenario_from_text(R"(
name: fleet
duration: 12h
topology:
  identities: [{name: web-id}, {name: new-id}]
  resources:
    - {name: web, type: vm, count: 1000, system_assigned: true, user_assigned: [web-id]}
    - {name: vault, type: key_vault}
    - {name: store, type: storage_account}
  role_assignments:
    - {principal: web-id, role: Key Vault Secrets User, scope: vault}
    - {principal: web, role: Storage Blob Data Reader, scope: store}
timeline:
  - {at: 1h, attach: {identity: new-id, to: web}}
  - {at: 2h, delete: web-id}
  - {at: 3h, disable_system_assigned: web}
  - {at: 4h, delete: web}
)");
  const auto start = std::chrono::steady_clock::now();
  const std::string text = told(s);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_THAT(text, HasSubstr("02:00:00.000 user-assigned identity web-id deleted; it is detached from 1000 VMs "
                              "(web-0 ... web-999);"));
  EXPECT_THAT(text, HasSubstr("03:00:00.000 1000 system-assigned identities (of web-0 ... web-999) disabled"));
#ifdef NDEBUG
  EXPECT_LT(seconds, 1.0);
#else
  EXPECT_LT(seconds, 10.0);  // unoptimised and sanitizer builds
#endif
}

TEST(Narration, TellsWhenCallsAreFirstDeniedAtThatTime) {
  // Tokens outlive the identity: the calls keep being granted until the cached tokens expire.
  Result<Narration> n = narrate(load("scenarios/teaching/shared-identity-deleted.yaml"));
  ASSERT_TRUE(n);
  const auto denial = std::find_if(n->lines.begin(), n->lines.end(), [](const NarrationLine& l) {
    return l.text.find("10 VMs (web-0 ... web-9) are denied by vault for the first time") != std::string::npos;
  });
  ASSERT_NE(denial, n->lines.end()) << n->text();
  EXPECT_GE(denial->at, 23 * kHour);
  EXPECT_LT(denial->at, 26 * kHour);
  EXPECT_THAT(n->text(), HasSubstr("the token path: "));
}

TEST(Narration, TellsAnOutageAndTheCallsItTouches) {
  const std::string text = told(scenario_from_text(R"(
name: outage
duration: 3h
topology:
  identities: [{name: id}]
  resources:
    - {name: web, type: vm, count: 2, user_assigned: [id]}
    - {name: vault, type: key_vault}
  role_assignments: [{principal: id, role: Key Vault Secrets User, scope: vault}]
workload:
  - {name: app, from: web, target: vault, rate: 1/min, client: msal}
timeline:
  - {at: 1h, outage: {service: aad, for: 30m}}
)"));
  EXPECT_THAT(text, HasSubstr("00:00:00.000 workload app starts: 2 VMs (web-0, web-1) call vault 1/min each, at "
                              "random (Poisson), through the msal client.\n"));
  EXPECT_THAT(text, HasSubstr("01:00:00.000 AAD goes down: token requests to it fail with 503 until 01:30:00.000.\n"));
  EXPECT_THAT(text, HasSubstr("01:30:00.000 AAD is back.\n"));
  EXPECT_THAT(text, HasSubstr("2 VMs (web-0, web-1) were granted every call to vault"));
}

TEST(Narration, TellsAnUnevenRateReadablyAndNamesCallersTheTimelineCreates) {
  // 1/5min is 0.00333... per second, which no short decimal writes exactly; the only caller is
  // created at 1 h, so none exists when the workload starts.
  const std::string text = told(scenario_from_text(R"(
name: later
duration: 3h
topology:
  resources:
    - {name: vault, type: key_vault}
workload:
  - {name: app, from: late, target: vault, rate: 1/5min, client: msal}
  - {name: odd, from: late, target: vault, rate: 1/7min, client: msal, arrivals: constant}
timeline:
  - {at: 1h, create_resource: {name: late, type: vm, system_assigned: true}}
)"));
  EXPECT_THAT(text, HasSubstr("00:00:00.000 workload app starts: late, which the timeline creates, calls vault 1 per "
                              "5 min once it exists, at random (Poisson), through the msal client.\n"));
  EXPECT_THAT(text, HasSubstr("workload odd starts: late, which the timeline creates, calls vault 1 per 7 min once "
                              "it exists, evenly spaced"));
  EXPECT_THAT(text, Not(HasSubstr("nothing call")));
  EXPECT_THAT(text, Not(HasSubstr("0.00333")));
}

TEST(Narration, TellsCallersThatExistAndThoseTheTimelineAddsLater) {
  const std::string text = told(scenario_from_text(R"(
name: later
duration: 3h
topology:
  resources:
    - {name: web, type: vm, system_assigned: true}
    - {name: vault, type: key_vault}
workload:
  - {name: app, from: [web, late], target: vault, rate: 1/3s, client: msal}
timeline:
  - {at: 1h, create_resource: {name: late, type: vm, system_assigned: true}}
)"));
  EXPECT_THAT(text, HasSubstr("workload app starts: VM web calls vault 20/min, at random (Poisson), through the msal "
                              "client; late joins when the timeline creates it.\n"));
}

TEST(Narration, TellsAn404UpdateWindowWithItsStatus) {
  const std::string text = told(scenario_from_text(R"(
name: update
duration: 1h
topology:
  resources:
    - {name: web, type: vm, system_assigned: true}
    - {name: vault, type: key_vault}
workload:
  - {name: app, from: web, target: vault, rate: 1/min, client: msal}
timeline:
  - {at: 10m, update: {resource: web, status: 404, for: 2m}}
  - {at: 20m, update: {resource: web, for: 70s}}
)"));
  EXPECT_THAT(text, HasSubstr("00:10:00.000 The token endpoint (IMDS) of web is updating: it answers 404 until "
                              "00:12:00.000;"));
  EXPECT_THAT(text, HasSubstr("00:20:00.000 The token endpoint (IMDS) of web is updating: it answers 410 until "
                              "00:21:10.000; clients that retry 410 (MSAL: every 10 s) get through after it.\n"));
}

TEST(Narration, TellsAnOperationArmThrottledAtItsEffectWithItsIssueTimeAnd429s) {
  // The 500th creation waits for room in ARM's window (80 per 20 s): it is told, and the VM
  // created, at its effect two minutes later, not at its issue time.
  Result<Narration> n = narrate(load("scenarios/capacity/arm-throttling.yaml"), {.focus = "scale-499"});
  ASSERT_TRUE(n);
  const std::string text = n->text();
  EXPECT_THAT(text, HasSubstr("09:02:00.000 ARM delayed create vm 'scale-499' in 'rg' with a system-assigned identity "
                              "(issued at 09:00:00.000): ARM answered it 429 (Retry-After) 6 times; it took effect at "
                              "09:02:00.000, 2m after it was issued.\n"));
  EXPECT_THAT(text, HasSubstr("09:02:00.000 VM scale-499 created in resource group rg"));
  EXPECT_THAT(text, Not(HasSubstr("09:00:00.000 VM scale-499 created")));
  EXPECT_THAT(text, HasSubstr("09:05:20.000 ARM delayed assign 'Key Vault Secrets User' to 'scale-499' at 'vault' "
                              "(issued at 09:05:00.000): ARM answered it 429 (Retry-After) once;"));
  // Told for everything, the throttled creations are one sentence for the 420 of them.
  EXPECT_THAT(told(load("scenarios/capacity/arm-throttling.yaml")),
              HasSubstr("09:00:20.000 ARM delayed 420 operations (scale-80 ... scale-499) issued at 09:00:00.000: they "
                        "got 1320 answers 429 (Retry-After), and they took effect from 09:00:20.000 to "
                        "09:02:00.000.\n"));
}

TEST(Narration, TellsAnArmOutageAndTheOperationsItFailedOrHeld) {
  const std::string text = told(scenario_from_text(R"(
name: arm-outage
duration: 3h
topology:
  identities: [{name: id}]
  resources:
    - {name: web, type: vm, count: 2, user_assigned: [id]}
    - {name: vault, type: key_vault}
timeline:
  - {at: 1h, outage: {service: arm, for: 30m, mode: errors}}
  - {at: 70m, assign: {principal: id, role: Key Vault Secrets User, scope: vault}}
  - {at: 2h, outage: {service: arm, for: 20m, mode: timeouts}}
  - {at: 125m, delete: web}
)"));
  EXPECT_THAT(text, HasSubstr("01:00:00.000 ARM goes down until 01:30:00.000"));
  EXPECT_THAT(text, HasSubstr("01:10:00.000 ARM outage: the operation failed (503): assign 'Key Vault Secrets User' "
                              "to 'id' at 'vault' (issued at 01:10:00.000) changed nothing.\n"));
  EXPECT_THAT(text, HasSubstr("01:30:00.000 ARM is back.\n"));
  EXPECT_THAT(text, HasSubstr("02:00:00.000 ARM goes silent until 02:20:00.000"));
  EXPECT_THAT(text, HasSubstr("02:20:00.000 ARM outage: 2 operations (web-0 and web-1) issued at 02:05:00.000 were "
                              "held, ARM answering nothing until 02:20:00.000; they took effect at 02:20:00.000.\n"));
  EXPECT_THAT(text, HasSubstr("02:20:00.000 2 VMs (web-0, web-1) deleted"));
  EXPECT_THAT(text, Not(HasSubstr("02:05:00.000 2 VMs")));
  // The failed assignment changed nothing: the estate ends without it.
  EXPECT_THAT(text, Not(HasSubstr("role Key Vault Secrets User on vault assigned")));
  EXPECT_THAT(text, HasSubstr("03:00:00.000 the estate at the end: 1 tenant, 1 subscription, 1 resource group, 1 key "
                              "vault, 1 user-assigned identity and no role assignments.\n"));
}

TEST(Narration, TellsAnOperationArmHadNotAnsweredByTheEnd) {
  const std::string text = told(scenario_from_text(R"(
name: arm-late
duration: 3h
services:
  arm: {latency: 1h}
topology:
  resources:
    - {name: web, type: vm, count: 2}
timeline:
  - {at: 150m, delete: web-0}
)"));
  EXPECT_THAT(text, HasSubstr("03:00:00.000 delete 'web-0' (issued at 02:30:00.000) had not taken effect when the run "
                              "ended: it was still with ARM"));
  EXPECT_THAT(text, Not(HasSubstr("VM web-0 deleted")));
  EXPECT_THAT(text, HasSubstr("the estate at the end: 1 tenant, 1 subscription, 1 resource group, 2 VMs"));
}

}  // namespace
}  // namespace misim
