// The per-request queries allocate nothing (docs/style.md: "Hot paths allocate nothing per
// event"): identity selection on every token request and the RBAC check on every call to a target.
//
// This executable links misim_allocation_counter (tools/testing), which replaces the global
// operator new and delete with counting versions, so it runs in a process of its own.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>

#include "allocation_counter.hpp"
#include "estate.hpp"
#include "misim/directory.hpp"

namespace misim {
namespace {

std::uint64_t allocations() { return counting::allocation_count().allocations; }

// The counter itself is checked once, in tests/engine/no_allocation_test.cpp
// (AllocationCounter.CountsAllocations): both link the same misim_allocation_counter.

TEST(DirectoryHotPaths, SelectionAndAccessChecksAllocateNothing) {
  testing::Estate e;
  const ResourceId vault = e.resource("vault", "key_vault");
  const ResourceId one = e.resource("one", "vm");
  const ResourceId two = e.resource("two", "vm", true);
  const ResourceId many = e.resource("many", "vm");
  const IdentityId a = e.user_assigned("a");
  const IdentityId b = e.user_assigned("b");
  testing::ok(e.dir.attach(one, a, 0));
  testing::ok(e.dir.attach(two, a, 0));
  testing::ok(e.dir.attach(many, a, 0));
  testing::ok(e.dir.attach(many, b, 0));
  e.assign(a, "Key Vault Secrets User", e.group);
  const IdentitySelector by_client = IdentitySelector::by_client_id(e.dir.identity(b).client_id);
  const std::uint64_t before = allocations();
  std::uint64_t granted = 0;
  for (int i = 0; i < 1000; ++i) {
    granted += e.dir.select_identity(one, IdentitySelector::none()).ok() ? 1 : 0;
    granted += e.dir.select_identity(two, IdentitySelector::none()).ok() ? 1 : 0;
    granted += e.dir.select_identity(many, IdentitySelector::none()).ok() ? 1 : 0;  // 400, ambiguous
    granted += e.dir.select_identity(many, by_client).ok() ? 1 : 0;
    granted += e.dir.check_access(a, vault, testing::kGetSecret).granted ? 1 : 0;
    granted += e.dir.check_access(b, vault, testing::kGetSecret).granted ? 1 : 0;  // denied
  }
  EXPECT_EQ(allocations() - before, 0U);
  EXPECT_EQ(granted, 4000U);
}

}  // namespace
}  // namespace misim
