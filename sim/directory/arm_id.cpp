// ARM resource ids of the directory's entities, and resolving a user-assigned identity's id (the
// mi_res_id of a token request, azure-facts.md:13) back to it. The forms are the scope formats of
// the Role Assignments REST API (https://learn.microsoft.com/en-us/rest/api/authorization/role-assignments/delete):
// /subscriptions/{id}/resourceGroups/{group}/providers/{namespace}/{type}/{name}.
#include <algorithm>

#include "directory_impl.hpp"

namespace misim {

std::string Directory::arm_id(EntityRef e) const {
  const Impl& d = *impl_;
  if (!d.exists(e)) return {};
  switch (e.kind) {
    case EntityKind::kTenant:
      return "/";  // the root scope of role assignments
    case EntityKind::kSubscription:
      return "/subscriptions/" + d.subscriptions[e.index].subscription_id.to_string();
    case EntityKind::kResourceGroup:
      return arm_id(d.groups[e.index].subscription) + "/resourceGroups/" + std::string(d.name(e));
    case EntityKind::kResource: {
      const Resource& r = d.resources[e.index];
      const std::string& type = d.types.info(r.type).provider_type;
      const std::string name(d.name(e));
      if (r.parent.valid()) return arm_id(r.parent) + "/" + type.substr(type.rfind('/') + 1) + "/" + name;
      // "Namespace/a/b" -> ".../providers/Namespace/a/<name>/b/<name>": nested types get a parent of the same name.
      const std::size_t first = type.find('/');
      std::string out = arm_id(r.group) + "/providers/" + type.substr(0, first);
      for (std::size_t at = first; at != std::string::npos;) {
        const std::size_t next = type.find('/', at + 1);
        out += type.substr(at, next == std::string::npos ? std::string::npos : next - at) + "/" + name;
        at = next;
      }
      return out;
    }
    case EntityKind::kIdentity: {
      const Identity& i = d.identities[e.index];
      if (i.kind == IdentityKind::kUserAssigned) {
        return arm_id(i.group) + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" +
               std::string(d.name(e));
      }
      if (i.kind == IdentityKind::kSystemAssigned) {
        return arm_id(i.resource) + "/providers/Microsoft.ManagedIdentity/Identities/default";
      }
      return {};  // an application's service principal is not an ARM resource
    }
    case EntityKind::kRoleAssignment: {
      const RoleAssignment& a = d.assignments[e.index];
      std::string scope = arm_id(a.scope);
      if (scope == "/") scope.clear();
      return scope + "/providers/Microsoft.Authorization/roleAssignments/" + a.id.to_string();
    }
  }
  return {};
}

std::optional<IdentityId> Directory::find_by_arm_id(std::string_view arm_id) const {
  auto same = [&](IdentityId i) {
    const std::string ours = this->arm_id(i);
    return std::equal(ours.begin(), ours.end(), arm_id.begin(), arm_id.end(), [](char a, char b) {
      auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
      return lower(a) == lower(b);
    });
  };
  // The name is the last segment; ARM ids compare ignoring case, scenario names do not, so a
  // differently-cased id falls back to a scan (it is resolved once, at scenario load).
  const std::size_t slash = arm_id.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  if (const std::optional<EntityRef> e = find(arm_id.substr(slash + 1)); e && e->kind == EntityKind::kIdentity) {
    if (same(e->as<IdentityId>())) return e->as<IdentityId>();
  }
  for (std::uint32_t i = 0; i < impl_->identities.size(); ++i) {
    const IdentityId id(i);
    if (impl_->alive(id) && impl_->identities[i].kind == IdentityKind::kUserAssigned && same(id)) return id;
  }
  return std::nullopt;
}

}  // namespace misim
