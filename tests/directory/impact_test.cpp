// Tests of Directory::impact (include/misim/impact.hpp): what a deletion removes and breaks,
// transitively for groups and subscriptions, computed without changing the directory.
#include "misim/impact.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "estate.hpp"
#include "misim/directory.hpp"
#include "misim/directory_operation.hpp"

namespace misim {
namespace {

using ::testing::ElementsAre;
using testing::error_of;
using testing::Estate;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ok;

/// A farm of web VMs sharing one user-assigned identity that reads a vault (design.md's sketch).
struct Farm : Estate {
  explicit Farm(int vms = 3) {
    vault = resource("vault", "key_vault");
    web_id = user_assigned("web-id");
    for (int i = 0; i < vms; ++i) {
      web.push_back(resource("web-" + std::to_string(i), "vm"));
      ok(dir.attach(web.back(), web_id, 0));
    }
    reads = assign(web_id, "Key Vault Secrets User", vault);
  }
  ResourceId vault;
  IdentityId web_id;
  std::vector<ResourceId> web;
  RoleAssignmentId reads;
};

std::vector<ResourceId> resources_of(const std::vector<LostAccess>& lost) {
  std::vector<ResourceId> out;
  for (const LostAccess& a : lost) out.push_back(a.resource);
  return out;
}

TEST(Impact, DeletingASharedUserAssignedIdentityBreaksEveryHolderAndOrphansItsAssignment) {
  Farm f;
  const ImpactReport r = ok(f.dir.impact(DirectoryOperation::remove("web-id")));
  EXPECT_EQ(r.operation, "delete user-assigned identity 'web-id'");
  EXPECT_THAT(r.identities_deleted, ElementsAre(f.web_id));
  EXPECT_THAT(r.resources_deleted, IsEmpty());
  EXPECT_THAT(r.resources_losing_identity,
              ElementsAre(LostIdentity{f.web[0], f.web_id}, LostIdentity{f.web[1], f.web_id},
                          LostIdentity{f.web[2], f.web_id}));
  ASSERT_EQ(r.accesses_lost.size(), 3U);
  EXPECT_THAT(resources_of(r.accesses_lost), ElementsAre(f.web[0], f.web[1], f.web[2]));
  EXPECT_EQ(r.accesses_lost[0].target, f.vault);
  EXPECT_EQ(r.accesses_lost[0].role, f.role("Key Vault Secrets User"));
  EXPECT_EQ(r.accesses_lost[0].via, f.web_id);
  EXPECT_THAT(r.role_assignments_orphaned, ElementsAre(f.reads));
  EXPECT_THAT(r.role_assignments_deleted, IsEmpty());
}

TEST(Impact, DoesNotChangeTheDirectory) {
  Farm f;
  ASSERT_TRUE(f.dir.impact(DirectoryOperation::remove("rg-web")));
  EXPECT_TRUE(f.dir.alive(f.web_id));
  EXPECT_TRUE(f.dir.alive(f.group));
  EXPECT_EQ(f.dir.holders(f.web_id).size(), 3U);
  EXPECT_TRUE(f.dir.check_access(f.web_id, f.vault, testing::kGetSecret).granted);
}

TEST(Impact, ListsExactlyWhatTheDeletionThenRemoves) {
  Farm f;
  const ResourceId vm = f.resource("solo", "vm", true);
  f.assign(f.dir.resource(vm).system_identity, "Key Vault Secrets Officer", f.group);
  const ImpactReport r = ok(f.dir.impact(DirectoryOperation::remove("rg-web")));
  ok(f.dir.delete_entity(f.group, kHour));
  for (const ResourceId x : r.resources_deleted) EXPECT_FALSE(f.dir.alive(x));
  for (const IdentityId x : r.identities_deleted) EXPECT_FALSE(f.dir.alive(x));
  for (const RoleAssignmentId x : r.role_assignments_deleted) EXPECT_FALSE(f.dir.alive(x));
  EXPECT_EQ(f.dir.live_count(EntityKind::kResource), 0U);
  EXPECT_EQ(r.resources_deleted.size(), f.dir.count(EntityKind::kResource));
  EXPECT_EQ(r.identities_deleted.size(), 2U);  // web-id and solo's system-assigned identity
  EXPECT_EQ(r.role_assignments_deleted.size(), 2U);
  EXPECT_THAT(r.role_assignments_orphaned, IsEmpty());  // both went with their scope
  EXPECT_THAT(r.accesses_lost, IsEmpty());              // nothing that survives had access
}

TEST(Impact, KeepsAnAccessTheResourceStillHasThroughAnotherIdentity) {
  Farm f;
  ok(f.dir.enable_system_assigned(f.web[1], 0));
  f.assign(f.dir.resource(f.web[1]).system_identity, "Key Vault Secrets User", f.group);
  const ImpactReport r = ok(f.dir.impact(DirectoryOperation::remove("web-id")));
  EXPECT_EQ(r.resources_losing_identity.size(), 3U);
  EXPECT_THAT(resources_of(r.accesses_lost), ElementsAre(f.web[0], f.web[2]));
}

TEST(Impact, FollowsAUserAssignedIdentityDeletedWithItsGroupToResourcesElsewhere) {
  Estate e;
  const ResourceGroupId ids = ok(e.dir.create_resource_group("rg-ids", e.sub, 0));
  const IdentityId shared = ok(e.dir.create_user_assigned("shared-id", ids, 0));
  const ResourceId vault = e.resource("vault", "key_vault");
  const ResourceId app = e.resource("app", "app_service");
  ok(e.dir.attach(app, shared, 0));
  const RoleAssignmentId a = e.assign(shared, "Key Vault Secrets User", vault);
  const ImpactReport r = ok(e.dir.impact(DirectoryOperation::remove("rg-ids")));
  EXPECT_THAT(r.resource_groups_deleted, ElementsAre(ids));
  EXPECT_THAT(r.identities_deleted, ElementsAre(shared));
  EXPECT_THAT(r.resources_losing_identity, ElementsAre(LostIdentity{app, shared}));
  EXPECT_THAT(resources_of(r.accesses_lost), ElementsAre(app));
  EXPECT_THAT(r.role_assignments_orphaned, ElementsAre(a));
}

TEST(Impact, DeletingATargetCostsEveryoneWhoReachedIt) {
  Farm f;
  const ResourceId other_vault = f.resource("vault-2", "key_vault");
  const RoleAssignmentId at_group = f.assign(f.web_id, "Key Vault Secrets Officer", f.group);
  const ImpactReport r = ok(f.dir.impact(DirectoryOperation::remove("vault")));
  EXPECT_THAT(r.resources_deleted, ElementsAre(f.vault));
  EXPECT_THAT(r.role_assignments_deleted, ElementsAre(f.reads));  // made at the vault
  EXPECT_THAT(r.resources_losing_identity, IsEmpty());
  // Each web VM loses both roles on the deleted vault, and keeps its access to vault-2.
  ASSERT_EQ(r.accesses_lost.size(), 6U);
  for (const LostAccess& a : r.accesses_lost) EXPECT_EQ(a.target, f.vault);
  EXPECT_TRUE(f.dir.alive(at_group));
  (void)other_vault;
}

TEST(Impact, DeletingAResourceDeletesItsSystemIdentityAndOrphansItsAssignments) {
  Farm f;
  const ResourceId vm = f.resource("solo", "vm", true);
  const IdentityId sa = f.dir.resource(vm).system_identity;
  const RoleAssignmentId a = f.assign(sa, "Key Vault Secrets User", f.vault);
  const ImpactReport r = ok(f.dir.impact(DirectoryOperation::remove("solo")));
  EXPECT_THAT(r.resources_deleted, ElementsAre(vm));
  EXPECT_THAT(r.identities_deleted, ElementsAre(sa));
  EXPECT_THAT(r.role_assignments_orphaned, ElementsAre(a));
  EXPECT_THAT(r.accesses_lost, IsEmpty());  // only the deleted resource had it
  EXPECT_EQ(r.operation, "delete resource 'solo' (vm)");
}

TEST(Impact, DeletingASubscriptionTakesEverything) {
  Farm f;
  const ImpactReport r = ok(f.dir.impact(DirectoryOperation::remove("prod")));
  EXPECT_THAT(r.subscriptions_deleted, ElementsAre(f.sub));
  EXPECT_THAT(r.resource_groups_deleted, ElementsAre(f.group));
  EXPECT_EQ(r.resources_deleted.size(), 4U);
  EXPECT_THAT(r.role_assignments_deleted, ElementsAre(f.reads));
}

TEST(Impact, OfDetachingIsTheLossOfThatOneIdentity) {
  Farm f;
  const ImpactReport r = ok(f.dir.impact(DirectoryOperation::detach("web-1", "web-id")));
  EXPECT_THAT(r.resources_losing_identity, ElementsAre(LostIdentity{f.web[1], f.web_id}));
  EXPECT_THAT(resources_of(r.accesses_lost), ElementsAre(f.web[1]));
  EXPECT_THAT(r.identities_deleted, IsEmpty());
  EXPECT_THAT(r.role_assignments_orphaned, IsEmpty());
  EXPECT_THAT(error_of(f.dir.impact(DirectoryOperation::detach("vault", "web-id"))), HasSubstr("not attached"));
}

TEST(Impact, OfDisablingASystemIdentity) {
  Farm f;
  const ResourceId vm = f.resource("solo", "vm", true);
  const IdentityId sa = f.dir.resource(vm).system_identity;
  const RoleAssignmentId a = f.assign(sa, "Key Vault Secrets User", f.vault);
  const ImpactReport r = ok(f.dir.impact(DirectoryOperation::disable_system_assigned("solo")));
  EXPECT_THAT(r.identities_deleted, ElementsAre(sa));
  EXPECT_THAT(r.resources_losing_identity, ElementsAre(LostIdentity{vm, sa}));
  EXPECT_THAT(resources_of(r.accesses_lost), ElementsAre(vm));
  EXPECT_THAT(r.role_assignments_orphaned, ElementsAre(a));
  EXPECT_THAT(error_of(f.dir.impact_of_delete(sa)), HasSubstr("not deleted directly"));
}

TEST(Impact, OfRemovingAnAssignment) {
  Farm f;
  const ImpactReport r =
      ok(f.dir.impact(DirectoryOperation::unassign_role("web-id", "Key Vault Secrets User", "vault")));
  EXPECT_THAT(r.role_assignments_deleted, ElementsAre(f.reads));
  EXPECT_THAT(resources_of(r.accesses_lost), ElementsAre(f.web[0], f.web[1], f.web[2]));
  EXPECT_THAT(error_of(f.dir.impact(DirectoryOperation::unassign_role("web-id", "Reader", "vault"))),
              HasSubstr("has no assignment"));
}

TEST(Impact, ReachesScaleSetInstancesThroughTheirScaleSet) {
  Estate e;
  const ResourceId vault = e.resource("vault", "key_vault");
  const ResourceId ss = e.resource("ss", "vmss");
  const IdentityId id = e.user_assigned("ss-id");
  ok(e.dir.attach(ss, id, 0));
  e.assign(id, "Key Vault Secrets User", vault);
  ResourceOptions in_ss;
  in_ss.parent = ss;
  const ResourceId i0 = ok(e.dir.create_resource("ss-0", ok(e.dir.resource_type("vmss_instance")), {}, 0, in_ss));
  const ImpactReport r = ok(e.dir.impact(DirectoryOperation::remove("ss-id")));
  EXPECT_THAT(r.resources_losing_identity, ElementsAre(LostIdentity{ss, id}, LostIdentity{i0, id}));
  EXPECT_THAT(resources_of(r.accesses_lost), ElementsAre(ss, i0));
}

TEST(Impact, DeletingAnIdentityTakesItsFederatedCredentials) {
  Estate e;
  const IdentityId id = e.user_assigned("shop-id");
  FederatedCredentialSpec spec;
  spec.name = "shop";
  spec.issuer = "https://issuer";
  spec.subject = "system:serviceaccount:shop:api";
  const FederatedCredentialId c = ok(e.dir.add_federated_credential(id, spec, 0));
  EXPECT_THAT(ok(e.dir.impact(DirectoryOperation::remove("shop-id"))).federated_credentials_deleted, ElementsAre(c));
}

TEST(Impact, IsOnlyForOperationsThatRemoveSomething) {
  Farm f;
  EXPECT_THAT(error_of(f.dir.impact(DirectoryOperation::attach("web-0", "web-id"))), HasSubstr("removes nothing"));
  EXPECT_THAT(error_of(f.dir.impact(DirectoryOperation::remove("nothing"))), HasSubstr("no entity named"));
  EXPECT_THAT(error_of(f.dir.impact(DirectoryOperation::remove("contoso"))), HasSubstr("tenant"));
}

TEST(Impact, PrintsAsReadableText) {
  Farm f(2);
  const std::string text = format_impact_text(ok(f.dir.impact(DirectoryOperation::remove("web-id"))), f.dir);
  EXPECT_THAT(text, HasSubstr("Impact of: delete user-assigned identity 'web-id'"));
  EXPECT_THAT(text, HasSubstr("identities deleted (1):"));
  EXPECT_THAT(text, HasSubstr("'web-0' loses 'web-id'"));
  EXPECT_THAT(text, HasSubstr("'web-1' -> 'vault' as 'Key Vault Secrets User' (via 'web-id')"));
  EXPECT_THAT(text, HasSubstr("role assignments orphaned, kept as \"Identity not found\" (1):"));
  const std::string short_text = format_impact_text(ok(f.dir.impact(DirectoryOperation::remove("web-id"))), f.dir, 1);
  EXPECT_THAT(short_text, HasSubstr("... and 1 more"));
}

TEST(Impact, PrintsAsJsonForScripts) {
  Farm f(2);
  const auto j =
      nlohmann::json::parse(format_impact_json(ok(f.dir.impact(DirectoryOperation::remove("web-id"))), f.dir));
  EXPECT_EQ(j["operation"], "delete user-assigned identity 'web-id'");
  EXPECT_EQ(j["counts"]["accesses_lost"], 2);
  EXPECT_EQ(j["identities_deleted"][0]["name"], "web-id");
  EXPECT_EQ(j["identities_deleted"][0]["kind"], "user_assigned");
  EXPECT_EQ(j["identities_deleted"][0]["client_id"], f.dir.identity(f.web_id).client_id.to_string());
  EXPECT_EQ(j["accesses_lost"][1]["resource"], "web-1");
  EXPECT_EQ(j["accesses_lost"][1]["target"], "vault");
  EXPECT_EQ(j["accesses_lost"][1]["role"], "Key Vault Secrets User");
  EXPECT_EQ(j["role_assignments_orphaned"][0]["principal"], "web-id");
}

TEST(Impact, OfADeletionWithNoConsequencesSaysSo) {
  Estate e;
  e.resource("lonely", "vm");
  const ImpactReport r = ok(e.dir.impact(DirectoryOperation::remove("lonely")));
  EXPECT_FALSE(r.empty());  // the resource itself
  EXPECT_THAT(r.accesses_lost, IsEmpty());
}

}  // namespace
}  // namespace misim
