// Directory: the identity graph of one simulated Azure estate, and its lifecycle operations.
//
// Tenants contain subscriptions, subscriptions resource groups, resource groups resources and
// user-assigned identities; resources hold a system-assigned identity and attach user-assigned
// ones; principals are granted roles at scopes. The entities are vertices of a Boost.Graph
// adjacency_list (kept inside sim/directory, behind this interface; docs/model.md says which
// selectors and why) and records in dense vectors indexed by id, for the simulation's O(1) reads.
//
// Every lifecycle operation takes the simulated time it happens at; times must not go backwards
// (they stamp creation, deletion, orphaned-since, and the 30-day quota window). Expected failures
// (a duplicate name, attaching twice, a limit reached, an identity kind that cannot do that) come
// back as values with a message that says what to change. Azure's rules, with their sources, are
// in docs/model.md; in short:
//   - a system-assigned identity lives and dies with its resource; a user-assigned identity is
//     deleted only explicitly (or with its resource group) and serves any number of resources;
//   - deleting an identity never deletes its role assignments: they stay, orphaned;
//   - deleting a scope deletes the role assignments made at it and below it;
//   - limits: role assignments per subscription, federated credentials per identity, directory
//     objects per tenant (a deleted system-assigned identity counting for 30 days).
// Names are unique keys among live entities (a scenario refers to everything by name); a name is
// free again once its entity is deleted, and a re-created entity gets new ids, as in Azure.
//
//   Directory dir({.seed = 42});
//   TenantId t = *dir.create_tenant("contoso", 0);
//   SubscriptionId s = *dir.create_subscription("prod", t, 0);
//   ResourceGroupId g = *dir.create_resource_group("rg-web", s, 0);
//   ResourceId vm = *dir.create_resource("web-0", *dir.resource_type("vm"), g, 0);
//   ResourceId kv = *dir.create_resource("vault", *dir.resource_type("key_vault"), g, 0);
//   IdentityId id = *dir.create_user_assigned("web-id", g, 0);
//   (void)dir.attach(vm, id, 0);
//   (void)dir.assign_role(id, *dir.role("Key Vault Secrets User"), kv, 0);
//   dir.check_access(id, kv, "Microsoft.KeyVault/vaults/secrets/getSecret/action").granted;  // true
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "misim/directory_entities.hpp"
#include "misim/directory_ids.hpp"
#include "misim/directory_limits.hpp"
#include "misim/identity_selection.hpp"
#include "misim/resource_type.hpp"
#include "misim/result.hpp"
#include "misim/role_definition.hpp"
#include "misim/time.hpp"

namespace misim {

struct DirectoryOperation;
struct ImpactReport;

struct DirectoryConfig {
  /// Seeds the object ids, client ids and other GUIDs (same seed, same ids).
  std::uint64_t seed = 0;
  DirectoryLimits limits;
};

/// Expected sizes, so a large build grows its storage once (Directory::reserve).
struct DirectoryCapacity {
  std::size_t resource_groups = 0;
  std::size_t resources = 0;
  std::size_t identities = 0;
  std::size_t role_assignments = 0;
};

/// Options of create_resource.
struct ResourceOptions {
  /// Enable a system-assigned identity with the resource.
  bool system_assigned = false;
  /// The resource it is created in (a scale set, for an instance); required when the type has a
  /// parent type. The group is then the parent's group.
  ResourceId parent;
};

/// Why check_access said no.
enum class AccessDenial : std::uint8_t {
  kNone,                 // granted
  kPrincipalNotFound,    // the principal is deleted
  kTargetNotFound,       // the target is deleted
  kActionNotApplicable,  // the data action is not one of the target type's
  kNoRoleAssignment,     // no assignment of the principal at the target or above permits it
};

struct AccessDecision {
  bool granted = false;
  /// The assignment that grants it (the lowest id, if several do).
  RoleAssignmentId via;
  AccessDenial denial = AccessDenial::kNoRoleAssignment;
};

/// One data-plane access a resource has: the target, the role, and the identity that holds it.
struct Access {
  ResourceId target;
  RoleDefinitionId role;
  IdentityId via;
  friend auto operator<=>(const Access&, const Access&) = default;
};

class Directory {
 public:
  /// A directory with the built-in resource types and roles, and no entities.
  explicit Directory(DirectoryConfig config = {});
  ~Directory();
  Directory(Directory&&) noexcept;
  Directory& operator=(Directory&&) noexcept;
  Directory(const Directory&) = delete;
  Directory& operator=(const Directory&) = delete;

  [[nodiscard]] const DirectoryConfig& config() const noexcept;
  void reserve(const DirectoryCapacity& capacity);

  // ---- catalogues ------------------------------------------------------------------------------
  Result<ResourceTypeId> add_resource_type(ResourceTypeInfo info);
  [[nodiscard]] const ResourceTypeRegistry& resource_types() const noexcept;
  [[nodiscard]] Result<ResourceTypeId> resource_type(std::string_view name) const;
  /// A custom role; its id is a GUID made from the seed unless role.id is set.
  Result<RoleDefinitionId> add_custom_role(RoleDefinition role);
  [[nodiscard]] const RoleCatalog& roles() const noexcept;
  [[nodiscard]] Result<RoleDefinitionId> role(std::string_view name) const;

  // ---- lifecycle operations (each one an operation the simulation can schedule) ----------------
  Result<TenantId> create_tenant(std::string_view name, SimTime now);
  Result<SubscriptionId> create_subscription(std::string_view name, TenantId tenant, SimTime now);
  Result<ResourceGroupId> create_resource_group(std::string_view name, SubscriptionId subscription, SimTime now);
  Result<ResourceId> create_resource(std::string_view name, ResourceTypeId type, ResourceGroupId group, SimTime now,
                                     const ResourceOptions& options = {});
  /// Creates the resource's system-assigned identity (counts against the tenant's quota).
  Result<IdentityId> enable_system_assigned(ResourceId resource, SimTime now);
  /// Deletes it: its role assignments stay, orphaned; it still counts against the quota for the
  /// retention period.
  Status disable_system_assigned(ResourceId resource, SimTime now);
  Result<IdentityId> create_user_assigned(std::string_view name, ResourceGroupId group, SimTime now);
  /// An application's service principal (two directory objects: the application and its principal).
  Result<IdentityId> create_service_principal(std::string_view name, TenantId tenant, SimTime now);
  /// Attaches a user-assigned identity of the same tenant to a resource that can hold one.
  Status attach(ResourceId resource, IdentityId identity, SimTime now);
  Status detach(ResourceId resource, IdentityId identity, SimTime now);
  /// Grants `role` to `principal` at `scope`. Errors: a duplicate (same principal, role, scope),
  /// a deleted principal or scope, another tenant, the per-subscription limit, a name in use.
  Result<RoleAssignmentId> assign_role(IdentityId principal, RoleDefinitionId role, EntityRef scope, SimTime now,
                                       std::string_view name = {});
  /// On a user-assigned identity or a service principal; at most the configured number per identity,
  /// names unique on the identity, and no two with the same issuer and subject.
  Result<FederatedCredentialId> add_federated_credential(IdentityId identity, FederatedCredentialSpec spec,
                                                         SimTime now);
  Status remove_federated_credential(FederatedCredentialId credential, SimTime now);
  /// Deletes an entity with Azure's cascade: a subscription or resource group takes everything in
  /// it; a resource takes its instances and its system-assigned identity; role assignments made at
  /// a deleted scope go; role assignments of a deleted identity stay, orphaned; a user-assigned
  /// identity is detached from every resource. Tenants are not deleted; a system-assigned identity
  /// is deleted by disabling it or deleting its resource.
  Status delete_entity(EntityRef entity, SimTime now);
  /// Between these two calls, deletions take their entities out of every record and name at once
  /// (they are dead to every query) but leave the graph's vertices for end_deletions() to remove
  /// in one pass: deleting the N holders of one identity one by one then costs O(N) rather than
  /// O(N^2), each single removal scanning the identity's and the group's edge lists. Only
  /// delete_entity and disable_system_assigned may be called in between: other operations and
  /// queries would see the dead vertices' edges. The result is the same as without the calls.
  void begin_deletions() noexcept;
  void end_deletions();

  // ---- names and records -----------------------------------------------------------------------
  /// The live entity with this name.
  [[nodiscard]] std::optional<EntityRef> find(std::string_view name) const noexcept;
  /// As find, or an error naming the unknown name.
  [[nodiscard]] Result<EntityRef> lookup(std::string_view name) const;
  [[nodiscard]] Result<ResourceId> lookup_resource(std::string_view name) const;
  [[nodiscard]] Result<ResourceGroupId> lookup_resource_group(std::string_view name) const;
  [[nodiscard]] Result<SubscriptionId> lookup_subscription(std::string_view name) const;
  [[nodiscard]] Result<TenantId> lookup_tenant(std::string_view name) const;
  /// A principal by name: a user-assigned identity or service principal, or a resource's
  /// system-assigned identity by the resource's name.
  [[nodiscard]] Result<IdentityId> lookup_principal(std::string_view name) const;
  /// The user-assigned identity an ARM id (mi_res_id) names, ignoring case.
  [[nodiscard]] std::optional<IdentityId> find_by_arm_id(std::string_view arm_id) const;

  /// The entity's name, also after deletion; a system-assigned identity answers its resource's name,
  /// an unnamed role assignment "".
  [[nodiscard]] std::string_view name(EntityRef entity) const noexcept;
  /// The ARM resource id: "/subscriptions/<id>/resourceGroups/<g>/providers/<type>/<name>".
  [[nodiscard]] std::string arm_id(EntityRef entity) const;
  [[nodiscard]] bool alive(EntityRef entity) const noexcept;
  /// How many entities of this kind have been deleted so far: it changes whenever one is, so a
  /// model holding copies of liveness knows when to refresh them.
  [[nodiscard]] std::uint64_t deletions(EntityKind kind) const noexcept;
  [[nodiscard]] const Lifetime& lifetime(EntityRef entity) const noexcept;
  /// Ids issued for the kind, deleted entities included (valid ids are 0 .. count-1).
  [[nodiscard]] std::size_t count(EntityKind kind) const noexcept;
  [[nodiscard]] std::size_t live_count(EntityKind kind) const noexcept;

  [[nodiscard]] const Tenant& tenant(TenantId id) const noexcept;
  [[nodiscard]] const Subscription& subscription(SubscriptionId id) const noexcept;
  [[nodiscard]] const ResourceGroup& resource_group(ResourceGroupId id) const noexcept;
  [[nodiscard]] const Resource& resource(ResourceId id) const noexcept;
  [[nodiscard]] const Identity& identity(IdentityId id) const noexcept;
  [[nodiscard]] const RoleAssignment& role_assignment(RoleAssignmentId id) const noexcept;
  [[nodiscard]] const FederatedCredential& federated_credential(FederatedCredentialId id) const noexcept;
  [[nodiscard]] const ResourceTypeInfo& type_of(ResourceId id) const noexcept;
  /// The tenant an entity belongs to.
  [[nodiscard]] TenantId tenant_of(EntityRef entity) const noexcept;

  // ---- neighbourhoods (graph edges; live entities only; in id order) ---------------------------
  [[nodiscard]] std::vector<IdentityId> user_assigned_of(ResourceId resource) const;
  /// The identities a token request on the resource can get: system-assigned first, then the
  /// user-assigned ones; a scale-set instance answers its scale set's.
  [[nodiscard]] std::vector<IdentityId> identities_of(ResourceId resource) const;
  /// The resources an identity is attached to (a system-assigned identity: its resource).
  [[nodiscard]] std::vector<ResourceId> holders(IdentityId identity) const;
  [[nodiscard]] std::vector<RoleAssignmentId> role_assignments_of(IdentityId principal) const;
  /// Assignments made exactly at the scope (not inherited ones).
  [[nodiscard]] std::vector<RoleAssignmentId> role_assignments_at(EntityRef scope) const;
  /// Subscriptions of a tenant, groups of a subscription, resources and user-assigned identities of
  /// a group, instances of a resource.
  [[nodiscard]] std::vector<EntityRef> children(EntityRef entity) const;
  [[nodiscard]] std::vector<FederatedCredentialId> federated_credentials_of(IdentityId identity) const;
  [[nodiscard]] std::optional<FederatedCredentialId> find_federated_credential(IdentityId identity,
                                                                               std::string_view issuer,
                                                                               std::string_view subject) const;

  // ---- state -----------------------------------------------------------------------------------
  /// A live assignment whose principal is deleted ("Identity not found").
  [[nodiscard]] bool is_orphaned(RoleAssignmentId assignment) const noexcept;
  /// When its principal was deleted; kNotDeleted if it is not orphaned.
  [[nodiscard]] SimTime orphaned_since(RoleAssignmentId assignment) const noexcept;
  /// Directory objects the tenant's quota counts at `now`: live identities (an application's
  /// service principal counts two) plus system-assigned identities deleted within the retention.
  [[nodiscard]] std::size_t directory_objects(TenantId tenant, SimTime now) const noexcept;

  // ---- queries ---------------------------------------------------------------------------------
  /// The identity a token request on `resource` gets (identity_selection.hpp). No allocation.
  [[nodiscard]] IdentitySelection select_identity(ResourceId resource, const IdentitySelector& selector) const noexcept;
  /// A clock that ticks whenever some resource's identities change (attached, detached, enabled,
  /// deleted, or the resource deleted), and when `resource`'s last changed (0: never since it was
  /// made). A selection made at clock C still holds while identities_changed_at(resource) <= C:
  /// the token path re-selects only for the hosts a change touched, not for a whole fleet.
  [[nodiscard]] std::uint32_t identity_clock() const noexcept;
  [[nodiscard]] std::uint32_t identities_changed_at(ResourceId resource) const noexcept;
  /// Effective access: does `principal` hold a role permitting `data_action` at `target` or a scope
  /// above it (resource < group < subscription < tenant)? No allocation.
  [[nodiscard]] AccessDecision check_access(IdentityId principal, EntityRef target,
                                            std::string_view data_action) const noexcept;
  /// Every (target, role, identity) through which the resource reaches a target's data plane.
  [[nodiscard]] std::vector<Access> accesses_of(ResourceId resource) const;
  /// What the operation would remove and break, by graph traversal (include misim/impact.hpp to
  /// read the report). Only deleting, unassigning, detaching and disabling have an impact; the
  /// directory is not changed.
  [[nodiscard]] Result<ImpactReport> impact(const DirectoryOperation& operation) const;
  [[nodiscard]] Result<ImpactReport> impact_of_delete(EntityRef entity) const;

  /// The implementation (sim/directory); not part of the API.
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace misim
