// Deletion stays linear in what it touches: deleting a group of 100,000 resources that all use one
// user-assigned identity in another group must not rescan that identity's edges once per resource
// (sim/directory/graph.hpp, remove_vertices). Quadratic behaviour here takes minutes, not seconds.
#include <gtest/gtest.h>

#include <chrono>

#include "estate.hpp"
#include "misim/directory.hpp"
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

}  // namespace
}  // namespace misim
