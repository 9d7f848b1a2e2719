// Tests of the directory's lifecycle operations (include/misim/directory.hpp): creation, the
// identity rules of azure-facts.md:47-51, attachment, cascading deletion, names and time.
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

TEST(Lifecycle, NumbersEntitiesDenselyPerKindAndFindsThemByName) {
  Estate e;
  const ResourceId a = e.resource("web-0", "vm");
  const ResourceId b = e.resource("web-1", "vm");
  EXPECT_EQ(a.index(), 0U);
  EXPECT_EQ(b.index(), 1U);
  EXPECT_EQ(*e.dir.find("web-1"), EntityRef(b));
  EXPECT_EQ(e.dir.name(b), "web-1");
  EXPECT_EQ(e.dir.resource(b).group, e.group);
  EXPECT_EQ(e.dir.count(EntityKind::kResource), 2U);
  EXPECT_EQ(e.dir.live_count(EntityKind::kResource), 2U);
  EXPECT_THAT(error_of(e.dir.lookup("web-9")), HasSubstr("no entity named 'web-9'"));
  EXPECT_THAT(error_of(e.dir.lookup_resource("rg-web")), HasSubstr("is a resource group, not a resource"));
}

TEST(Lifecycle, SystemAssignedIdentityIsCreatedWithItsResource) {
  Estate e;
  const ResourceId vm = e.resource("web-0", "vm", /*system_assigned=*/true);
  const IdentityId sa = e.dir.resource(vm).system_identity;
  ASSERT_TRUE(sa.valid());
  EXPECT_EQ(e.dir.identity(sa).kind, IdentityKind::kSystemAssigned);
  EXPECT_EQ(e.dir.identity(sa).resource, vm);
  EXPECT_EQ(e.dir.name(sa), "web-0");  // shown under its resource's name
  EXPECT_THAT(e.dir.holders(sa), ElementsAre(vm));
}

TEST(Lifecycle, SystemAssignedIdentityDiesWithItsResource) {
  Estate e;
  const ResourceId vm = e.resource("web-0", "vm", true);
  const IdentityId sa = e.dir.resource(vm).system_identity;
  e.now = 5 * kMinute;
  ok(e.dir.delete_entity(vm, e.now));
  EXPECT_FALSE(e.dir.alive(vm));
  EXPECT_FALSE(e.dir.alive(sa));
  EXPECT_EQ(e.dir.identity(sa).life.deleted_at, 5 * kMinute);
  EXPECT_EQ(e.dir.resource(vm).life.deleted_at, 5 * kMinute);
}

TEST(Lifecycle, SystemAssignedIdentityCanBeEnabledLaterAndDisabled) {
  Estate e;
  const ResourceId vm = e.resource("web-0", "vm");
  const IdentityId sa = ok(e.dir.enable_system_assigned(vm, kHour));
  EXPECT_EQ(e.dir.resource(vm).system_identity, sa);
  EXPECT_THAT(error_of(e.dir.enable_system_assigned(vm, kHour)), HasSubstr("already has a system-assigned identity"));
  ok(e.dir.disable_system_assigned(vm, 2 * kHour));
  EXPECT_TRUE(e.dir.alive(vm));
  EXPECT_FALSE(e.dir.alive(sa));
  EXPECT_FALSE(e.dir.resource(vm).system_identity.valid());
  // Re-enabling makes a new principal with new ids, as Azure does.
  const IdentityId again = ok(e.dir.enable_system_assigned(vm, 3 * kHour));
  EXPECT_NE(again, sa);
  EXPECT_NE(e.dir.identity(again).object_id, e.dir.identity(sa).object_id);
}

TEST(Lifecycle, SystemAssignedIdentityIsNotDeletedDirectly) {
  Estate e;
  const ResourceId vm = e.resource("web-0", "vm", true);
  EXPECT_THAT(error_of(e.dir.delete_entity(e.dir.resource(vm).system_identity, 0)), HasSubstr("disable it"));
}

TEST(Lifecycle, UserAssignedIdentityOutlivesTheResourcesThatUseIt) {
  Estate e;
  const IdentityId id = e.user_assigned("web-id");
  const ResourceId a = e.resource("web-0", "vm");
  const ResourceId b = e.resource("web-1", "app_service");
  ok(e.dir.attach(a, id, 0));
  ok(e.dir.attach(b, id, 0));
  EXPECT_THAT(e.dir.holders(id), ElementsAre(a, b));
  ok(e.dir.delete_entity(a, kHour));
  ok(e.dir.delete_entity(b, kHour));
  EXPECT_TRUE(e.dir.alive(id));
  EXPECT_TRUE(e.dir.holders(id).empty());
}

TEST(Lifecycle, OneUserAssignedIdentityServesManyResourcesAndAResourceHoldsMany) {
  Estate e;
  const IdentityId x = e.user_assigned("x-id");
  const IdentityId y = e.user_assigned("y-id");
  const ResourceId a = e.resource("a", "vm");
  const ResourceId b = e.resource("b", "vm");
  for (const ResourceId r : {a, b}) {
    ok(e.dir.attach(r, x, 0));
    ok(e.dir.attach(r, y, 0));
  }
  EXPECT_THAT(e.dir.user_assigned_of(a), ElementsAre(x, y));
  EXPECT_THAT(e.dir.holders(y), ElementsAre(a, b));
}

TEST(Lifecycle, AttachingTheSameIdentityTwiceIsAnError) {
  Estate e;
  const IdentityId id = e.user_assigned("web-id");
  const ResourceId vm = e.resource("web-0", "vm");
  ok(e.dir.attach(vm, id, 0));
  EXPECT_THAT(error_of(e.dir.attach(vm, id, 0)), HasSubstr("already attached"));
  EXPECT_EQ(e.dir.user_assigned_of(vm).size(), 1U);
}

TEST(Lifecycle, DetachRemovesOnlyTheAttachment) {
  Estate e;
  const IdentityId id = e.user_assigned("web-id");
  const ResourceId vm = e.resource("web-0", "vm");
  ok(e.dir.attach(vm, id, 0));
  ok(e.dir.detach(vm, id, kMinute));
  EXPECT_TRUE(e.dir.user_assigned_of(vm).empty());
  EXPECT_TRUE(e.dir.alive(id));
  EXPECT_THAT(error_of(e.dir.detach(vm, id, kMinute)), HasSubstr("not attached"));
}

TEST(Lifecycle, AttachRespectsWhatTheResourceTypeCanHold) {
  Estate e;
  const IdentityId id = e.user_assigned("id");
  EXPECT_THAT(error_of(e.dir.attach(e.resource("arc-0", "arc_server"), id, 0)),
              HasSubstr("cannot hold user-assigned identities"));
  EXPECT_THAT(error_of(e.dir.attach(e.resource("vault", "key_vault"), id, 0)),
              HasSubstr("cannot hold user-assigned identities"));
  const ResourceId vm = e.resource("vm-0", "vm", true);
  EXPECT_THAT(error_of(e.dir.attach(vm, e.dir.resource(vm).system_identity, 0)),
              HasSubstr("only user-assigned identities are attached"));
  ResourceOptions sa;
  sa.system_assigned = true;
  EXPECT_THAT(error_of(e.dir.create_resource("wl", ok(e.dir.resource_type("aks_workload")), e.group, 0, sa)),
              HasSubstr("cannot have a system-assigned identity"));
}

TEST(Lifecycle, AttachAcrossTenantsIsRefused) {
  Estate e;
  const TenantId other = ok(e.dir.create_tenant("fabrikam", 0));
  const SubscriptionId s = ok(e.dir.create_subscription("other-sub", other, 0));
  const ResourceGroupId g = ok(e.dir.create_resource_group("other-rg", s, 0));
  const IdentityId foreign = ok(e.dir.create_user_assigned("foreign-id", g, 0));
  EXPECT_THAT(error_of(e.dir.attach(e.resource("vm", "vm"), foreign, 0)), HasSubstr("different tenants"));
}

TEST(Lifecycle, DeletingAResourceGroupCascadesToItsResourcesAndIdentities) {
  Estate e;
  const IdentityId id = e.user_assigned("web-id");
  const ResourceId vm = e.resource("web-0", "vm", true);
  ok(e.dir.attach(vm, id, 0));
  const IdentityId sa = e.dir.resource(vm).system_identity;
  ok(e.dir.delete_entity(e.group, kHour));
  for (const EntityRef gone : {EntityRef(e.group), EntityRef(vm), EntityRef(sa), EntityRef(id)}) {
    EXPECT_FALSE(e.dir.alive(gone)) << e.dir.name(gone);
    EXPECT_EQ(e.dir.lifetime(gone).deleted_at, kHour);
  }
  EXPECT_TRUE(e.dir.alive(e.sub));
  EXPECT_EQ(e.dir.live_count(EntityKind::kResource), 0U);
  EXPECT_EQ(e.dir.live_count(EntityKind::kIdentity), 0U);
}

TEST(Lifecycle, DeletingASubscriptionCascadesThroughItsGroups) {
  Estate e;
  const ResourceGroupId g2 = ok(e.dir.create_resource_group("rg-data", e.sub, 0));
  const ResourceId a = e.resource("web-0", "vm");
  const ResourceId b = e.resource_in("vault", "key_vault", g2);
  ok(e.dir.delete_entity(e.sub, kHour));
  EXPECT_FALSE(e.dir.alive(e.group));
  EXPECT_FALSE(e.dir.alive(g2));
  EXPECT_FALSE(e.dir.alive(a));
  EXPECT_FALSE(e.dir.alive(b));
  EXPECT_TRUE(e.dir.alive(e.tenant));
  EXPECT_THAT(error_of(e.dir.delete_entity(e.tenant, kHour)), HasSubstr("not modelled"));
}

TEST(Lifecycle, ScaleSetInstancesLiveInTheirScaleSetAndUseItsIdentities) {
  Estate e;
  const ResourceId ss = e.resource("ss", "vmss", true);
  const ResourceTypeId instance_type = ok(e.dir.resource_type("vmss_instance"));
  EXPECT_THAT(error_of(e.dir.create_resource("ss-0", instance_type, e.group, 0)), HasSubstr("created inside a vmss"));
  ResourceOptions in_ss;
  in_ss.parent = ss;
  const ResourceId i0 = ok(e.dir.create_resource("ss-0", instance_type, {}, 0, in_ss));
  const ResourceId i1 = ok(e.dir.create_resource("ss-1", instance_type, {}, 0, in_ss));
  EXPECT_EQ(e.dir.resource(i0).group, e.group);
  EXPECT_THAT(e.dir.identities_of(i0), ElementsAre(e.dir.resource(ss).system_identity));
  EXPECT_THAT(error_of(e.dir.attach(i0, e.user_assigned("id"), 0)), HasSubstr("attach it to the vmss"));
  ok(e.dir.delete_entity(ss, kHour));
  EXPECT_FALSE(e.dir.alive(i0));
  EXPECT_FALSE(e.dir.alive(i1));
}

TEST(Lifecycle, NamesAreUniqueAmongLiveEntitiesAndFreeAgainAfterDeletion) {
  Estate e;
  const IdentityId old_id = e.user_assigned("web-id");
  EXPECT_THAT(error_of(e.dir.create_resource("web-id", ok(e.dir.resource_type("vm")), e.group, 0)),
              HasSubstr("already used by user-assigned identity 'web-id'"));
  ok(e.dir.delete_entity(old_id, kHour));
  EXPECT_FALSE(e.dir.find("web-id"));
  EXPECT_EQ(e.dir.name(old_id), "web-id");  // the record keeps its name
  const IdentityId new_id = ok(e.dir.create_user_assigned("web-id", e.group, 2 * kHour));
  EXPECT_NE(new_id, old_id);
  EXPECT_NE(e.dir.identity(new_id).object_id, e.dir.identity(old_id).object_id);
  EXPECT_NE(e.dir.identity(new_id).client_id, e.dir.identity(old_id).client_id);
  EXPECT_EQ(*e.dir.find("web-id"), EntityRef(new_id));
}

TEST(Lifecycle, RejectsEmptyAndOverlongNames) {
  Estate e;
  const ResourceTypeId vm = ok(e.dir.resource_type("vm"));
  EXPECT_THAT(error_of(e.dir.create_resource("", vm, e.group, 0)), HasSubstr("cannot be empty"));
  EXPECT_THAT(error_of(e.dir.create_resource(std::string(300, 'x'), vm, e.group, 0)), HasSubstr("longer than 255"));
}

TEST(Lifecycle, OperationsMustComeInTimeOrder) {
  Estate e;
  e.resource("a", "vm");
  ok(e.dir.create_resource("b", ok(e.dir.resource_type("vm")), e.group, kHour));
  EXPECT_THAT(error_of(e.dir.create_resource("c", ok(e.dir.resource_type("vm")), e.group, kMinute)),
              HasSubstr("time order"));
  EXPECT_FALSE(e.dir.find("c"));
}

TEST(Lifecycle, IdsAreTheSameForTheSameSeedAndDifferForAnother) {
  Estate a({.seed = 1, .limits = {}});
  Estate b({.seed = 1, .limits = {}});
  Estate c({.seed = 2, .limits = {}});
  const IdentityId ia = a.user_assigned("id");
  const IdentityId ib = b.user_assigned("id");
  const IdentityId ic = c.user_assigned("id");
  EXPECT_EQ(a.dir.identity(ia).object_id, b.dir.identity(ib).object_id);
  EXPECT_EQ(a.dir.identity(ia).client_id, b.dir.identity(ib).client_id);
  EXPECT_NE(a.dir.identity(ia).object_id, c.dir.identity(ic).object_id);
  EXPECT_NE(a.dir.identity(ia).object_id, a.dir.identity(ia).client_id);
}

TEST(Lifecycle, ArmIdsFollowAzureResourceIdForm) {
  Estate e;
  const std::string sub = "/subscriptions/" + e.dir.subscription(e.sub).subscription_id.to_string();
  const ResourceId vm = e.resource("web-0", "vm", true);
  const IdentityId id = e.user_assigned("web-id");
  EXPECT_EQ(e.dir.arm_id(vm), sub + "/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-0");
  EXPECT_EQ(e.dir.arm_id(id),
            sub + "/resourceGroups/rg-web/providers/Microsoft.ManagedIdentity/userAssignedIdentities/web-id");
  EXPECT_EQ(e.dir.arm_id(e.dir.resource(vm).system_identity),
            e.dir.arm_id(vm) + "/providers/Microsoft.ManagedIdentity/Identities/default");
  EXPECT_EQ(*e.dir.find_by_arm_id(e.dir.arm_id(id)), id);
  std::string upper = e.dir.arm_id(id);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(e.dir.find_by_arm_id(upper), id);  // ARM ids compare ignoring case
  EXPECT_FALSE(e.dir.find_by_arm_id(sub + "/resourceGroups/other/providers/Microsoft.ManagedIdentity/"
                                          "userAssignedIdentities/web-id"));
}

TEST(Lifecycle, FailedOperationsChangeNothing) {
  Estate e;
  const IdentityId id = e.user_assigned("web-id");
  const ResourceId vm = e.resource("web-0", "vm");
  ok(e.dir.attach(vm, id, 0));
  const std::size_t resources = e.dir.count(EntityKind::kResource);
  EXPECT_FALSE(e.dir.attach(vm, id, 0));
  EXPECT_FALSE(e.dir.create_resource("web-0", ok(e.dir.resource_type("vm")), e.group, 0));
  EXPECT_EQ(e.dir.count(EntityKind::kResource), resources);
  EXPECT_THAT(e.dir.user_assigned_of(vm), ElementsAre(id));
}

}  // namespace
}  // namespace misim
