// Directory::Impl: the state behind include/misim/directory.hpp, shared by the .cpp files of
// sim/directory (one concern each: directory.cpp records and names, lifecycle.cpp creation,
// attachment and assignment, deletion.cpp cascades, access.cpp selection and effective access,
// impact.cpp the impact traversal).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "graph.hpp"
#include "misim/directory.hpp"
#include "name_registry.hpp"

namespace misim {

namespace directory_detail {

/// Where an entity is in the graph and what its name is; parallel to the record vectors.
struct EntityMeta {
  Vertex vertex = nullptr;  // nullptr once deleted
  std::uint32_t name = NameRegistry::kNoName;
};

/// The directory-object count of one tenant (DirectoryLimits::directory_objects_per_tenant).
struct TenantQuota {
  std::size_t live_objects = 0;
  /// When each deleted system-assigned identity stops counting, ascending (operations come in time order).
  std::deque<SimTime> retained_until;
};

/// The scopes above and including an entity, nearest first: resource, its parent resource(s),
/// group, subscription, tenant. Deep enough for every type nesting misim builds (an instance in a
/// scale set: 5 levels), with room to spare.
struct ScopeChain {
  static constexpr std::size_t kCapacity = 8;
  std::array<EntityRef, kCapacity> scopes{};
  std::size_t size = 0;
  [[nodiscard]] bool contains(EntityRef scope) const noexcept {
    for (std::size_t i = 0; i < size; ++i) {
      if (scopes[i] == scope) return true;
    }
    return false;
  }
};

/// The entities one deletion removes, found by walking the graph from the entity deleted.
struct Cascade {
  std::array<std::vector<std::uint32_t>, kEntityKindCount> doomed;  // by kind, in discovery order
  std::vector<Vertex> vertices;
  /// Every member, as key(); a hash set rather than a bitset over all entities, so that deleting
  /// one of a million VMs costs the size of its cascade, not of the directory.
  std::unordered_set<std::uint64_t> marked;

  [[nodiscard]] static std::uint64_t key(EntityRef e) noexcept {
    return (static_cast<std::uint64_t>(e.kind) << 32) | e.index;
  }
  [[nodiscard]] bool contains(EntityRef e) const noexcept { return marked.count(key(e)) != 0; }
};

}  // namespace directory_detail

struct Directory::Impl {
  using Graph = directory_detail::Graph;
  using Vertex = directory_detail::Vertex;
  using EdgeKind = directory_detail::EdgeKind;

  explicit Impl(DirectoryConfig c);

  DirectoryConfig config;
  ResourceTypeRegistry types;
  RoleCatalog roles;
  /// [role * types.size() + type]: the role grants data-plane access to targets of the type.
  std::vector<std::uint8_t> role_reaches_type;

  Graph graph;
  /// Between begin_deletions() and end_deletions(): the vertices of deleted entities, removed then.
  bool deferring_removal = false;
  std::vector<Vertex> removal_pending;
  directory_detail::NameRegistry names;
  std::vector<Tenant> tenants;
  std::vector<Subscription> subscriptions;
  std::vector<ResourceGroup> groups;
  std::vector<Resource> resources;
  // By resource: identity_clock when the identities select_identity finds for it last changed.
  std::vector<std::uint32_t> identity_stamps;
  std::uint32_t identity_clock = 0;
  /// r's identities changed (one attached, detached, enabled or deleted, or r itself deleted): so
  /// did those of the children that use r's identities (scale-set instances).
  void identities_changed(ResourceId r);
  std::vector<Identity> identities;
  std::vector<RoleAssignment> assignments;
  std::array<std::vector<directory_detail::EntityMeta>, kEntityKindCount> meta;
  std::array<std::size_t, kEntityKindCount> live{};
  std::array<std::uint64_t, kEntityKindCount> deleted{};  // ever, by kind
  std::vector<directory_detail::TenantQuota> quotas;      // by tenant
  std::vector<FederatedCredential> credentials;
  std::unordered_map<std::uint32_t, std::vector<FederatedCredentialId>> credentials_by_identity;
  SimTime last_time = 0;

  // ---- records and names (directory.cpp) ----
  [[nodiscard]] directory_detail::EntityMeta& meta_of(EntityRef e) noexcept {
    return meta[static_cast<std::size_t>(e.kind)][e.index];
  }
  [[nodiscard]] const directory_detail::EntityMeta& meta_of(EntityRef e) const noexcept {
    return meta[static_cast<std::size_t>(e.kind)][e.index];
  }
  [[nodiscard]] bool exists(EntityRef e) const noexcept {
    return e.valid() && e.index < meta[static_cast<std::size_t>(e.kind)].size();
  }
  [[nodiscard]] bool alive(EntityRef e) const noexcept { return exists(e) && meta_of(e).vertex != nullptr; }
  [[nodiscard]] Lifetime& life(EntityRef e) noexcept;
  [[nodiscard]] const Lifetime& life(EntityRef e) const noexcept;
  [[nodiscard]] std::string_view name(EntityRef e) const noexcept;
  /// "user-assigned identity 'web-id'", for messages.
  [[nodiscard]] std::string describe(EntityRef e) const;
  [[nodiscard]] TenantId tenant_of(EntityRef e) const noexcept;
  /// The subscription a scope is in; invalid for a tenant.
  [[nodiscard]] SubscriptionId subscription_of(EntityRef scope) const noexcept;
  [[nodiscard]] directory_detail::ScopeChain scope_chain(EntityRef e) const noexcept;
  [[nodiscard]] const ResourceTypeInfo& type_of(ResourceId r) const noexcept {
    return types.info(resources[r.index()].type);
  }
  /// The resource whose identities a token request on `r` uses (a scale set for its instances).
  [[nodiscard]] ResourceId identity_holder(ResourceId r) const noexcept;
  [[nodiscard]] bool role_reaches(RoleDefinitionId role, ResourceTypeId type) const noexcept {
    return role_reaches_type[role.index() * types.size() + type.index()] != 0;
  }
  void recompute_role_reach();

  // ---- building blocks of operations (lifecycle.cpp) ----
  /// Operations come in time order; also records `now` as the latest time.
  [[nodiscard]] Status check_time(SimTime now);
  /// Checks a name is usable and free; does not claim it.
  [[nodiscard]] Status check_name(std::string_view name) const;
  /// Claims the name (checked before) and creates the vertex and meta of a new entity.
  Vertex add_entity(EntityRef e, std::string_view name);
  void link(Vertex from, Vertex to, EdgeKind kind) {
    boost::add_edge(from, to, directory_detail::EdgeBundle{kind}, graph);
  }
  [[nodiscard]] std::size_t directory_objects(TenantId t, SimTime now) const noexcept;
  [[nodiscard]] Status check_quota(TenantId t, std::size_t objects, SimTime now);
  Result<IdentityId> create_identity(IdentityKind kind, std::string_view name, TenantId tenant, SimTime now);

  // ---- deletion (deletion.cpp) ----
  /// Everything deleting `root` removes (root itself included).
  [[nodiscard]] directory_detail::Cascade collect_cascade(EntityRef root) const;
  /// Removes what the cascade lists, at `now`.
  void apply_cascade(directory_detail::Cascade& cascade, SimTime now);

  // ---- graph neighbourhoods ----
  template <class F>
  void for_each_user_assigned(ResourceId r, F&& f) const {
    directory_detail::for_each_out(graph, meta_of(r).vertex, EdgeKind::kHolds, [&](Vertex v) {
      const std::uint32_t i = graph[v].index;
      if (identities[i].kind == IdentityKind::kUserAssigned) f(IdentityId(i));
    });
  }
  /// The identities a token request on `r` can get: system-assigned first, then user-assigned.
  template <class F>
  void for_each_identity(ResourceId r, F&& f) const {
    const ResourceId holder = identity_holder(r);
    if (!alive(holder)) return;
    if (resources[holder.index()].system_identity.valid()) f(resources[holder.index()].system_identity);
    for_each_user_assigned(holder, f);
  }
  /// Every live target resource at or below `scope` (depth-first through the containment edges).
  template <class F>
  void for_each_target_under(EntityRef scope, F&& f) const {
    std::vector<Vertex> stack{meta_of(scope).vertex};
    while (!stack.empty()) {
      const Vertex v = stack.back();
      stack.pop_back();
      const directory_detail::VertexBundle& b = graph[v];
      if (b.kind == EntityKind::kResource && type_of(ResourceId(b.index)).target) f(ResourceId(b.index));
      directory_detail::for_each_out(graph, v, EdgeKind::kContains, [&](Vertex child) { stack.push_back(child); });
    }
  }
  template <class F>
  void for_each_assignment_of(IdentityId principal, F&& f) const {
    directory_detail::for_each_out(graph, meta_of(principal).vertex, EdgeKind::kGrants,
                                   [&](Vertex v) { f(RoleAssignmentId(graph[v].index)); });
  }
};

}  // namespace misim
