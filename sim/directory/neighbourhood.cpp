// Graph neighbourhoods of an entity (holders, identities, assignments, children, credentials)
// and derived state (orphaned assignments, directory objects), as sorted vectors for callers.
#include <algorithm>

#include "directory_impl.hpp"

namespace misim {

using directory_detail::EdgeKind;
using directory_detail::for_each_in;
using directory_detail::for_each_out;
using directory_detail::Vertex;

namespace {

template <class Id>
void sort_ids(std::vector<Id>& ids) {
  std::sort(ids.begin(), ids.end());
}

}  // namespace

std::vector<IdentityId> Directory::user_assigned_of(ResourceId resource) const {
  std::vector<IdentityId> out;
  if (!impl_->alive(resource)) return out;
  impl_->for_each_user_assigned(resource, [&](IdentityId i) { out.push_back(i); });
  sort_ids(out);
  return out;
}

std::vector<IdentityId> Directory::identities_of(ResourceId resource) const {
  std::vector<IdentityId> out;
  if (!impl_->alive(resource)) return out;
  impl_->for_each_identity(resource, [&](IdentityId i) { out.push_back(i); });
  std::sort(out.begin() + (out.empty() || identity(out.front()).kind != IdentityKind::kSystemAssigned ? 0 : 1),
            out.end());
  return out;
}

std::vector<ResourceId> Directory::holders(IdentityId id) const {
  std::vector<ResourceId> out;
  if (!impl_->alive(id)) return out;
  for_each_in(impl_->graph, impl_->meta_of(id).vertex, EdgeKind::kHolds,
              [&](Vertex v) { out.emplace_back(impl_->graph[v].index); });
  sort_ids(out);
  return out;
}

std::vector<RoleAssignmentId> Directory::role_assignments_of(IdentityId principal) const {
  std::vector<RoleAssignmentId> out;
  if (!impl_->alive(principal)) return out;
  impl_->for_each_assignment_of(principal, [&](RoleAssignmentId a) { out.push_back(a); });
  sort_ids(out);
  return out;
}

std::vector<RoleAssignmentId> Directory::role_assignments_at(EntityRef scope) const {
  std::vector<RoleAssignmentId> out;
  if (!impl_->alive(scope)) return out;
  for_each_in(impl_->graph, impl_->meta_of(scope).vertex, EdgeKind::kScopedAt,
              [&](Vertex v) { out.emplace_back(impl_->graph[v].index); });
  sort_ids(out);
  return out;
}

std::vector<EntityRef> Directory::children(EntityRef entity) const {
  std::vector<EntityRef> out;
  if (!impl_->alive(entity)) return out;
  for_each_out(impl_->graph, impl_->meta_of(entity).vertex, EdgeKind::kContains,
               [&](Vertex v) { out.push_back(impl_->graph[v].ref()); });
  sort_ids(out);
  return out;
}

std::vector<FederatedCredentialId> Directory::federated_credentials_of(IdentityId identity) const {
  const auto it = impl_->credentials_by_identity.find(identity.index());
  if (it == impl_->credentials_by_identity.end()) return {};
  return it->second;
}

std::optional<FederatedCredentialId> Directory::find_federated_credential(IdentityId identity, std::string_view issuer,
                                                                          std::string_view subject) const {
  const auto it = impl_->credentials_by_identity.find(identity.index());
  if (it == impl_->credentials_by_identity.end()) return std::nullopt;
  for (const FederatedCredentialId c : it->second) {
    const FederatedCredentialSpec& spec = impl_->credentials[c.index()].spec;
    if (spec.issuer == issuer && spec.subject == subject) return c;
  }
  return std::nullopt;
}

// ---- state -------------------------------------------------------------------------------------

bool Directory::is_orphaned(RoleAssignmentId assignment) const noexcept {
  return orphaned_since(assignment) != kNotDeleted;
}

SimTime Directory::orphaned_since(RoleAssignmentId assignment) const noexcept {
  const Impl& d = *impl_;
  if (!d.alive(assignment)) return kNotDeleted;
  return d.identities[d.assignments[assignment.index()].principal.index()].life.deleted_at;
}

std::size_t Directory::directory_objects(TenantId tenant, SimTime now) const noexcept {
  return impl_->directory_objects(tenant, now);
}

}  // namespace misim
