// ImpactReport: the static answer to "what breaks if I delete this?" (design.md, first user).
//
// Directory::impact computes it by walking the graph outward from what is removed, never by
// re-evaluating every access: the entities the deletion cascades to (a resource group's resources
// and user-assigned identities, a resource's scale-set instances and system-assigned identity,
// role assignments scoped inside), then the resources that held a removed identity, the role
// assignments a removed identity leaves orphaned, and the data-plane accesses that surviving
// resources lose. It does not change the directory: the same operation applied afterwards removes
// exactly what the report lists.
//
// An access is (resource, target, role): the resource can reach the target's data plane with the
// role through one of its identities. It is lost when, after the change, no surviving identity of
// the resource holds that role at a scope containing the target any more, or the target is gone.
//
//   Result<ImpactReport> r = dir.impact(DirectoryOperation::remove("web-id"));
//   std::cout << format_impact_text(*r, dir);      // readable
//   std::cout << format_impact_json(*r, dir);      // for scripts
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "misim/directory_ids.hpp"

namespace misim {

class Directory;

/// A resource that keeps existing but loses one of its identities.
struct LostIdentity {
  ResourceId resource;
  IdentityId identity;
  friend auto operator<=>(const LostIdentity&, const LostIdentity&) = default;
};

/// A data-plane access a surviving resource loses.
struct LostAccess {
  ResourceId resource;
  ResourceId target;
  RoleDefinitionId role;
  /// The identity through which the resource had it (the lowest id, if several).
  IdentityId via;
};

struct ImpactReport {
  /// What the report is about, in words: "delete user-assigned identity 'web-id'".
  std::string operation;

  std::vector<SubscriptionId> subscriptions_deleted;
  std::vector<ResourceGroupId> resource_groups_deleted;
  std::vector<ResourceId> resources_deleted;
  /// Identities that disappear: system-assigned ones of deleted resources (or disabled), user-assigned
  /// ones deleted directly or with their resource group, service principals deleted directly.
  std::vector<IdentityId> identities_deleted;
  std::vector<FederatedCredentialId> federated_credentials_deleted;
  /// Surviving resources that lose an identity (scale-set instances through their scale set too).
  std::vector<LostIdentity> resources_losing_identity;
  /// Sorted by (resource, target, role).
  std::vector<LostAccess> accesses_lost;
  /// Assignments that stay but whose principal disappears ("Identity not found").
  std::vector<RoleAssignmentId> role_assignments_orphaned;
  /// Assignments removed: deleted directly, or with the scope they were made at.
  std::vector<RoleAssignmentId> role_assignments_deleted;

  [[nodiscard]] bool empty() const noexcept {
    return subscriptions_deleted.empty() && resource_groups_deleted.empty() && resources_deleted.empty() &&
           identities_deleted.empty() && federated_credentials_deleted.empty() && resources_losing_identity.empty() &&
           accesses_lost.empty() && role_assignments_orphaned.empty() && role_assignments_deleted.empty();
  }
};

/// Readable text, one section per list, entities by name. Lists longer than `max_items` show their
/// first `max_items` entries and how many more there are.
[[nodiscard]] std::string format_impact_text(const ImpactReport& report, const Directory& directory,
                                             std::size_t max_items = std::numeric_limits<std::size_t>::max());

/// JSON for scripts: {"operation": ..., "counts": {...}, "resources_deleted": [names], ...,
/// "accesses_lost": [{"resource", "target", "role", "via"}], "role_assignments_orphaned": [{...}]}.
/// Always complete; keys in a fixed order.
[[nodiscard]] std::string format_impact_json(const ImpactReport& report, const Directory& directory);

}  // namespace misim
