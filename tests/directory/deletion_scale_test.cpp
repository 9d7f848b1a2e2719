// Deletion stays linear in what it touches: deleting a group of 100,000 resources that all use one
// user-assigned identity in another group must not rescan that identity's edges once per resource
// (sim/directory/graph.hpp, remove_vertices). Quadratic behaviour here takes minutes, not seconds.
#include <gtest/gtest.h>

#include <chrono>

#include "estate.hpp"
#include "misim/directory.hpp"
#include "misim/directory_export.hpp"
#include "misim/directory_operation.hpp"
#include "misim/impact.hpp"

namespace misim {
namespace {

using testing::Estate;
using testing::ok;

TEST(DeletionScale, DeletingAGroupOfAHundredThousandHoldersOfOneIdentityIsFast) {
  constexpr int kResources = 100'000;
  DirectoryConfig config;
  config.limits.directory_objects_per_tenant = 1'000'000;
  Estate e(config);
  const ResourceGroupId ids = ok(e.dir.create_resource_group("rg-ids", e.sub, 0));
  const IdentityId shared = ok(e.dir.create_user_assigned("shared-id", ids, 0));
  const ResourceId vault = e.resource_in("vault", "key_vault", ids);
  e.assign(shared, "Key Vault Secrets User", vault);
  const ResourceTypeId vm = ok(e.dir.resource_type("vm"));
  for (int i = 0; i < kResources; ++i) {
    const ResourceId r = ok(e.dir.create_resource("web-" + std::to_string(i), vm, e.group, 0));
    ok(e.dir.attach(r, shared, 0));
  }
  const auto start = std::chrono::steady_clock::now();
  const ImpactReport r = ok(e.dir.impact(DirectoryOperation::remove("shared-id")));
  EXPECT_EQ(r.accesses_lost.size(), static_cast<std::size_t>(kResources));
  ok(e.dir.delete_entity(e.group, kHour));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(e.dir.holders(shared).empty());
  EXPECT_EQ(e.dir.live_count(EntityKind::kResource), 1U);
  EXPECT_LT(seconds, 5.0);  // about 0.1 s in a release build; quadratic removal takes minutes
}

/// An estate of `n` VMs with system-assigned identities sharing two identities and a group, a
/// vault the identities may read, and a role assignment scoped at each of the first VMs.
void build_shared_estate(Estate& e, int n, IdentityId& a, IdentityId& b) {
  a = e.user_assigned("id-a");
  b = e.user_assigned("id-b");
  const ResourceId vault = e.resource("vault", "key_vault");
  e.assign(a, "Key Vault Secrets User", vault);
  e.assign(b, "Key Vault Secrets User", vault);
  for (int i = 0; i < n; ++i) {
    const ResourceId r = e.resource("web-" + std::to_string(i), "vm", /*system_assigned=*/true);
    ok(e.dir.attach(r, i % 2 == 0 ? a : b, 0));
    if (i < 3) e.assign(a, "Reader", r);
  }
}

TEST(DeletionScale, DeletionsInABatchLeaveTheSameDirectoryAsOneByOne) {
  // The timeline's `delete: web` over a template runs as a batch (Directory::begin_deletions): the
  // estate afterwards, down to the order of every edge the exports walk, must be the same.
  constexpr int kResources = 40;
  Estate one_by_one;
  Estate batched;
  IdentityId a1, b1, a2, b2;
  build_shared_estate(one_by_one, kResources, a1, b1);
  build_shared_estate(batched, kResources, a2, b2);
  batched.dir.begin_deletions();
  for (int i = 0; i < kResources; i += 3) {
    const std::string name = "web-" + std::to_string(i);
    ok(one_by_one.dir.delete_entity(*one_by_one.dir.find(name), kHour));
    ok(batched.dir.delete_entity(*batched.dir.find(name), kHour));
  }
  // Inside the batch a deleted entity is gone at once, to every lookup.
  EXPECT_FALSE(batched.dir.find("web-0").has_value());
  ok(one_by_one.dir.delete_entity(a1, kHour));
  ok(batched.dir.delete_entity(a2, kHour));
  batched.dir.end_deletions();
  EXPECT_EQ(export_json(batched.dir), export_json(one_by_one.dir));
  EXPECT_EQ(export_dot(batched.dir), export_dot(one_by_one.dir));
  EXPECT_EQ(batched.dir.holders(b2).size(), one_by_one.dir.holders(b1).size());
  EXPECT_EQ(batched.dir.live_count(EntityKind::kIdentity), one_by_one.dir.live_count(EntityKind::kIdentity));
  EXPECT_EQ(batched.dir.live_count(EntityKind::kRoleAssignment),
            one_by_one.dir.live_count(EntityKind::kRoleAssignment));
}

TEST(DeletionScale, DeletesAHundredThousandHoldersOfOneIdentityOneByOneInABatch) {
  // What a timeline `delete: web` over 100,000 VMs does: one deletion per VM, each VM in the same
  // group as the others and holding the same identity. Without the batch each removal scans the
  // group's and the identity's edge lists: quadratic, minutes instead of a fraction of a second
  // (docs/performance.md), which shows here as the test's timeout.
  constexpr int kResources = 100'000;
  DirectoryConfig config;
  config.limits.directory_objects_per_tenant = 1'000'000;
  Estate e(config);
  const IdentityId shared = e.user_assigned("shared-id");
  const ResourceTypeId vm = ok(e.dir.resource_type("vm"));
  std::vector<ResourceId> vms;
  ResourceOptions with_identity;
  with_identity.system_assigned = true;
  for (int i = 0; i < kResources; ++i) {
    vms.push_back(ok(e.dir.create_resource("web-" + std::to_string(i), vm, e.group, 0, with_identity)));
    ok(e.dir.attach(vms.back(), shared, 0));
  }
  e.dir.begin_deletions();
  for (const ResourceId r : vms) ok(e.dir.delete_entity(r, kHour));
  e.dir.end_deletions();
  EXPECT_TRUE(e.dir.holders(shared).empty());
  EXPECT_EQ(e.dir.live_count(EntityKind::kResource), 0U);
  EXPECT_EQ(e.dir.live_count(EntityKind::kIdentity), 1U);  // the shared one stays
}

}  // namespace
}  // namespace misim
