// Impact of a planned removal, by graph traversal from what is removed (include/misim/impact.hpp).
//
// Cost: the cascade's size, plus the edges around what it removes, plus the accesses it reports.
// Nothing else in the directory is looked at: a user-assigned identity shared by 100,000
// resources is answered from its 100,000 holder edges and its few role assignments.
#include "misim/impact.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

#include "directory_impl.hpp"
#include "fail.hpp"
#include "misim/directory_operation.hpp"

namespace misim {

using directory_detail::fail;

using directory_detail::Cascade;
using directory_detail::EdgeKind;
using directory_detail::for_each_in;
using directory_detail::for_each_out;
using directory_detail::Vertex;

namespace {

/// What is removed: an entity with its cascade, or one attachment.
struct Plan {
  std::string description;
  EntityRef root;  // invalid for a detachment
  ResourceId detached_from;
  IdentityId detached;
};

class ImpactWalk {
 public:
  ImpactWalk(const Directory::Impl& d, const Plan& plan) : d_(d), plan_(plan) {
    if (plan.root.valid()) cascade_ = d.collect_cascade(plan.root);
  }

  ImpactReport run() {
    ImpactReport r;
    r.operation = plan_.description;
    list_deleted(r);
    list_lost_identities(r);
    list_assignments(r);
    candidates_through_lost_identities(r);
    candidates_through_deleted_assignments();
    candidates_through_deleted_targets();
    keep_lost_accesses(r);
    return r;
  }

 private:
  [[nodiscard]] bool doomed(EntityRef e) const noexcept { return cascade_.contains(e); }
  [[nodiscard]] const std::vector<std::uint32_t>& doomed_of(EntityKind k) const noexcept {
    return cascade_.doomed[static_cast<std::size_t>(k)];
  }

  template <class Id>
  std::vector<Id> sorted_doomed() const {
    std::vector<Id> out;
    for (const std::uint32_t i : doomed_of(KindOf<Id>::kValue)) out.emplace_back(i);
    std::sort(out.begin(), out.end());
    return out;
  }

  /// Surviving resources that use `identity`: its holders and the instances of holding scale sets.
  template <class F>
  void for_each_surviving_user(IdentityId identity, F&& f) const {
    for_each_in(d_.graph, d_.meta_of(identity).vertex, EdgeKind::kHolds, [&](Vertex rv) {
      const ResourceId r(d_.graph[rv].index);
      if (!doomed(r)) f(r);
      for_each_out(d_.graph, rv, EdgeKind::kContains, [&](Vertex cv) {
        const ResourceId child(d_.graph[cv].index);
        if (d_.type_of(child).identities_from_parent && !doomed(child)) f(child);
      });
    });
  }

  void list_deleted(ImpactReport& r) const {
    r.subscriptions_deleted = sorted_doomed<SubscriptionId>();
    r.resource_groups_deleted = sorted_doomed<ResourceGroupId>();
    r.resources_deleted = sorted_doomed<ResourceId>();
    r.identities_deleted = sorted_doomed<IdentityId>();
    r.role_assignments_deleted = sorted_doomed<RoleAssignmentId>();
    for (const IdentityId i : r.identities_deleted) {
      if (const auto it = d_.credentials_by_identity.find(i.index()); it != d_.credentials_by_identity.end()) {
        r.federated_credentials_deleted.insert(r.federated_credentials_deleted.end(), it->second.begin(),
                                               it->second.end());
      }
    }
    std::sort(r.federated_credentials_deleted.begin(), r.federated_credentials_deleted.end());
  }

  void list_lost_identities(ImpactReport& r) const {
    auto& lost = r.resources_losing_identity;
    for (const std::uint32_t i : doomed_of(EntityKind::kIdentity)) {
      for_each_surviving_user(IdentityId(i), [&](ResourceId res) { lost.push_back({res, IdentityId(i)}); });
    }
    if (plan_.detached.valid()) {
      lost.push_back({plan_.detached_from, plan_.detached});
      for_each_out(d_.graph, d_.meta_of(plan_.detached_from).vertex, EdgeKind::kContains, [&](Vertex cv) {
        const ResourceId child(d_.graph[cv].index);
        if (d_.type_of(child).identities_from_parent) lost.push_back({child, plan_.detached});
      });
    }
    std::sort(lost.begin(), lost.end());
    lost.erase(std::unique(lost.begin(), lost.end()), lost.end());
  }

  void list_assignments(ImpactReport& r) const {
    for (const std::uint32_t i : doomed_of(EntityKind::kIdentity)) {
      d_.for_each_assignment_of(IdentityId(i), [&](RoleAssignmentId a) {
        if (!doomed(a)) r.role_assignments_orphaned.push_back(a);
      });
    }
    std::sort(r.role_assignments_orphaned.begin(), r.role_assignments_orphaned.end());
  }

  /// (target, role) pairs an identity reaches through assignments that survive, at targets that survive.
  std::vector<std::pair<ResourceId, RoleDefinitionId>> surviving_grants(IdentityId identity) const {
    std::vector<std::pair<ResourceId, RoleDefinitionId>> out;
    d_.for_each_assignment_of(identity, [&](RoleAssignmentId a) {
      if (doomed(a)) return;  // made at a deleted scope: every target under it is deleted too
      const RoleAssignment& rec = d_.assignments[a.index()];
      d_.for_each_target_under(rec.scope, [&](ResourceId t) {
        if (!doomed(t) && d_.role_reaches(rec.role, d_.resources[t.index()].type)) out.emplace_back(t, rec.role);
      });
    });
    return out;
  }

  // A resource that loses an identity loses what the identity reached.
  void candidates_through_lost_identities(const ImpactReport& r) {
    const auto& lost = r.resources_losing_identity;
    std::vector<LostIdentity> by_identity(lost.begin(), lost.end());
    std::stable_sort(by_identity.begin(), by_identity.end(),
                     [](const LostIdentity& a, const LostIdentity& b) { return a.identity < b.identity; });
    for (std::size_t i = 0; i < by_identity.size();) {
      const IdentityId identity = by_identity[i].identity;
      const auto grants = surviving_grants(identity);
      for (; i < by_identity.size() && by_identity[i].identity == identity; ++i) {
        for (const auto& [target, role] : grants)
          candidates_.push_back({by_identity[i].resource, target, role, identity});
      }
    }
  }

  // A deleted assignment of a surviving principal at a surviving scope (deleted directly).
  void candidates_through_deleted_assignments() {
    for (const std::uint32_t a : doomed_of(EntityKind::kRoleAssignment)) {
      const RoleAssignment& rec = d_.assignments[a];
      if (doomed(rec.scope) || doomed(rec.principal) || !d_.alive(rec.principal)) continue;
      std::vector<ResourceId> targets;
      d_.for_each_target_under(rec.scope, [&](ResourceId t) {
        if (!doomed(t) && d_.role_reaches(rec.role, d_.resources[t.index()].type)) targets.push_back(t);
      });
      for_each_surviving_user(rec.principal, [&](ResourceId res) {
        for (const ResourceId t : targets) candidates_.push_back({res, t, rec.role, rec.principal});
      });
    }
  }

  // Every surviving resource that reached a deleted target loses it: walk up from the target to
  // each scope above it and take the assignments made there.
  void candidates_through_deleted_targets() {
    for (const std::uint32_t t : doomed_of(EntityKind::kResource)) {
      const ResourceId target(t);
      if (!d_.type_of(target).target) continue;
      const directory_detail::ScopeChain chain = d_.scope_chain(target);
      for (std::size_t s = 0; s < chain.size; ++s) {
        for_each_in(d_.graph, d_.meta_of(chain.scopes[s]).vertex, EdgeKind::kScopedAt, [&](Vertex av) {
          const RoleAssignment& rec = d_.assignments[d_.graph[av].index];
          if (doomed(rec.principal) || !d_.alive(rec.principal)) return;
          if (!d_.role_reaches(rec.role, d_.resources[t].type)) return;
          for_each_surviving_user(rec.principal, [&](ResourceId res) {
            candidates_.push_back({res, target, rec.role, rec.principal});
          });
        });
      }
    }
  }

  /// After the change, does a surviving identity of `res` still hold `role` at a scope over `target`?
  [[nodiscard]] bool retained(const LostAccess& a) const {
    if (doomed(a.target)) return false;
    const directory_detail::ScopeChain chain = d_.scope_chain(a.target);
    const ResourceId holder = d_.identity_holder(a.resource);
    bool kept = false;
    d_.for_each_identity(a.resource, [&](IdentityId j) {
      if (kept || doomed(j) || (holder == plan_.detached_from && j == plan_.detached)) return;
      d_.for_each_assignment_of(j, [&](RoleAssignmentId b) {
        const RoleAssignment& rec = d_.assignments[b.index()];
        kept = kept || (!doomed(b) && rec.role == a.role && chain.contains(rec.scope));
      });
    });
    return kept;
  }

  void keep_lost_accesses(ImpactReport& r) {
    auto key = [](const LostAccess& x) { return std::tuple(x.resource, x.target, x.role, x.via); };
    std::sort(candidates_.begin(), candidates_.end(),
              [&](const LostAccess& x, const LostAccess& y) { return key(x) < key(y); });
    const auto same = [](const LostAccess& x, const LostAccess& y) {
      return x.resource == y.resource && x.target == y.target && x.role == y.role;
    };
    candidates_.erase(std::unique(candidates_.begin(), candidates_.end(), same), candidates_.end());
    r.accesses_lost.reserve(candidates_.size());
    for (const LostAccess& a : candidates_) {
      if (!retained(a)) r.accesses_lost.push_back(a);
    }
  }

  const Directory::Impl& d_;
  const Plan& plan_;
  Cascade cascade_;
  std::vector<LostAccess> candidates_;
};

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

Result<ImpactReport> Directory::impact_of_delete(EntityRef entity) const {
  const Impl& d = *impl_;
  if (!d.alive(entity)) return fail("cannot compute the impact of deleting it: no such live entity");
  if (entity.kind == EntityKind::kTenant) return fail("deleting a tenant is not modelled");
  if (entity.kind == EntityKind::kIdentity && d.identities[entity.index].kind == IdentityKind::kSystemAssigned) {
    return fail("a system-assigned identity is not deleted directly: ask for disabling it, or deleting " +
                in_quotes(d.name(entity)));
  }
  const Plan plan{"delete " + d.describe(entity), entity, {}, {}};
  return ImpactWalk(d, plan).run();
}

Result<ImpactReport> Directory::impact(const DirectoryOperation& op) const {
  const Impl& d = *impl_;
  switch (op.kind) {
    case OperationKind::kDelete: {
      Result<EntityRef> e = lookup(op.subject);
      if (!e) return std::move(e).error();
      return impact_of_delete(*e);
    }
    case OperationKind::kDisableSystemAssigned: {
      Result<ResourceId> r = lookup_resource(op.subject);
      if (!r) return std::move(r).error();
      const IdentityId sa = d.resources[r->index()].system_identity;
      if (!sa.valid()) return fail(d.describe(*r) + " has no system-assigned identity");
      const Plan plan{"disable the system-assigned identity of " + d.describe(*r), sa, {}, {}};
      return ImpactWalk(d, plan).run();
    }
    case OperationKind::kDetach: {
      Result<ResourceId> r = lookup_resource(op.subject);
      if (!r) return std::move(r).error();
      Result<IdentityId> i = lookup_principal(op.target);
      if (!i) return std::move(i).error();
      const std::vector<IdentityId> attached = user_assigned_of(*r);
      if (std::find(attached.begin(), attached.end(), *i) == attached.end()) {
        return fail(d.describe(*i) + " is not attached to " + d.describe(*r));
      }
      const Plan plan{"detach " + d.describe(*i) + " from " + d.describe(*r), {}, *r, *i};
      return ImpactWalk(d, plan).run();
    }
    case OperationKind::kUnassignRole: {
      Result<IdentityId> p = lookup_principal(op.subject);
      if (!p) return std::move(p).error();
      Result<RoleDefinitionId> role = this->role(op.detail);
      if (!role) return std::move(role).error();
      Result<EntityRef> scope = lookup(op.target);
      if (!scope) return std::move(scope).error();
      for (const RoleAssignmentId a : role_assignments_of(*p)) {
        const RoleAssignment& rec = d.assignments[a.index()];
        if (rec.role == *role && rec.scope == *scope) {
          const Plan plan{
              "remove the assignment of '" + op.detail + "' to " + d.describe(*p) + " at " + d.describe(*scope),
              a,
              {},
              {}};
          return ImpactWalk(d, plan).run();
        }
      }
      return fail(d.describe(*p) + " has no assignment of '" + op.detail + "' at " + d.describe(*scope));
    }
    default:
      break;
  }
  return fail("'" + std::string(to_string(op.kind)) +
              "' removes nothing: an impact is computed for delete, unassign, detach and disable");
}

}  // namespace misim
