// Deletion with Azure's cascade, found by walking the graph (docs/model.md, "Deletion"):
//   - what a scope contains goes with it (subscription > group > resource / user-assigned
//     identity; scale set > instance);
//   - a resource's system-assigned identity goes with it (azure-facts.md:47);
//   - role assignments made at a deleted scope go with it, as ARM deletes a resource's extension
//     resources [seen: https://sz-yang.blogspot.com/2021/03/azure-arm-deployment-delete-resource.html];
//   - role assignments granted to a deleted identity stay, orphaned (azure-facts.md:48);
//   - attachments of a deleted user-assigned identity go (the edges), the resources stay.
#include <utility>

#include "directory_impl.hpp"
#include "fail.hpp"

namespace misim {

using directory_detail::fail;

using directory_detail::Cascade;
using directory_detail::for_each_in;
using directory_detail::for_each_out;
using directory_detail::Vertex;

Cascade Directory::Impl::collect_cascade(EntityRef root) const {
  Cascade c;
  std::vector<Vertex> stack;
  auto visit = [&](Vertex v) {
    // An entity deleted earlier in a batch (begin_deletions) still has its vertex; it is gone.
    if (meta_of(graph[v].ref()).vertex != v) return;
    if (!c.marked.insert(Cascade::key(graph[v].ref())).second) return;
    stack.push_back(v);
  };
  visit(meta_of(root).vertex);
  while (!stack.empty()) {
    const Vertex v = stack.back();
    stack.pop_back();
    const EntityRef e = graph[v].ref();
    c.doomed[static_cast<std::size_t>(e.kind)].push_back(e.index);
    c.vertices.push_back(v);
    for_each_out(graph, v, EdgeKind::kContains, visit);
    if (e.kind == EntityKind::kResource) {
      for_each_out(graph, v, EdgeKind::kHolds, [&](Vertex i) {
        if (identities[graph[i].index].kind == IdentityKind::kSystemAssigned) visit(i);
      });
    }
    for_each_in(graph, v, EdgeKind::kScopedAt, visit);
  }
  return c;
}

void Directory::Impl::apply_cascade(Cascade& cascade, SimTime now) {
  for (std::size_t k = 0; k < cascade.doomed.size(); ++k) {
    const auto kind = static_cast<EntityKind>(k);
    for (const std::uint32_t index : cascade.doomed[k]) {
      const EntityRef e{kind, index};
      life(e).deleted_at = now;
      names.release(meta_of(e).name);
      --live[k];
      ++deleted[k];
    }
  }
  for (const std::uint32_t index : cascade.doomed[static_cast<std::size_t>(EntityKind::kIdentity)]) {
    Identity& rec = identities[index];
    auto& quota = quotas[rec.tenant.index()];
    quota.live_objects -= rec.kind == IdentityKind::kServicePrincipal ? 2 : 1;
    if (rec.kind == IdentityKind::kSystemAssigned) {
      // Still counted against the quota for the retention period (azure-facts.md:50).
      quota.retained_until.push_back(now + config.limits.deleted_system_identity_retention);
      if (!cascade.contains(rec.resource)) resources[rec.resource.index()].system_identity = IdentityId{};
    }
    if (const auto it = credentials_by_identity.find(index); it != credentials_by_identity.end()) {
      for (const FederatedCredentialId c : it->second) credentials[c.index()].life.deleted_at = now;
      credentials_by_identity.erase(it);
    }
    rec.federated_credentials = 0;
  }
  // Before the vertices go: a deleted user-assigned identity's holders are found by its edges.
  for (const std::uint32_t index : cascade.doomed[static_cast<std::size_t>(EntityKind::kResource)]) {
    identities_changed(ResourceId(index));
  }
  for (const std::uint32_t index : cascade.doomed[static_cast<std::size_t>(EntityKind::kIdentity)]) {
    const Identity& rec = identities[index];
    if (rec.kind == IdentityKind::kSystemAssigned) {
      identities_changed(rec.resource);
    } else {
      for_each_in(graph, meta_of(IdentityId(index)).vertex, EdgeKind::kHolds,
                  [&](Vertex holder) { identities_changed(ResourceId(graph[holder].index)); });
    }
  }
  for (const std::uint32_t index : cascade.doomed[static_cast<std::size_t>(EntityKind::kRoleAssignment)]) {
    const SubscriptionId sub = subscription_of(assignments[index].scope);
    if (sub.valid()) --subscriptions[sub.index()].role_assignments;
  }
  if (deferring_removal) {
    removal_pending.insert(removal_pending.end(), cascade.vertices.begin(), cascade.vertices.end());
  } else {
    directory_detail::remove_vertices(graph, cascade.vertices);
  }
  for (std::size_t k = 0; k < cascade.doomed.size(); ++k) {
    for (const std::uint32_t index : cascade.doomed[k]) meta[k][index].vertex = nullptr;
  }
}

void Directory::Impl::identities_changed(ResourceId r) {
  const std::uint32_t now = ++identity_clock;
  identity_stamps[r.index()] = now;
  // A resource deleted earlier in a batch (begin_deletions) has no vertex left to walk; its
  // children went with it.
  const Vertex v = meta_of(r).vertex;
  if (v == nullptr) return;
  for_each_out(graph, v, EdgeKind::kContains, [&](Vertex child) {
    const directory_detail::VertexBundle& b = graph[child];
    if (b.kind == EntityKind::kResource && type_of(ResourceId(b.index)).identities_from_parent) {
      identity_stamps[b.index] = now;
    }
  });
}

void Directory::begin_deletions() noexcept { impl_->deferring_removal = true; }

void Directory::end_deletions() {
  Impl& d = *impl_;
  d.deferring_removal = false;
  if (d.removal_pending.empty()) return;
  // Surviving neighbours keep their other edges in order, so every later walk sees what it would
  // have seen had each vertex been removed at its own deletion.
  directory_detail::remove_vertices(d.graph, d.removal_pending);
  d.removal_pending.clear();
  d.removal_pending.shrink_to_fit();
}

Status Directory::delete_entity(EntityRef entity, SimTime now) {
  Impl& d = *impl_;
  if (!d.alive(entity)) return fail("cannot delete: no such live entity");
  if (entity.kind == EntityKind::kTenant) {
    return fail("cannot delete " + d.describe(entity) + ": deleting a tenant is not modelled");
  }
  if (entity.kind == EntityKind::kIdentity && d.identities[entity.index].kind == IdentityKind::kSystemAssigned) {
    return fail("cannot delete " + d.describe(entity) +
                " directly: disable it on its resource, or delete the resource");
  }
  if (Status s = d.check_time(now); !s) return s;
  Cascade cascade = d.collect_cascade(entity);
  d.apply_cascade(cascade, now);
  return {};
}

}  // namespace misim
