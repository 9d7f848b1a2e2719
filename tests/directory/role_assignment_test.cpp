// Tests of role assignments: they outlive their principal as orphans (azure-facts.md:48), go with
// their scope, are unique per (principal, role, scope), and count against the subscription limit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "estate.hpp"
#include "misim/directory.hpp"

namespace misim {
namespace {

using ::testing::ElementsAre;
using testing::error_of;
using testing::Estate;
using ::testing::HasSubstr;
using testing::ok;

TEST(RoleAssignments, DeletingAUserAssignedIdentityLeavesItsAssignmentsOrphaned) {
  Estate e;
  const ResourceId vault = e.resource("vault", "key_vault");
  const IdentityId id = e.user_assigned("web-id");
  const RoleAssignmentId a = e.assign(id, "Key Vault Secrets User", vault);
  EXPECT_FALSE(e.dir.is_orphaned(a));
  ok(e.dir.delete_entity(id, 2 * kHour));
  EXPECT_TRUE(e.dir.alive(a));
  EXPECT_TRUE(e.dir.is_orphaned(a));
  EXPECT_EQ(e.dir.orphaned_since(a), 2 * kHour);
  EXPECT_THAT(e.dir.role_assignments_at(vault), ElementsAre(a));
  // The assignment still names the principal's object id, which resolves to nothing.
  EXPECT_EQ(e.dir.role_assignment(a).principal, id);
  EXPECT_FALSE(e.dir.alive(e.dir.role_assignment(a).principal));
}

TEST(RoleAssignments, DeletingAResourceLeavesTheAssignmentsOfItsSystemIdentityOrphaned) {
  Estate e;
  const ResourceId vault = e.resource("vault", "key_vault");
  const ResourceId vm = e.resource("web-0", "vm", true);
  const RoleAssignmentId a = e.assign(e.dir.resource(vm).system_identity, "Key Vault Secrets User", vault);
  ok(e.dir.delete_entity(vm, kHour));
  EXPECT_TRUE(e.dir.alive(a));
  EXPECT_TRUE(e.dir.is_orphaned(a));
}

TEST(RoleAssignments, RecreatingAnIdentityWithTheSameNameDoesNotReviveItsAssignments) {
  Estate e;
  const ResourceId vault = e.resource("vault", "key_vault");
  const IdentityId old_id = e.user_assigned("web-id");
  const RoleAssignmentId a = e.assign(old_id, "Key Vault Secrets User", vault);
  ok(e.dir.delete_entity(old_id, kHour));
  const IdentityId new_id = ok(e.dir.create_user_assigned("web-id", e.group, kHour));
  EXPECT_TRUE(e.dir.is_orphaned(a));
  EXPECT_FALSE(e.dir.check_access(new_id, vault, testing::kGetSecret).granted);
  EXPECT_TRUE(e.dir.role_assignments_of(new_id).empty());
}

TEST(RoleAssignments, GoWithTheScopeTheyWereMadeAt) {
  Estate e;
  const ResourceGroupId data = ok(e.dir.create_resource_group("rg-data", e.sub, 0));
  const ResourceId vault = e.resource_in("vault", "key_vault", data);
  const IdentityId id = e.user_assigned("web-id");
  const RoleAssignmentId at_vault = e.assign(id, "Key Vault Secrets User", vault);
  const RoleAssignmentId at_group = e.assign(id, "Key Vault Secrets Officer", data);
  const RoleAssignmentId at_sub = e.assign(id, "Reader", e.sub);
  EXPECT_EQ(e.dir.subscription(e.sub).role_assignments, 3U);
  ok(e.dir.delete_entity(data, kHour));
  EXPECT_FALSE(e.dir.alive(at_vault));
  EXPECT_FALSE(e.dir.alive(at_group));
  EXPECT_TRUE(e.dir.alive(at_sub));
  EXPECT_THAT(e.dir.role_assignments_of(id), ElementsAre(at_sub));
  EXPECT_EQ(e.dir.subscription(e.sub).role_assignments, 1U);
}

TEST(RoleAssignments, ADuplicateAssignmentIsRefused) {
  Estate e;
  const ResourceId vault = e.resource("vault", "key_vault");
  const IdentityId id = e.user_assigned("web-id");
  e.assign(id, "Key Vault Secrets User", vault);
  EXPECT_THAT(error_of(e.dir.assign_role(id, e.role("Key Vault Secrets User"), vault, 0)), HasSubstr("already exists"));
  ok(e.dir.assign_role(id, e.role("Key Vault Secrets Officer"), vault, 0));  // another role is fine
}

TEST(RoleAssignments, NeedALivePrincipalAndAScopeOfTheSameTenant) {
  Estate e;
  const ResourceId vault = e.resource("vault", "key_vault");
  const IdentityId id = e.user_assigned("web-id");
  ok(e.dir.delete_entity(id, 0));
  EXPECT_THAT(error_of(e.dir.assign_role(id, e.role("Reader"), vault, 0)), HasSubstr("PrincipalNotFound"));
  const IdentityId live = e.user_assigned("live-id");
  const RoleAssignmentId a = e.assign(live, "Reader", vault);
  EXPECT_THAT(error_of(e.dir.assign_role(live, e.role("Reader"), a, 0)), HasSubstr("a scope is"));
  const TenantId other = ok(e.dir.create_tenant("fabrikam", 0));
  EXPECT_THAT(error_of(e.dir.assign_role(live, e.role("Reader"), other, 0)), HasSubstr("cross-tenant"));
}

TEST(RoleAssignments, AreLimitedPerSubscriptionOrphansIncluded) {
  DirectoryConfig config;
  config.limits.role_assignments_per_subscription = 3;
  Estate e(config);
  const ResourceId vault = e.resource("vault", "key_vault");
  const IdentityId a = e.user_assigned("a");
  const IdentityId b = e.user_assigned("b");
  e.assign(a, "Key Vault Secrets User", vault);
  e.assign(a, "Reader", e.group);
  e.assign(b, "Reader", vault);
  EXPECT_THAT(error_of(e.dir.assign_role(b, e.role("Reader"), e.group, 0)),
              HasSubstr("reached its limit of 3 role assignments"));
  ok(e.dir.delete_entity(a, kHour));  // its two assignments stay, orphaned, and still count
  EXPECT_FALSE(e.dir.assign_role(b, e.role("Reader"), e.group, kHour));
  for (const RoleAssignmentId r : e.dir.role_assignments_at(vault)) {
    if (e.dir.is_orphaned(r)) ok(e.dir.delete_entity(r, kHour));  // clean up an orphan ...
  }
  ok(e.dir.assign_role(b, e.role("Reader"), e.group, kHour));  // ... and there is room again
}

TEST(RoleAssignments, TheDefaultLimitIs4000PerSubscription) {
  Estate e;
  EXPECT_EQ(e.dir.config().limits.role_assignments_per_subscription, 4000U);
  const IdentityId id = e.user_assigned("id");
  for (int i = 0; i < 4000; ++i) {
    const ResourceId r = e.resource("vault-" + std::to_string(i), "key_vault");
    ASSERT_TRUE(e.dir.assign_role(id, e.role("Reader"), r, 0).ok()) << i;
  }
  EXPECT_FALSE(e.dir.assign_role(id, e.role("Reader"), e.group, 0));
  // Tenant-scope assignments are not a subscription's.
  EXPECT_TRUE(e.dir.assign_role(id, e.role("Reader"), e.tenant, 0));
}

TEST(RoleAssignments, CanBeNamedAndDeletedByName) {
  Estate e;
  const ResourceId vault = e.resource("vault", "key_vault");
  const IdentityId id = e.user_assigned("web-id");
  const RoleAssignmentId a = ok(e.dir.assign_role(id, e.role("Reader"), vault, 0, "web-reads-vault"));
  EXPECT_EQ(*e.dir.find("web-reads-vault"), EntityRef(a));
  ok(e.dir.delete_entity(a, kHour));
  EXPECT_FALSE(e.dir.alive(a));
  EXPECT_TRUE(e.dir.alive(id));
  EXPECT_EQ(e.dir.subscription(e.sub).role_assignments, 0U);
}

TEST(RoleAssignments, HaveArmIdsUnderTheirScope) {
  Estate e;
  const ResourceId vault = e.resource("vault", "key_vault");
  const RoleAssignmentId a = e.assign(e.user_assigned("id"), "Reader", vault);
  EXPECT_EQ(e.dir.arm_id(a), e.dir.arm_id(vault) + "/providers/Microsoft.Authorization/roleAssignments/" +
                                 e.dir.role_assignment(a).id.to_string());
}

}  // namespace
}  // namespace misim
