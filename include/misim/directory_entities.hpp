// The records of the directory's entities: what the simulation reads by id, in O(1), from the
// dense vectors the Directory keeps (`dir.resource(id)`, `dir.identity(id)`, ...).
//
// Records are never removed: a deleted entity keeps its record with the time it was deleted, so a
// trace, an orphaned role assignment or an impact report can still name it. Names are not stored
// here (the Directory interns them: `dir.name(ref)`); relations with many ends (the user-assigned
// identities of a resource, the role assignments of a principal) are edges of the graph, read
// through the Directory's neighbourhood queries.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "misim/directory_ids.hpp"
#include "misim/time.hpp"
#include "misim/uuid.hpp"

namespace misim {

/// deleted_at of an entity that is alive.
inline constexpr SimTime kNotDeleted = kForever;

/// When an entity was created and deleted, in simulated time.
struct Lifetime {
  SimTime created_at = 0;
  SimTime deleted_at = kNotDeleted;

  [[nodiscard]] constexpr bool alive() const noexcept { return deleted_at == kNotDeleted; }
  /// Existed at time t (created at or before t, deleted after t).
  [[nodiscard]] constexpr bool alive_at(SimTime t) const noexcept { return created_at <= t && t < deleted_at; }
};

struct Tenant {
  Uuid tenant_id;
  Lifetime life;
};

struct Subscription {
  TenantId tenant;
  Uuid subscription_id;
  /// Role assignments whose scope is this subscription or inside it, orphaned ones included: the
  /// count the per-subscription limit applies to (DirectoryLimits).
  std::uint32_t role_assignments = 0;
  Lifetime life;
};

struct ResourceGroup {
  SubscriptionId subscription;
  Lifetime life;
};

struct Resource {
  ResourceTypeId type;
  ResourceGroupId group;
  /// The resource it lives in (a scale set for its instances); invalid for top-level resources.
  ResourceId parent;
  /// Its system-assigned identity while one is enabled; invalid otherwise.
  IdentityId system_identity;
  Lifetime life;
};

enum class IdentityKind : std::uint8_t {
  kSystemAssigned,    // created with (or enabled on) one resource, deleted with it
  kUserAssigned,      // a resource of its own, attached to any number of resources
  kServicePrincipal,  // an application's service principal (not a managed identity)
};

/// "system-assigned", "user-assigned", "service principal".
[[nodiscard]] std::string_view to_string(IdentityKind kind) noexcept;

/// A principal of Entra ID: a managed identity or an application's service principal.
struct Identity {
  IdentityKind kind = IdentityKind::kUserAssigned;
  TenantId tenant;
  /// kSystemAssigned: the resource it belongs to (kept after deletion, for reports).
  ResourceId resource;
  /// kUserAssigned: the resource group it lives in.
  ResourceGroupId group;
  /// The principal id role assignments refer to.
  Uuid object_id;
  /// The application (client) id a token request can name it by.
  Uuid client_id;
  /// Federated identity credentials currently on it.
  std::uint32_t federated_credentials = 0;
  Lifetime life;
};

/// A role granted to a principal at a scope. It outlives its principal: when the identity is
/// deleted the assignment stays, orphaned ("Identity not found", azure-facts.md:48).
struct RoleAssignment {
  IdentityId principal;
  RoleDefinitionId role;
  /// A tenant, subscription, resource group, resource or user-assigned identity.
  EntityRef scope;
  /// The assignment's name in ARM (a GUID).
  Uuid id;
  Lifetime life;
};

/// The audience a federated credential expects by default (azure-facts.md:65).
inline constexpr std::string_view kTokenExchangeAudience = "api://AzureADTokenExchange";

/// What a federated identity credential trusts: tokens from `issuer` about `subject`.
struct FederatedCredentialSpec {
  std::string name{};
  std::string issuer{};   // e.g. the AKS cluster's OIDC issuer URL
  std::string subject{};  // e.g. "system:serviceaccount:<namespace>:<service account>"
  std::string audience{kTokenExchangeAudience};
};

struct FederatedCredential {
  IdentityId identity;
  FederatedCredentialSpec spec;
  Lifetime life;
};

}  // namespace misim
