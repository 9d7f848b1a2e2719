// Action matching and the built-in roles. The role contents are Azure's, from
// https://learn.microsoft.com/en-us/azure/role-based-access-control/built-in-roles (the JSON of each
// role: general.md for Owner, Contributor, Reader; security.md for Key Vault; storage.md for Blob).
#include "misim/role_definition.hpp"

#include <utility>

#include "fail.hpp"

namespace misim {

using directory_detail::fail;

namespace {

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Wildcard matching with the last-star backtracking of Krauss's algorithm: linear in practice,
// no recursion, no allocation. With `prefix_only`, succeeding once all of `text` is consumed:
// the rest of the pattern can then always be matched by some continuation of the text.
bool wildcard(std::string_view pattern, std::string_view text, bool prefix_only) noexcept {
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && lower(pattern[p]) == lower(text[t])) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  if (prefix_only) return true;
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool any_matches(const std::vector<std::string>& patterns, std::string_view action) noexcept {
  for (const std::string& p : patterns) {
    if (action_matches(p, action)) return true;
  }
  return false;
}

Uuid builtin_id(std::string_view text) {
  Result<Uuid> id = Uuid::parse(text);
  return id ? *id : Uuid{};
}

RoleDefinition builtin(std::string_view name, std::string_view id, std::vector<std::string> actions,
                       std::vector<std::string> not_actions, std::vector<std::string> data_actions) {
  RoleDefinition r;
  r.name = name;
  r.id = builtin_id(id);
  r.built_in = true;
  r.actions = std::move(actions);
  r.not_actions = std::move(not_actions);
  r.data_actions = std::move(data_actions);
  return r;
}

}  // namespace

bool action_matches(std::string_view pattern, std::string_view action) noexcept {
  return wildcard(pattern, action, false);
}

bool action_pattern_reaches(std::string_view pattern, std::string_view prefix) noexcept {
  return wildcard(pattern, prefix, true);
}

bool RoleDefinition::permits_action(std::string_view action) const noexcept {
  return any_matches(actions, action) && !any_matches(not_actions, action);
}

bool RoleDefinition::permits_data_action(std::string_view data_action) const noexcept {
  return any_matches(data_actions, data_action) && !any_matches(not_data_actions, data_action);
}

bool RoleDefinition::grants_data_access_under(std::string_view prefix) const noexcept {
  std::string with_slash(prefix);
  with_slash += '/';  // "Microsoft.KeyVault/vaults/" so that "...vaultsX/..." does not count
  for (const std::string& p : data_actions) {
    if (action_pattern_reaches(p, with_slash)) return true;
  }
  return false;
}

RoleCatalog RoleCatalog::with_builtins() {
  RoleCatalog c;
  auto add = [&c](RoleDefinition r) {
    const Result<RoleDefinitionId> id = c.add(std::move(r));
    (void)id;  // the built-ins are well-formed (tested)
  };
  // Control plane only: no DataActions. Owner at a vault's scope does not read its secrets.
  add(builtin("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", {"*"}, {}, {}));
  add(builtin("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c", {"*"},
              {"Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write",
               "Microsoft.Authorization/elevateAccess/Action", "Microsoft.Blueprint/blueprintAssignments/write",
               "Microsoft.Blueprint/blueprintAssignments/delete", "Microsoft.Compute/galleries/share/action"},
              {}));
  add(builtin("Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7", {"*/read"}, {}, {}));
  // Key Vault (RBAC permission model).
  add(builtin(
      "Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6", {}, {},
      {"Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"}));
  add(builtin(
      "Key Vault Secrets Officer", "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
      {"Microsoft.Authorization/*/read", "Microsoft.Insights/alertRules/*", "Microsoft.Resources/deployments/*",
       "Microsoft.Resources/subscriptions/resourceGroups/read", "Microsoft.Support/*",
       "Microsoft.KeyVault/checkNameAvailability/read", "Microsoft.KeyVault/deletedVaults/read",
       "Microsoft.KeyVault/locations/*/read", "Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/operations/read"},
      {}, {"Microsoft.KeyVault/vaults/secrets/*"}));
  // Blob storage.
  add(builtin("Storage Blob Data Reader", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
              {"Microsoft.Storage/storageAccounts/blobServices/containers/read",
               "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action"},
              {}, {"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"}));
  add(builtin("Storage Blob Data Contributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
              {"Microsoft.Storage/storageAccounts/blobServices/containers/delete",
               "Microsoft.Storage/storageAccounts/blobServices/containers/read",
               "Microsoft.Storage/storageAccounts/blobServices/containers/write",
               "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action"},
              {},
              {"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete",
               "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
               "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
               "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action",
               "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action"}));
  return c;
}

Result<RoleDefinitionId> RoleCatalog::add(RoleDefinition role) {
  if (role.name.empty()) return fail("a role definition needs a name");
  if (find(role.name)) return fail("role '" + role.name + "' is already defined");
  if (role.id.is_nil()) return fail("role '" + role.name + "' needs an id");
  if (find(role.id)) return fail("role '" + role.name + "': id " + role.id.to_string() + " is already in use");
  if (role.actions.empty() && role.data_actions.empty()) {
    return fail("role '" + role.name + "' grants nothing: give it Actions or DataActions");
  }
  roles_.push_back(std::move(role));
  return RoleDefinitionId(static_cast<std::uint32_t>(roles_.size() - 1));
}

std::optional<RoleDefinitionId> RoleCatalog::find(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < roles_.size(); ++i) {
    if (same_ignoring_case(roles_[i].name, name)) return RoleDefinitionId(static_cast<std::uint32_t>(i));
  }
  return std::nullopt;
}

std::optional<RoleDefinitionId> RoleCatalog::find(const Uuid& id) const noexcept {
  for (std::size_t i = 0; i < roles_.size(); ++i) {
    if (roles_[i].id == id) return RoleDefinitionId(static_cast<std::uint32_t>(i));
  }
  return std::nullopt;
}

}  // namespace misim
