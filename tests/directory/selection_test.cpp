// Tests of identity selection for a token request (include/misim/identity_selection.hpp):
// system-assigned first, else the only user-assigned, else the request must name one
// (azure-facts.md:51), with IMDS's documented errors (azure-facts.md:19, :20).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "estate.hpp"
#include "misim/directory.hpp"
#include "misim/identity_selection.hpp"

namespace misim {
namespace {

using testing::Estate;
using testing::ok;

TEST(IdentitySelection, PrefersTheSystemAssignedIdentity) {
  Estate e;
  const ResourceId vm = e.resource("vm", "vm", true);
  ok(e.dir.attach(vm, e.user_assigned("a"), 0));
  ok(e.dir.attach(vm, e.user_assigned("b"), 0));
  const IdentitySelection s = e.dir.select_identity(vm, IdentitySelector::none());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.identity, e.dir.resource(vm).system_identity);
  EXPECT_EQ(s.http_status(), 200);
}

TEST(IdentitySelection, TakesTheOnlyUserAssignedIdentity) {
  Estate e;
  const ResourceId vm = e.resource("vm", "vm");
  const IdentityId a = e.user_assigned("a");
  ok(e.dir.attach(vm, a, 0));
  EXPECT_EQ(e.dir.select_identity(vm, IdentitySelector::none()).identity, a);
}

TEST(IdentitySelection, RejectsAnUnnamedRequestAmongSeveralUserAssignedWithTheDocumentedMessage) {
  Estate e;
  const ResourceId vm = e.resource("vm", "vm");
  ok(e.dir.attach(vm, e.user_assigned("a"), 0));
  ok(e.dir.attach(vm, e.user_assigned("b"), 0));
  const IdentitySelection s = e.dir.select_identity(vm, IdentitySelector::none());
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.failure, SelectionFailure::kAmbiguous);
  EXPECT_EQ(s.http_status(), 400);
  EXPECT_EQ(s.error_code(), "invalid_request");
  EXPECT_EQ(s.message(),
            "Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the "
            "token request");
}

TEST(IdentitySelection, AnswersIdentityNotFoundWhenTheResourceHasNone) {
  Estate e;
  const IdentitySelection s = e.dir.select_identity(e.resource("vm", "vm"), IdentitySelector::none());
  EXPECT_EQ(s.failure, SelectionFailure::kNoIdentity);
  EXPECT_EQ(s.http_status(), 400);
  EXPECT_EQ(s.message(), "Identity not found");
}

TEST(IdentitySelection, PicksTheIdentityNamedByClientIdObjectIdOrResourceId) {
  Estate e;
  const ResourceId vm = e.resource("vm", "vm", true);
  const IdentityId a = e.user_assigned("a");
  const IdentityId b = e.user_assigned("b");
  ok(e.dir.attach(vm, a, 0));
  ok(e.dir.attach(vm, b, 0));
  EXPECT_EQ(e.dir.select_identity(vm, IdentitySelector::by_client_id(e.dir.identity(b).client_id)).identity, b);
  EXPECT_EQ(e.dir.select_identity(vm, IdentitySelector::by_object_id(e.dir.identity(a).object_id)).identity, a);
  const IdentityId named = *e.dir.find_by_arm_id(e.dir.arm_id(b));
  EXPECT_EQ(e.dir.select_identity(vm, IdentitySelector::by_resource_id(named)).identity, b);
  const IdentityId sa = e.dir.resource(vm).system_identity;
  EXPECT_EQ(e.dir.select_identity(vm, IdentitySelector::by_client_id(e.dir.identity(sa).client_id)).identity, sa);
}

TEST(IdentitySelection, AnswersIdentityNotFoundForAnIdentityTheResourceDoesNotHold) {
  Estate e;
  const ResourceId vm = e.resource("vm", "vm");
  const IdentityId mine = e.user_assigned("mine");
  const IdentityId other = e.user_assigned("other");
  ok(e.dir.attach(vm, mine, 0));
  const IdentitySelection s =
      e.dir.select_identity(vm, IdentitySelector::by_client_id(e.dir.identity(other).client_id));
  EXPECT_EQ(s.failure, SelectionFailure::kNotFound);
  EXPECT_EQ(s.message(), "Identity not found");
  EXPECT_EQ(e.dir.select_identity(vm, IdentitySelector::by_resource_id(IdentityId{})).failure,
            SelectionFailure::kNotFound);
}

TEST(IdentitySelection, ADeletedUserAssignedIdentityIsNoLongerSelectable) {
  Estate e;
  const ResourceId vm = e.resource("vm", "vm");
  const IdentityId a = e.user_assigned("a");
  ok(e.dir.attach(vm, a, 0));
  const Uuid client = e.dir.identity(a).client_id;
  ok(e.dir.delete_entity(a, kHour));
  EXPECT_EQ(e.dir.select_identity(vm, IdentitySelector::none()).failure, SelectionFailure::kNoIdentity);
  EXPECT_EQ(e.dir.select_identity(vm, IdentitySelector::by_client_id(client)).failure, SelectionFailure::kNotFound);
}

TEST(IdentitySelection, DetachingOneOfTwoMakesTheOtherTheOnlyOne) {
  Estate e;
  const ResourceId vm = e.resource("vm", "vm");
  const IdentityId a = e.user_assigned("a");
  const IdentityId b = e.user_assigned("b");
  ok(e.dir.attach(vm, a, 0));
  ok(e.dir.attach(vm, b, 0));
  ok(e.dir.detach(vm, a, kMinute));
  EXPECT_EQ(e.dir.select_identity(vm, IdentitySelector::none()).identity, b);
}

TEST(IdentitySelection, AScaleSetInstanceGetsItsScaleSetsIdentity) {
  Estate e;
  const ResourceId ss = e.resource("ss", "vmss");
  const IdentityId id = e.user_assigned("ss-id");
  ok(e.dir.attach(ss, id, 0));
  ResourceOptions in_ss;
  in_ss.parent = ss;
  const ResourceId i0 = ok(e.dir.create_resource("ss-0", ok(e.dir.resource_type("vmss_instance")), {}, 0, in_ss));
  EXPECT_EQ(e.dir.select_identity(i0, IdentitySelector::none()).identity, id);
}

TEST(IdentitySelection, ADeletedResourceSelectsNothing) {
  Estate e;
  const ResourceId vm = e.resource("vm", "vm", true);
  ok(e.dir.delete_entity(vm, kHour));
  EXPECT_EQ(e.dir.select_identity(vm, IdentitySelector::none()).failure, SelectionFailure::kNoResource);
}

// The token path keeps a caller's selection until identities_changed_at(host) passes the clock at
// which it was made: every change that can alter a selection must mark the resources it alters,
// and no other resource.
TEST(IdentitySelection, TheIdentityClockMarksExactlyTheResourcesWhoseIdentitiesChanged) {
  Estate e;
  const ResourceId vm1 = e.resource("vm1", "vm", true);
  const ResourceId vm2 = e.resource("vm2", "vm");
  const ResourceId vm3 = e.resource("vm3", "vm");
  const ResourceId vault = e.resource("vault", "key_vault");
  const IdentityId shared = e.user_assigned("shared");
  const IdentityId own = e.user_assigned("own");
  ok(e.dir.attach(vm1, shared, 0));
  ok(e.dir.attach(vm2, shared, 0));
  ok(e.dir.attach(vm3, own, 0));
  const auto stamps = [&] {
    return std::vector<std::uint32_t>{e.dir.identities_changed_at(vm1), e.dir.identities_changed_at(vm2),
                                      e.dir.identities_changed_at(vm3)};
  };
  const std::vector<std::uint32_t> built = stamps();
  for (const std::uint32_t s : built) {
    EXPECT_GT(s, 0U);  // each was given an identity
    EXPECT_LE(s, e.dir.identity_clock());
  }
  EXPECT_EQ(e.dir.identities_changed_at(vault), 0U);

  // A role assignment changes no selection.
  const std::uint32_t before_assignment = e.dir.identity_clock();
  e.assign(shared, "Key Vault Secrets User", vault);
  EXPECT_EQ(e.dir.identity_clock(), before_assignment);

  // Deleting a shared identity marks its holders, not the others.
  ok(e.dir.delete_entity(shared, kMinute));
  std::vector<std::uint32_t> now = stamps();
  EXPECT_GT(now[0], built[0]);
  EXPECT_GT(now[1], built[1]);
  EXPECT_EQ(now[2], built[2]);
  EXPECT_EQ(e.dir.identity_clock(), std::max(now[0], now[1]));

  // Detaching, attaching, disabling the system-assigned identity and deleting the resource mark it.
  const auto marks = [&](ResourceId r, auto change) {
    const std::uint32_t was = e.dir.identities_changed_at(r);
    change();
    EXPECT_GT(e.dir.identities_changed_at(r), was);
    EXPECT_EQ(e.dir.identities_changed_at(r), e.dir.identity_clock());
  };
  marks(vm3, [&] { ok(e.dir.detach(vm3, own, 2 * kMinute)); });
  marks(vm2, [&] { ok(e.dir.attach(vm2, own, 2 * kMinute)); });
  marks(vm1, [&] { ok(e.dir.disable_system_assigned(vm1, 3 * kMinute)); });
  const std::uint32_t vm1_now = e.dir.identities_changed_at(vm1);
  marks(vm2, [&] { ok(e.dir.delete_entity(vm2, 4 * kMinute)); });
  EXPECT_EQ(e.dir.identities_changed_at(vm1), vm1_now);
}

TEST(IdentitySelection, TheIdentityClockMarksScaleSetInstancesWithTheirScaleSet) {
  Estate e;
  const ResourceId ss = e.resource("ss", "vmss");
  ResourceOptions in_ss;
  in_ss.parent = ss;
  const ResourceId i0 = ok(e.dir.create_resource("ss-0", ok(e.dir.resource_type("vmss_instance")), {}, 0, in_ss));
  const ResourceId i1 = ok(e.dir.create_resource("ss-1", ok(e.dir.resource_type("vmss_instance")), {}, 0, in_ss));
  const IdentityId id = e.user_assigned("ss-id");
  ok(e.dir.attach(ss, id, kMinute));
  EXPECT_EQ(e.dir.identities_changed_at(i0), e.dir.identity_clock());
  EXPECT_EQ(e.dir.identities_changed_at(i1), e.dir.identity_clock());
  // Deleting the identity while deletions are batched (a timeline's `delete:` of many entities).
  e.dir.begin_deletions();
  ok(e.dir.delete_entity(id, 2 * kMinute));
  e.dir.end_deletions();
  EXPECT_EQ(e.dir.identities_changed_at(i0), e.dir.identity_clock());
  EXPECT_EQ(e.dir.select_identity(i0, IdentitySelector::none()).failure, SelectionFailure::kNoIdentity);
}

}  // namespace
}  // namespace misim
