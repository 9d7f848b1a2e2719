// A small estate for the directory tests: one tenant, one subscription, one resource group, and
// helpers that create entities and fail the test (not return errors) when a step that must
// succeed does not.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "misim/directory.hpp"

namespace misim::testing {

constexpr std::string_view kGetSecret = "Microsoft.KeyVault/vaults/secrets/getSecret/action";
constexpr std::string_view kSetSecret = "Microsoft.KeyVault/vaults/secrets/setSecret/action";
constexpr std::string_view kReadBlob = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";

template <class T>
T ok(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : T{};
}

inline void ok(const Status& s) { EXPECT_TRUE(s.ok()) << s.error().message; }

/// The message of an expected failure ("" and a test failure if it succeeded).
template <class T>
std::string error_of(const Result<T>& r) {
  EXPECT_FALSE(r.ok()) << "expected a failure";
  return r.ok() ? std::string{} : r.error().message;
}
inline std::string error_of(const Status& s) {
  EXPECT_FALSE(s.ok()) << "expected a failure";
  return s.ok() ? std::string{} : s.error().message;
}

struct Estate {
  explicit Estate(DirectoryConfig config = {.seed = 42, .limits = {}}) : dir(config) {
    tenant = ok(dir.create_tenant("contoso", 0));
    sub = ok(dir.create_subscription("prod", tenant, 0));
    group = ok(dir.create_resource_group("rg-web", sub, 0));
  }

  ResourceId resource(std::string_view name, std::string_view type, bool system_assigned = false) {
    return resource_in(name, type, group, system_assigned);
  }
  ResourceId resource_in(std::string_view name, std::string_view type, ResourceGroupId g,
                         bool system_assigned = false) {
    ResourceOptions o;
    o.system_assigned = system_assigned;
    return ok(dir.create_resource(name, ok(dir.resource_type(type)), g, now, o));
  }
  IdentityId user_assigned(std::string_view name) { return ok(dir.create_user_assigned(name, group, now)); }
  RoleDefinitionId role(std::string_view name) const { return ok(dir.role(name)); }
  RoleAssignmentId assign(IdentityId principal, std::string_view role_name, EntityRef scope) {
    return ok(dir.assign_role(principal, role(role_name), scope, now));
  }

  Directory dir;
  TenantId tenant;
  SubscriptionId sub;
  ResourceGroupId group;
  SimTime now = 0;
};

}  // namespace misim::testing
