// Tests of include/misim/role_definition.hpp: action matching and the built-in roles.
#include "misim/role_definition.hpp"

#include <gtest/gtest.h>

#include "estate.hpp"

namespace misim {
namespace {

using testing::kGetSecret;
using testing::kReadBlob;
using testing::kSetSecret;

const RoleDefinition& builtin(const RoleCatalog& c, std::string_view name) { return c.role(*c.find(name)); }

TEST(ActionMatching, StarMatchesAnyRunOfCharacters) {
  EXPECT_TRUE(action_matches("*", "Microsoft.Compute/virtualMachines/read"));
  EXPECT_TRUE(action_matches("*/read", "Microsoft.Compute/virtualMachines/read"));
  EXPECT_FALSE(action_matches("*/read", "Microsoft.Compute/virtualMachines/write"));
  EXPECT_TRUE(action_matches("Microsoft.KeyVault/vaults/secrets/*", kGetSecret));
  EXPECT_TRUE(action_matches("Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/secrets/read"));
  EXPECT_FALSE(action_matches("Microsoft.KeyVault/vaults/secrets/*", "Microsoft.KeyVault/vaults/keys/read"));
}

TEST(ActionMatching, IgnoresCaseAsAzureDoes) {
  EXPECT_TRUE(action_matches("Microsoft.Authorization/*/Delete", "microsoft.authorization/roleAssignments/delete"));
}

TEST(ActionMatching, PatternReachesAPrefixWhenSomeActionUnderItMatches) {
  EXPECT_TRUE(action_pattern_reaches("Microsoft.KeyVault/vaults/secrets/*", "Microsoft.KeyVault/vaults/"));
  EXPECT_TRUE(action_pattern_reaches("*", "Microsoft.Storage/storageAccounts/"));
  EXPECT_TRUE(action_pattern_reaches("Microsoft.*/read", "Microsoft.Sql/servers/databases/"));
  EXPECT_FALSE(action_pattern_reaches(kReadBlob, "Microsoft.KeyVault/vaults/"));
}

TEST(BuiltInRoles, CarryTheirAzureIds) {
  const RoleCatalog c = RoleCatalog::with_builtins();
  EXPECT_EQ(builtin(c, "Owner").id.to_string(), "8e3af657-a8ff-443c-a75c-2fe8c4bcb635");
  EXPECT_EQ(builtin(c, "Contributor").id.to_string(), "b24988ac-6180-42a0-ab88-20f7382dd24c");
  EXPECT_EQ(builtin(c, "Reader").id.to_string(), "acdd72a7-3385-48ef-bd42-f606fba81ae7");
  EXPECT_EQ(builtin(c, "Key Vault Secrets User").id.to_string(), "4633458b-17de-408a-b874-0445c86b69e6");
  EXPECT_EQ(builtin(c, "Key Vault Secrets Officer").id.to_string(), "b86a8fe4-44ce-4948-aee5-eccb2c155cd7");
  EXPECT_EQ(builtin(c, "Storage Blob Data Reader").id.to_string(), "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1");
  EXPECT_EQ(builtin(c, "Storage Blob Data Contributor").id.to_string(), "ba92f5b4-2d11-453d-a403-e96b0029c9fe");
  EXPECT_EQ(c.size(), 7U);
}

TEST(BuiltInRoles, OwnerContributorAndReaderGrantNoDataAccess) {
  const RoleCatalog c = RoleCatalog::with_builtins();
  for (const char* name : {"Owner", "Contributor", "Reader"}) {
    EXPECT_FALSE(builtin(c, name).permits_data_action(kGetSecret)) << name;
    EXPECT_FALSE(builtin(c, name).grants_data_access_under("Microsoft.KeyVault/vaults")) << name;
  }
  EXPECT_TRUE(builtin(c, "Owner").permits_action("Microsoft.Authorization/roleAssignments/write"));
  EXPECT_FALSE(builtin(c, "Contributor").permits_action("Microsoft.Authorization/roleAssignments/write"));
  EXPECT_TRUE(builtin(c, "Contributor").permits_action("Microsoft.Compute/virtualMachines/write"));
  EXPECT_TRUE(builtin(c, "Reader").permits_action("Microsoft.Compute/virtualMachines/read"));
  EXPECT_FALSE(builtin(c, "Reader").permits_action("Microsoft.Compute/virtualMachines/write"));
}

TEST(BuiltInRoles, SecretsUserReadsButDoesNotWriteSecretsAndOfficerDoesBoth) {
  const RoleCatalog c = RoleCatalog::with_builtins();
  EXPECT_TRUE(builtin(c, "Key Vault Secrets User").permits_data_action(kGetSecret));
  EXPECT_FALSE(builtin(c, "Key Vault Secrets User").permits_data_action(kSetSecret));
  EXPECT_TRUE(builtin(c, "Key Vault Secrets Officer").permits_data_action(kGetSecret));
  EXPECT_TRUE(builtin(c, "Key Vault Secrets Officer").permits_data_action(kSetSecret));
}

TEST(BuiltInRoles, BlobRolesGrantOnStorageOnly) {
  const RoleCatalog c = RoleCatalog::with_builtins();
  const RoleDefinition& reader = builtin(c, "Storage Blob Data Reader");
  const RoleDefinition& contributor = builtin(c, "Storage Blob Data Contributor");
  EXPECT_TRUE(reader.permits_data_action(kReadBlob));
  EXPECT_FALSE(reader.permits_data_action("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write"));
  EXPECT_TRUE(contributor.permits_data_action("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write"));
  EXPECT_TRUE(reader.grants_data_access_under("Microsoft.Storage/storageAccounts"));
  EXPECT_FALSE(reader.grants_data_access_under("Microsoft.KeyVault/vaults"));
}

TEST(RoleCatalog, NotDataActionsSubtractFromDataActions) {
  RoleCatalog c;
  RoleDefinition r;
  r.name = "Blob reader without delete";
  r.id = make_uuid(1, 2, 3);
  r.data_actions = {"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"};
  r.not_data_actions = {"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete"};
  const RoleDefinition& added = c.role(*c.add(r));
  EXPECT_TRUE(added.permits_data_action(kReadBlob));
  EXPECT_FALSE(added.permits_data_action("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete"));
}

TEST(RoleCatalog, FindsNamesIgnoringCaseAndRejectsDuplicatesAndEmptyRoles) {
  RoleCatalog c = RoleCatalog::with_builtins();
  EXPECT_TRUE(c.find("key vault secrets user"));
  RoleDefinition dup;
  dup.name = "READER";
  dup.id = make_uuid(1, 1, 1);
  dup.actions = {"*/read"};
  EXPECT_NE(c.add(dup).error().message.find("already defined"), std::string::npos);
  RoleDefinition empty;
  empty.name = "Nothing";
  empty.id = make_uuid(1, 1, 2);
  EXPECT_NE(c.add(empty).error().message.find("grants nothing"), std::string::npos);
}

}  // namespace
}  // namespace misim
