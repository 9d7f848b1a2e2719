// Tests of include/misim/resource_type.hpp: the built-in types and adding new ones.
#include "misim/resource_type.hpp"

#include <gtest/gtest.h>

#include "estate.hpp"

namespace misim {
namespace {

using testing::error_of;
using testing::ok;

TEST(ResourceTypes, BuiltInsAreTheTypesOfTheDesign) {
  const ResourceTypeRegistry types = ResourceTypeRegistry::with_builtins();
  for (const char* name : {"vm", "vmss", "vmss_instance", "app_service", "function_app", "container_app",
                           "aks_workload", "arc_server", "key_vault", "storage_account", "sql_database"}) {
    EXPECT_TRUE(types.find(name)) << name;
  }
  EXPECT_EQ(types.size(), 11U);
}

TEST(ResourceTypes, SayWhichIdentitiesAndEndpointEachHas) {
  const ResourceTypeRegistry types = ResourceTypeRegistry::with_builtins();
  const auto& vm = types.info(*types.find("vm"));
  EXPECT_TRUE(vm.system_assigned && vm.user_assigned);
  EXPECT_EQ(vm.endpoint, TokenEndpoint::kImds);
  const auto& arc = types.info(*types.find("arc_server"));
  EXPECT_TRUE(arc.system_assigned);
  EXPECT_FALSE(arc.user_assigned);  // azure-facts.md:62
  EXPECT_EQ(arc.endpoint, TokenEndpoint::kArcHimds);
  EXPECT_EQ(types.info(*types.find("aks_workload")).endpoint, TokenEndpoint::kWorkloadIdentity);
  EXPECT_EQ(types.info(*types.find("container_app")).endpoint, TokenEndpoint::kAppService);
  const auto& kv = types.info(*types.find("key_vault"));
  EXPECT_TRUE(kv.target);
  EXPECT_EQ(kv.audience, "https://vault.azure.net");
  const auto& instance = types.info(*types.find("vmss_instance"));
  EXPECT_EQ(instance.parent_type, "vmss");
  EXPECT_TRUE(instance.identities_from_parent);
}

TEST(ResourceTypes, CanBeAddedWithoutTouchingTheDirectory) {
  testing::Estate e;
  const ResourceTypeId hubs = ok(e.dir.add_resource_type({.name = "event_hub",
                                                          .provider_type = "Microsoft.EventHub/namespaces",
                                                          .target = true,
                                                          .data_actions = "Microsoft.EventHub/namespaces",
                                                          .audience = "https://eventhubs.azure.net"}));
  RoleDefinition sender;
  sender.name = "Azure Event Hubs Data Sender";
  sender.data_actions = {"Microsoft.EventHub/namespaces/messages/send/action"};
  ok(e.dir.add_custom_role(sender));
  const ResourceId hub = ok(e.dir.create_resource("orders", hubs, e.group, 0));
  const IdentityId id = e.user_assigned("sender-id");
  e.assign(id, "Azure Event Hubs Data Sender", hub);
  EXPECT_TRUE(e.dir.check_access(id, hub, "Microsoft.EventHub/namespaces/messages/send/action").granted);
  const ResourceId app = e.resource("app", "app_service");
  ok(e.dir.attach(app, id, 0));
  ASSERT_EQ(e.dir.accesses_of(app).size(), 1U);
  EXPECT_EQ(e.dir.accesses_of(app)[0].target, hub);
}

TEST(ResourceTypes, RejectsMalformedTypes) {
  ResourceTypeRegistry types = ResourceTypeRegistry::with_builtins();
  EXPECT_NE(error_of(types.add({.name = "vm", .provider_type = "X/y"})).find("already defined"), std::string::npos);
  EXPECT_NE(
      error_of(types.add({.name = "pod", .provider_type = "X/y", .parent_type = "cluster"})).find("unknown parent"),
      std::string::npos);
  EXPECT_NE(error_of(types.add({.name = "t", .provider_type = "X/y", .target = true})).find("data actions"),
            std::string::npos);
  EXPECT_FALSE(types.add({.name = "", .provider_type = "X/y"}));
}

}  // namespace
}  // namespace misim
