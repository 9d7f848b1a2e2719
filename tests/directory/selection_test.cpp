// Tests of identity selection for a token request (include/misim/identity_selection.hpp):
// system-assigned first, else the only user-assigned, else the request must name one
// (azure-facts.md:51), with IMDS's documented errors (azure-facts.md:19, :20).
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace misim
