// Queries on the live directory: identity selection for a token request, effective access
// through scope inheritance, and the accesses a resource has.
#include <algorithm>

#include "directory_impl.hpp"

namespace misim {

namespace {

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) noexcept {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(text[i]) != lower(prefix[i])) return false;
  }
  return true;
}

}  // namespace

IdentitySelection Directory::select_identity(ResourceId resource, const IdentitySelector& selector) const noexcept {
  const Impl& d = *impl_;
  if (!d.alive(resource)) return {{}, SelectionFailure::kNoResource};
  const ResourceId holder = d.identity_holder(resource);
  if (!d.alive(holder)) return {{}, SelectionFailure::kNoResource};
  const IdentityId system = d.resources[holder.index()].system_identity;
  if (selector.kind == SelectorKind::kNone) {
    // System-assigned first, else the only user-assigned one (azure-facts.md:51).
    if (system.valid()) return {system, SelectionFailure::kNone};
    IdentityId only;
    std::size_t user_assigned = 0;
    d.for_each_user_assigned(holder, [&](IdentityId i) {
      if (user_assigned++ == 0) only = i;
    });
    if (user_assigned == 0) return {{}, SelectionFailure::kNoIdentity};
    if (user_assigned > 1) return {{}, SelectionFailure::kAmbiguous};
    return {only, SelectionFailure::kNone};
  }
  // A named identity must be one of the resource's (azure-facts.md:13, :19).
  auto named = [&](IdentityId i) {
    const Identity& rec = d.identities[i.index()];
    switch (selector.kind) {
      case SelectorKind::kClientId:
        return rec.client_id == selector.id;
      case SelectorKind::kObjectId:
        return rec.object_id == selector.id;
      case SelectorKind::kResourceId:
        return i == selector.identity && rec.kind == IdentityKind::kUserAssigned;
      case SelectorKind::kNone:
        break;
    }
    return false;
  };
  IdentityId found;
  d.for_each_identity(resource, [&](IdentityId i) {
    if (!found.valid() && named(i)) found = i;
  });
  if (!found.valid()) return {{}, SelectionFailure::kNotFound};
  return {found, SelectionFailure::kNone};
}

std::uint32_t Directory::identity_clock() const noexcept { return impl_->identity_clock; }

std::uint32_t Directory::identities_changed_at(ResourceId resource) const noexcept {
  return impl_->identity_stamps[resource.index()];
}

AccessDecision Directory::check_access(IdentityId principal, EntityRef target,
                                       std::string_view data_action) const noexcept {
  const Impl& d = *impl_;
  AccessDecision no;
  if (!d.alive(principal)) {
    no.denial = AccessDenial::kPrincipalNotFound;
    return no;
  }
  if (!d.alive(target) || target.kind == EntityKind::kRoleAssignment) {
    no.denial = AccessDenial::kTargetNotFound;
    return no;
  }
  if (target.kind == EntityKind::kResource) {
    const ResourceTypeInfo& info = d.type_of(target.as<ResourceId>());
    if (!info.data_actions.empty() &&
        (!starts_with_ignoring_case(data_action, info.data_actions) || data_action.size() <= info.data_actions.size() ||
         data_action[info.data_actions.size()] != '/')) {
      no.denial = AccessDenial::kActionNotApplicable;
      return no;
    }
  }
  // An assignment at the target or at any scope above it applies (scope inheritance,
  // https://learn.microsoft.com/en-us/azure/role-based-access-control/scope-overview).
  const directory_detail::ScopeChain chain = d.scope_chain(target);
  AccessDecision yes{true, {}, AccessDenial::kNone};
  d.for_each_assignment_of(principal, [&](RoleAssignmentId a) {
    const RoleAssignment& rec = d.assignments[a.index()];
    if ((!yes.via.valid() || a < yes.via) && chain.contains(rec.scope) &&
        d.roles.role(rec.role).permits_data_action(data_action)) {
      yes.via = a;
    }
  });
  return yes.via.valid() ? yes : no;
}

std::vector<Access> Directory::accesses_of(ResourceId resource) const {
  const Impl& d = *impl_;
  std::vector<Access> out;
  if (!d.alive(resource)) return out;
  d.for_each_identity(resource, [&](IdentityId identity) {
    d.for_each_assignment_of(identity, [&](RoleAssignmentId a) {
      const RoleAssignment& rec = d.assignments[a.index()];
      d.for_each_target_under(rec.scope, [&](ResourceId target) {
        if (d.role_reaches(rec.role, d.resources[target.index()].type)) out.push_back({target, rec.role, identity});
      });
    });
  });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end(),
                        [](const Access& a, const Access& b) { return a.target == b.target && a.role == b.role; }),
            out.end());
  return out;
}

}  // namespace misim
