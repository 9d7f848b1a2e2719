// Tests of the documented limits (include/misim/directory_limits.hpp): federated credentials per
// identity (azure-facts.md:54) and the directory object quota with the 30-day window for deleted
// system-assigned identities (azure-facts.md:50, :55). The role-assignment limit: role_assignment_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "estate.hpp"
#include "misim/directory.hpp"

namespace misim {
namespace {

using testing::error_of;
using testing::Estate;
using ::testing::HasSubstr;
using testing::ok;

FederatedCredentialSpec credential(int i) {
  FederatedCredentialSpec c;
  c.name = "fic-" + std::to_string(i);
  c.issuer = "https://oidc.prod-aks.azure.com/tenant/cluster/";
  c.subject = "system:serviceaccount:shop:sa-" + std::to_string(i);
  return c;
}

TEST(Limits, DefaultsAreTheDocumentedOnes) {
  const DirectoryLimits limits;
  EXPECT_EQ(limits.role_assignments_per_subscription, 4000U);
  EXPECT_EQ(limits.federated_credentials_per_identity, 20U);
  EXPECT_EQ(limits.directory_objects_per_tenant, 50000U);
  EXPECT_EQ(limits.deleted_system_identity_retention, 30 * kDay);
}

TEST(FederatedCredentials, AtMostTwentyPerIdentity) {
  Estate e;
  const IdentityId id = e.user_assigned("shop-id");
  for (int i = 0; i < 20; ++i) ok(e.dir.add_federated_credential(id, credential(i), 0));
  EXPECT_EQ(e.dir.identity(id).federated_credentials, 20U);
  EXPECT_THAT(error_of(e.dir.add_federated_credential(id, credential(20), 0)), HasSubstr("maximum of 20"));
  ok(e.dir.remove_federated_credential(e.dir.federated_credentials_of(id).front(), kMinute));
  ok(e.dir.add_federated_credential(id, credential(20), kMinute));
}

TEST(FederatedCredentials, TheLimitIsConfigurable) {
  DirectoryConfig config;
  config.limits.federated_credentials_per_identity = 2;
  Estate e(config);
  const IdentityId id = e.user_assigned("shop-id");
  ok(e.dir.add_federated_credential(id, credential(0), 0));
  ok(e.dir.add_federated_credential(id, credential(1), 0));
  EXPECT_FALSE(e.dir.add_federated_credential(id, credential(2), 0));
}

TEST(FederatedCredentials, AreUniqueByNameAndByIssuerAndSubject) {
  Estate e;
  const IdentityId id = e.user_assigned("shop-id");
  ok(e.dir.add_federated_credential(id, credential(0), 0));
  FederatedCredentialSpec same_name = credential(1);
  same_name.name = "fic-0";
  EXPECT_THAT(error_of(e.dir.add_federated_credential(id, same_name, 0)), HasSubstr("of that name"));
  FederatedCredentialSpec same_subject = credential(0);
  same_subject.name = "other";
  EXPECT_THAT(error_of(e.dir.add_federated_credential(id, same_subject, 0)), HasSubstr("issuer and subject"));
  EXPECT_EQ(e.dir.find_federated_credential(id, credential(0).issuer, credential(0).subject),
            e.dir.federated_credentials_of(id).front());
  EXPECT_EQ(e.dir.federated_credential(e.dir.federated_credentials_of(id).front()).spec.audience,
            "api://AzureADTokenExchange");
}

TEST(FederatedCredentials, GoOnUserAssignedIdentitiesAndApplicationsNotSystemAssigned) {
  Estate e;
  const ResourceId vm = e.resource("vm", "vm", true);
  EXPECT_THAT(error_of(e.dir.add_federated_credential(e.dir.resource(vm).system_identity, credential(0), 0)),
              HasSubstr("user-assigned identities and applications"));
  const IdentityId app = ok(e.dir.create_service_principal("ci-app", e.tenant, 0));
  ok(e.dir.add_federated_credential(app, credential(0), 0));
}

TEST(FederatedCredentials, AreDeletedWithTheirIdentity) {
  Estate e;
  const IdentityId id = e.user_assigned("shop-id");
  const FederatedCredentialId c = ok(e.dir.add_federated_credential(id, credential(0), 0));
  ok(e.dir.delete_entity(id, kHour));
  EXPECT_FALSE(e.dir.federated_credential(c).life.alive());
  EXPECT_TRUE(e.dir.federated_credentials_of(id).empty());
}

TEST(DirectoryQuota, CountsIdentitiesAndApplicationsTwice) {
  Estate e;
  e.user_assigned("a");
  e.resource("vm", "vm", true);
  ok(e.dir.create_service_principal("app", e.tenant, 0));
  EXPECT_EQ(e.dir.directory_objects(e.tenant, 0), 4U);  // 1 + 1 + 2 (application and its principal)
}

TEST(DirectoryQuota, RefusesIdentitiesBeyondTheQuota) {
  DirectoryConfig config;
  config.limits.directory_objects_per_tenant = 3;
  Estate e(config);
  e.user_assigned("a");
  e.user_assigned("b");
  e.resource("vm", "vm", true);
  EXPECT_THAT(error_of(e.dir.create_user_assigned("c", e.group, 0)), HasSubstr("directory object quota of 3"));
  EXPECT_THAT(error_of(e.dir.enable_system_assigned(e.resource("vm2", "vm"), 0)), HasSubstr("quota"));
  ResourceOptions sa;
  sa.system_assigned = true;
  EXPECT_FALSE(e.dir.create_resource("vm3", ok(e.dir.resource_type("vm")), e.group, 0, sa));
  EXPECT_FALSE(e.dir.find("vm3"));  // refused as a whole
}

TEST(DirectoryQuota, ADeletedSystemAssignedIdentityCountsForThirtyDays) {
  DirectoryConfig config;
  config.limits.directory_objects_per_tenant = 2;
  Estate e(config);
  const ResourceId vm = e.resource("vm", "vm", true);
  e.user_assigned("a");
  ok(e.dir.delete_entity(vm, kDay));
  EXPECT_EQ(e.dir.directory_objects(e.tenant, kDay), 2U);
  EXPECT_FALSE(e.dir.create_user_assigned("b", e.group, kDay));
  EXPECT_FALSE(e.dir.create_user_assigned("b", e.group, kDay + 30 * kDay - 1));
  EXPECT_EQ(e.dir.directory_objects(e.tenant, kDay + 30 * kDay), 1U);
  ok(e.dir.create_user_assigned("b", e.group, kDay + 30 * kDay));
}

TEST(DirectoryQuota, ADeletedUserAssignedIdentityFreesItsObjectAtOnce) {
  DirectoryConfig config;
  config.limits.directory_objects_per_tenant = 1;
  Estate e(config);
  ok(e.dir.delete_entity(e.user_assigned("a"), kHour));
  EXPECT_EQ(e.dir.directory_objects(e.tenant, kHour), 0U);
  ok(e.dir.create_user_assigned("b", e.group, kHour));
}

TEST(DirectoryQuota, TheRetentionIsConfigurable) {
  DirectoryConfig config;
  config.limits.directory_objects_per_tenant = 1;
  config.limits.deleted_system_identity_retention = kHour;
  Estate e(config);
  const ResourceId vm = e.resource("vm", "vm", true);
  ok(e.dir.disable_system_assigned(vm, 0));
  EXPECT_FALSE(e.dir.enable_system_assigned(vm, kHour - 1));
  ok(e.dir.enable_system_assigned(vm, kHour));
}

}  // namespace
}  // namespace misim
