// Tests of effective access (Directory::check_access, accesses_of): an assignment at a scope applies
// to everything below it, tenant > subscription > resource group > resource.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "estate.hpp"
#include "misim/directory.hpp"

namespace misim {
namespace {

using testing::Estate;
using testing::kGetSecret;
using testing::kReadBlob;
using testing::kSetSecret;
using testing::ok;

TEST(EffectiveAccess, IsGrantedByAnAssignmentAtTheTarget) {
  Estate e;
  const ResourceId vault = e.resource("vault", "key_vault");
  const IdentityId id = e.user_assigned("id");
  const RoleAssignmentId a = e.assign(id, "Key Vault Secrets User", vault);
  const AccessDecision d = e.dir.check_access(id, vault, kGetSecret);
  EXPECT_TRUE(d.granted);
  EXPECT_EQ(d.via, a);
  EXPECT_EQ(d.denial, AccessDenial::kNone);
  EXPECT_FALSE(e.dir.check_access(id, vault, kSetSecret).granted);
}

TEST(EffectiveAccess, IsInheritedFromTheGroupSubscriptionAndTenant) {
  for (const EntityKind level : {EntityKind::kResourceGroup, EntityKind::kSubscription, EntityKind::kTenant}) {
    Estate e;
    const ResourceId vault = e.resource("vault", "key_vault");
    const IdentityId id = e.user_assigned("id");
    const EntityRef scope = level == EntityKind::kResourceGroup  ? EntityRef(e.group)
                            : level == EntityKind::kSubscription ? EntityRef(e.sub)
                                                                 : EntityRef(e.tenant);
    e.assign(id, "Key Vault Secrets User", scope);
    EXPECT_TRUE(e.dir.check_access(id, vault, kGetSecret).granted) << to_string(level);
  }
}

TEST(EffectiveAccess, DoesNotFlowSidewaysOrUpwards) {
  Estate e;
  const ResourceGroupId other = ok(e.dir.create_resource_group("rg-other", e.sub, 0));
  const ResourceId vault = e.resource("vault", "key_vault");
  const ResourceId vault2 = e.resource("vault2", "key_vault");
  const ResourceId far_vault = e.resource_in("far-vault", "key_vault", other);
  const IdentityId id = e.user_assigned("id");
  e.assign(id, "Key Vault Secrets User", vault);
  EXPECT_FALSE(e.dir.check_access(id, vault2, kGetSecret).granted);
  EXPECT_FALSE(e.dir.check_access(id, far_vault, kGetSecret).granted);
  EXPECT_FALSE(e.dir.check_access(id, e.group, kGetSecret).granted);
  e.assign(id, "Key Vault Secrets User", e.group);
  EXPECT_TRUE(e.dir.check_access(id, vault2, kGetSecret).granted);
  EXPECT_FALSE(e.dir.check_access(id, far_vault, kGetSecret).granted);
}

TEST(EffectiveAccess, OwnerGrantsNoDataAccess) {
  Estate e;
  const ResourceId vault = e.resource("vault", "key_vault");
  const IdentityId id = e.user_assigned("id");
  e.assign(id, "Owner", e.sub);
  const AccessDecision d = e.dir.check_access(id, vault, kGetSecret);
  EXPECT_FALSE(d.granted);
  EXPECT_EQ(d.denial, AccessDenial::kNoRoleAssignment);
}

TEST(EffectiveAccess, ADataActionOfAnotherServiceDoesNotApply) {
  Estate e;
  const ResourceId storage = e.resource("store", "storage_account");
  const IdentityId id = e.user_assigned("id");
  e.assign(id, "Storage Blob Data Reader", storage);
  EXPECT_TRUE(e.dir.check_access(id, storage, kReadBlob).granted);
  EXPECT_EQ(e.dir.check_access(id, storage, kGetSecret).denial, AccessDenial::kActionNotApplicable);
}

TEST(EffectiveAccess, EndsWhenThePrincipalOrTheAssignmentIsDeleted) {
  Estate e;
  const ResourceId vault = e.resource("vault", "key_vault");
  const IdentityId a = e.user_assigned("a");
  const IdentityId b = e.user_assigned("b");
  e.assign(a, "Key Vault Secrets User", vault);
  const RoleAssignmentId rb = e.assign(b, "Key Vault Secrets User", vault);
  ok(e.dir.delete_entity(a, kHour));
  EXPECT_EQ(e.dir.check_access(a, vault, kGetSecret).denial, AccessDenial::kPrincipalNotFound);
  ok(e.dir.delete_entity(rb, kHour));
  EXPECT_FALSE(e.dir.check_access(b, vault, kGetSecret).granted);
  ok(e.dir.delete_entity(vault, kHour));
  EXPECT_EQ(e.dir.check_access(b, vault, kGetSecret).denial, AccessDenial::kTargetNotFound);
}

TEST(EffectiveAccess, OfAResourceListsEveryTargetRoleAndIdentity) {
  Estate e;
  const ResourceId vault = e.resource("vault", "key_vault");
  const ResourceId store = e.resource("store", "storage_account");
  const ResourceId vm = e.resource("vm", "vm", true);
  const IdentityId sa = e.dir.resource(vm).system_identity;
  const IdentityId id = e.user_assigned("id");
  ok(e.dir.attach(vm, id, 0));
  e.assign(sa, "Key Vault Secrets User", vault);
  e.assign(id, "Storage Blob Data Reader", e.group);  // reaches the storage account only
  e.assign(id, "Reader", e.sub);                      // control plane: no data access
  const std::vector<Access> got = e.dir.accesses_of(vm);
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[0].target, vault);
  EXPECT_EQ(got[0].via, sa);
  EXPECT_EQ(got[1].target, store);
  EXPECT_EQ(e.dir.roles().role(got[1].role).name, "Storage Blob Data Reader");
}

}  // namespace
}  // namespace misim
