// Words for the narration (narration_words.hpp).
#include "narration_words.hpp"

#include <cstdio>

namespace misim::narration_detail {

namespace {

struct TypeNoun {
  std::string_view type;
  std::string_view singular;
  std::string_view plural;
};

// The built-in resource types (sim/directory/resource_type.cpp) as a reader says them.
constexpr TypeNoun kTypeNouns[] = {
    {"vm", "VM", "VMs"},
    {"vmss", "scale set", "scale sets"},
    {"vmss_instance", "scale-set instance", "scale-set instances"},
    {"app_service", "app service", "app services"},
    {"function_app", "function app", "function apps"},
    {"container_app", "container app", "container apps"},
    {"aks_workload", "AKS workload", "AKS workloads"},
    {"arc_server", "Arc server", "Arc servers"},
    {"key_vault", "key vault", "key vaults"},
    {"storage_account", "storage account", "storage accounts"},
    {"sql_database", "SQL database", "SQL databases"},
};

std::string kind_noun(EntityKind kind, std::size_t count) {
  const bool one = count == 1;
  switch (kind) {
    case EntityKind::kTenant:
      return one ? "tenant" : "tenants";
    case EntityKind::kSubscription:
      return one ? "subscription" : "subscriptions";
    case EntityKind::kResourceGroup:
      return one ? "resource group" : "resource groups";
    case EntityKind::kResource:
      return one ? "resource" : "resources";
    case EntityKind::kIdentity:
      return one ? "identity" : "identities";
    case EntityKind::kRoleAssignment:
      return one ? "role assignment" : "role assignments";
  }
  return one ? "entity" : "entities";
}

}  // namespace

std::vector<EntityRef> concerning(const Directory& d, const Focus& focus, std::vector<EntityRef> items, bool whole) {
  if (whole || focus.everything()) return items;
  std::erase_if(items, [&](EntityRef e) { return !focus.matches(d.name(e)); });
  return items;
}

std::string type_noun(std::string_view type, std::size_t count) {
  for (const TypeNoun& n : kTypeNouns) {
    if (n.type == type) return std::string(count == 1 ? n.singular : n.plural);
  }
  std::string out(type);
  for (char& c : out) c = c == '_' ? ' ' : c;
  return count == 1 ? out : out + "s";
}

std::string noun_of(const Directory& d, EntityRef e, std::size_t count) {
  if (e.kind == EntityKind::kResource) return type_noun(d.type_of(e.as<ResourceId>()).name, count);
  if (e.kind == EntityKind::kIdentity) {
    switch (d.identity(e.as<IdentityId>()).kind) {
      case IdentityKind::kSystemAssigned:
        return count == 1 ? "system-assigned identity" : "system-assigned identities";
      case IdentityKind::kUserAssigned:
        return count == 1 ? "user-assigned identity" : "user-assigned identities";
      case IdentityKind::kServicePrincipal:
        return count == 1 ? "service principal" : "service principals";
    }
  }
  return kind_noun(e.kind, count);
}

std::string thing(const Directory& d, EntityRef e) {
  const std::string name(d.name(e));
  if (e.kind == EntityKind::kIdentity) {
    const Identity& id = d.identity(e.as<IdentityId>());
    if (id.kind == IdentityKind::kSystemAssigned) return "the system-assigned identity of " + name;
    if (id.kind == IdentityKind::kServicePrincipal) return "service principal " + name;
  }
  if (e.kind == EntityKind::kRoleAssignment) {
    const RoleAssignment& a = d.role_assignment(e.as<RoleAssignmentId>());
    if (!name.empty()) return "role assignment " + name;
    return "role assignment " + grant(d, a.role, a.scope) + " for " + std::string(d.name(a.principal));
  }
  return noun_of(d, e) + " " + name;
}

std::string grant(const Directory& d, RoleDefinitionId role, EntityRef scope) {
  return d.roles().role(role).name + " on " + std::string(d.name(scope));
}

std::string counted(std::size_t n, std::string_view singular, std::string_view plural) {
  return std::to_string(n) + " " + std::string(n == 1 ? singular : plural);
}

std::string name_list(const std::vector<std::string>& names, std::size_t max_names) {
  if (names.size() > max_names && names.size() > 1) return names.front() + " ... " + names.back();
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out;
}

std::string group(const Directory& d, const std::vector<EntityRef>& items, std::size_t max_names) {
  if (items.empty()) return "nothing";
  if (items.size() == 1) return thing(d, items.front());
  // One noun when the items are all of one kind ("VMs", "user-assigned identities"), else the kind's.
  std::string noun = noun_of(d, items.front(), items.size());
  bool same_kind = true;
  bool system_assigned = true;
  std::vector<std::string> names;
  names.reserve(items.size());
  for (const EntityRef e : items) {
    same_kind = same_kind && e.kind == items.front().kind;
    if (same_kind && noun_of(d, e, items.size()) != noun) noun = kind_noun(e.kind, items.size());
    system_assigned = system_assigned && e.kind == EntityKind::kIdentity &&
                      d.identity(e.as<IdentityId>()).kind == IdentityKind::kSystemAssigned;
    names.emplace_back(d.name(e));
  }
  if (!same_kind) noun = "entities";
  const std::string list = name_list(names, max_names);
  return std::to_string(items.size()) + " " + noun + " (" + (system_assigned ? "of " : "") + list + ")";
}

std::string joined_with_and(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += i + 1 == parts.size() ? " and " : ", ";
    out += parts[i];
  }
  return out;
}

std::string milliseconds(double ns) {
  const double ms = ns / 1e6;
  char buf[48];
  if (ms >= 1'000'000) {
    std::snprintf(buf, sizeof buf, "%.0f s", ms / 1000);
  } else if (ms >= 10'000) {
    std::snprintf(buf, sizeof buf, "%.3g s", ms / 1000);
  } else {
    const int decimals = ms >= 100 ? 0 : ms >= 10 ? 1 : ms >= 1 ? 2 : 3;
    std::snprintf(buf, sizeof buf, "%.*f ms", decimals, ms);
  }
  return buf;
}

std::string percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * fraction);
  return buf;
}

}  // namespace misim::narration_detail
