// Tests of include/misim/directory_operation.hpp: lifecycle operations as values, by name, as a
// scenario timeline applies them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "estate.hpp"
#include "misim/directory.hpp"
#include "misim/directory_operation.hpp"
#include "misim/engine.hpp"

namespace misim {
namespace {

using testing::error_of;
using testing::Estate;
using ::testing::HasSubstr;
using testing::ok;

TEST(DirectoryOperation, BuildsAnEstateByNames) {
  Estate e;
  const std::vector<DirectoryOperation> ops = {
      DirectoryOperation::create_resource_group("rg-data", "prod"),
      DirectoryOperation::create_resource("vault", "key_vault", "rg-data"),
      DirectoryOperation::create_user_assigned("web-id", "rg-web"),
      DirectoryOperation::create_resource("web-0", "vm", "rg-web", /*system_assigned=*/true),
      DirectoryOperation::attach("web-0", "web-id"),
      DirectoryOperation::assign_role("web-id", "Key Vault Secrets User", "vault", "web-reads"),
      DirectoryOperation::assign_role("web-0", "Key Vault Secrets Officer", "rg-data"),  // web-0's system identity
      DirectoryOperation::create_resource("ss", "vmss", "rg-web"),
      DirectoryOperation::create_resource("ss-0", "vmss_instance", "ss"),
      DirectoryOperation::create_service_principal("ci", "contoso"),
      DirectoryOperation::add_federated_credential("web-id", {"gh", "https://token.actions.githubusercontent.com",
                                                              "repo:contoso/web:ref:refs/heads/main", "aud"}),
  };
  for (const DirectoryOperation& op : ops) ASSERT_TRUE(apply(e.dir, op, 0)) << describe(op);
  const ResourceId vm = ok(e.dir.lookup_resource("web-0"));
  const ResourceId vault = ok(e.dir.lookup_resource("vault"));
  EXPECT_TRUE(e.dir.check_access(ok(e.dir.lookup_principal("web-id")), vault, testing::kGetSecret).granted);
  EXPECT_TRUE(e.dir.check_access(e.dir.resource(vm).system_identity, vault, testing::kSetSecret).granted);
  EXPECT_EQ(e.dir.resource(ok(e.dir.lookup_resource("ss-0"))).parent, ok(e.dir.lookup_resource("ss")));
  EXPECT_EQ(e.dir.identity(ok(e.dir.lookup_principal("web-id"))).federated_credentials, 1U);
}

TEST(DirectoryOperation, UndoesByNames) {
  Estate e;
  for (const auto& op : {DirectoryOperation::create_resource("vault", "key_vault", "rg-web"),
                         DirectoryOperation::create_user_assigned("web-id", "rg-web"),
                         DirectoryOperation::create_resource("web-0", "vm", "rg-web", true),
                         DirectoryOperation::attach("web-0", "web-id"),
                         DirectoryOperation::assign_role("web-id", "Key Vault Secrets User", "vault"),
                         DirectoryOperation::add_federated_credential("web-id", {"f", "i", "s", "a"})}) {
    ASSERT_TRUE(apply(e.dir, op, 0)) << describe(op);
  }
  const IdentityId id = ok(e.dir.lookup_principal("web-id"));
  ASSERT_TRUE(apply(e.dir, DirectoryOperation::remove_federated_credential("web-id", "f"), kMinute));
  ASSERT_TRUE(apply(e.dir, DirectoryOperation::unassign_role("web-id", "Key Vault Secrets User", "vault"), kMinute));
  ASSERT_TRUE(apply(e.dir, DirectoryOperation::detach("web-0", "web-id"), kMinute));
  ASSERT_TRUE(apply(e.dir, DirectoryOperation::disable_system_assigned("web-0"), kMinute));
  ASSERT_TRUE(apply(e.dir, DirectoryOperation::enable_system_assigned("web-0"), kMinute));
  ASSERT_TRUE(apply(e.dir, DirectoryOperation::remove("web-id"), kHour));
  EXPECT_FALSE(e.dir.alive(id));
  EXPECT_TRUE(e.dir.role_assignments_at(ok(e.dir.lookup_resource("vault"))).empty());
}

TEST(DirectoryOperation, ReportsUnknownAndWrongKindNames) {
  Estate e;
  EXPECT_THAT(error_of(apply(e.dir, DirectoryOperation::remove("ghost"), 0)), HasSubstr("no entity named 'ghost'"));
  EXPECT_THAT(error_of(apply(e.dir, DirectoryOperation::create_resource("x", "toaster", "rg-web"), 0)),
              HasSubstr("unknown resource type 'toaster'"));
  EXPECT_THAT(error_of(apply(e.dir, DirectoryOperation::create_resource("x", "vm", "prod"), 0)),
              HasSubstr("not a resource group or a resource"));
  EXPECT_THAT(error_of(apply(e.dir, DirectoryOperation::assign_role("rg-web", "Reader", "prod"), 0)),
              HasSubstr("not an identity"));
  e.resource("vm", "vm");
  EXPECT_THAT(error_of(apply(e.dir, DirectoryOperation::assign_role("vm", "Reader", "prod"), 0)),
              HasSubstr("no system-assigned identity"));
  e.user_assigned("id");
  EXPECT_THAT(error_of(apply(e.dir, DirectoryOperation::assign_role("id", "Chief", "prod"), 0)),
              HasSubstr("unknown role 'Chief'"));
}

TEST(DirectoryOperation, DescribesItselfInWords) {
  EXPECT_EQ(describe(DirectoryOperation::remove("web-id")), "delete 'web-id'");
  EXPECT_EQ(describe(DirectoryOperation::attach("web-0", "web-id")), "attach 'web-id' to 'web-0'");
  EXPECT_EQ(describe(DirectoryOperation::assign_role("web-id", "Reader", "vault")),
            "assign 'Reader' to 'web-id' at 'vault'");
}

TEST(DirectoryOperation, RunsFromTheEngineAtItsScheduledTime) {
  Estate e;
  ASSERT_TRUE(apply(e.dir, DirectoryOperation::create_user_assigned("web-id", "rg-web"), 0));
  const IdentityId id = ok(e.dir.lookup_principal("web-id"));
  const std::vector<DirectoryOperation> timeline = {DirectoryOperation::remove("web-id")};
  Engine engine;
  std::vector<std::string> failures;
  engine.schedule_at(2 * kHour, [&e, &engine, &failures, op = &timeline[0]] {
    Result<EntityRef> done = apply(e.dir, *op, engine.now());
    if (!done) failures.push_back(done.error().message);
  });
  engine.run();
  EXPECT_TRUE(failures.empty());
  EXPECT_EQ(e.dir.identity(id).life.deleted_at, 2 * kHour);
}

}  // namespace
}  // namespace misim
