// Role definitions: what a role assignment grants. A role lists control-plane Actions and
// data-plane DataActions, each minus its Not- list; `*` in a pattern matches any run of characters
// and matching ignores case, as Azure RBAC does
// (https://learn.microsoft.com/en-us/azure/role-based-access-control/role-definitions).
//
// The catalogue starts with a subset of Azure's built-in roles, with their real ids and action
// lists (https://learn.microsoft.com/en-us/azure/role-based-access-control/built-in-roles):
// Owner, Contributor and Reader (control plane only: no DataActions, so they never grant access
// to a vault's secrets or a container's blobs), Key Vault Secrets User and Officer, Storage Blob
// Data Reader and Contributor. Custom roles are added beside them.
//
//   RoleCatalog roles = RoleCatalog::with_builtins();
//   const RoleDefinition& user = roles.role(*roles.find("Key Vault Secrets User"));
//   user.permits_data_action("Microsoft.KeyVault/vaults/secrets/getSecret/action");  // true
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "misim/directory_ids.hpp"
#include "misim/result.hpp"
#include "misim/uuid.hpp"

namespace misim {

/// Whether an Azure action pattern (`*` wildcards, case-insensitive) matches an action.
[[nodiscard]] bool action_matches(std::string_view pattern, std::string_view action) noexcept;

/// Whether a pattern matches at least one action that begins with `prefix`: does a role with this
/// DataAction grant anything on a target whose data actions begin with `prefix`?
[[nodiscard]] bool action_pattern_reaches(std::string_view pattern, std::string_view prefix) noexcept;

struct RoleDefinition {
  std::string name{};  // "Key Vault Secrets User"
  Uuid id;             // the role definition's name in ARM (a GUID; fixed for built-in roles)
  bool built_in = false;
  std::vector<std::string> actions{};
  std::vector<std::string> not_actions{};
  std::vector<std::string> data_actions{};
  std::vector<std::string> not_data_actions{};

  /// Matched by some Action and by no NotAction.
  [[nodiscard]] bool permits_action(std::string_view action) const noexcept;
  /// Matched by some DataAction and by no NotDataAction.
  [[nodiscard]] bool permits_data_action(std::string_view data_action) const noexcept;
  /// Some DataAction reaches actions under `prefix` (a target type's data actions).
  [[nodiscard]] bool grants_data_access_under(std::string_view prefix) const noexcept;
};

class RoleCatalog {
 public:
  /// An empty catalogue.
  RoleCatalog() = default;
  /// The built-in subset named above.
  static RoleCatalog with_builtins();

  /// Adds a role. Errors: an empty name, a name already in the catalogue (compared ignoring case,
  /// as Azure does), a nil or duplicate id, or no Action and no DataAction at all.
  Result<RoleDefinitionId> add(RoleDefinition role);

  /// By name, ignoring case.
  [[nodiscard]] std::optional<RoleDefinitionId> find(std::string_view name) const noexcept;
  [[nodiscard]] std::optional<RoleDefinitionId> find(const Uuid& id) const noexcept;
  [[nodiscard]] const RoleDefinition& role(RoleDefinitionId id) const noexcept { return roles_[id.index()]; }
  [[nodiscard]] std::size_t size() const noexcept { return roles_.size(); }

 private:
  std::vector<RoleDefinition> roles_;
};

}  // namespace misim
