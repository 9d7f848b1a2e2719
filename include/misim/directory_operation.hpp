// DirectoryOperation: one lifecycle operation as a value, naming its entities by their scenario
// names, so a scenario's timeline can hold it and the simulation can apply it at its time. Names
// are resolved when the operation is applied, so an operation may refer to an entity an earlier
// operation of the timeline created.
//
//   std::vector<DirectoryOperation> ops = {DirectoryOperation::remove("web-id")};
//   engine.schedule_at(2 * kHour, [&dir, &engine, op = &ops[0]] {
//     Result<EntityRef> done = apply(dir, *op, engine.now());
//     if (!done) trace_failure(done.error());        // expected failures are values
//   });
//   Result<ImpactReport> r = dir.impact(ops[0]);       // what that operation will break
//
// Conventions for names: where a principal is expected, the name of a resource means its
// system-assigned identity (a system-assigned identity has no name of its own in Azure: it shows
// under its resource's name); a scope may be a subscription, resource group, resource or
// user-assigned identity, or a tenant.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "misim/directory_entities.hpp"
#include "misim/directory_ids.hpp"
#include "misim/result.hpp"
#include "misim/time.hpp"

namespace misim {

class Directory;

enum class OperationKind : std::uint8_t {
  kCreateResourceGroup,        // subject: group;    target: subscription
  kCreateResource,             // subject: resource; target: group (or parent resource); detail: type
  kCreateUserAssigned,         // subject: identity; target: group
  kCreateServicePrincipal,     // subject: principal; target: tenant
  kEnableSystemAssigned,       // subject: resource
  kDisableSystemAssigned,      // subject: resource
  kAttach,                     // subject: resource; target: user-assigned identity
  kDetach,                     // subject: resource; target: user-assigned identity
  kAssignRole,                 // subject: principal; target: scope; detail: role name
  kUnassignRole,               // subject: principal; target: scope; detail: role name
  kAddFederatedCredential,     // subject: identity; credential
  kRemoveFederatedCredential,  // subject: identity; detail: credential name
  kDelete,                     // subject: any named entity; cascades
};

/// "create resource group", "delete", ...
[[nodiscard]] std::string_view to_string(OperationKind kind) noexcept;

struct DirectoryOperation {
  OperationKind kind = OperationKind::kDelete;
  std::string subject{};
  std::string target{};
  std::string detail{};
  /// kAssignRole: an optional name for the assignment, so a later operation can delete it by name.
  std::string assignment_name{};
  /// kCreateResource: enable a system-assigned identity with it.
  bool system_assigned = false;
  /// kAddFederatedCredential's credential, held apart: inline, its four strings made every
  /// operation of a fleet's millions 272 bytes and a heap allocation (the default audience is
  /// longer than a short string); docs/performance.md, "Session 8".
  std::shared_ptr<const FederatedCredentialSpec> credential_spec{};

  /// The credential of kAddFederatedCredential; an empty spec for every other kind.
  [[nodiscard]] const FederatedCredentialSpec& credential() const noexcept;

  static DirectoryOperation create_resource_group(std::string name, std::string subscription);
  static DirectoryOperation create_resource(std::string name, std::string type, std::string group_or_parent,
                                            bool system_assigned = false);
  static DirectoryOperation create_user_assigned(std::string name, std::string group);
  static DirectoryOperation create_service_principal(std::string name, std::string tenant);
  static DirectoryOperation enable_system_assigned(std::string resource);
  static DirectoryOperation disable_system_assigned(std::string resource);
  static DirectoryOperation attach(std::string resource, std::string identity);
  static DirectoryOperation detach(std::string resource, std::string identity);
  static DirectoryOperation assign_role(std::string principal, std::string role, std::string scope,
                                        std::string assignment_name = {});
  static DirectoryOperation unassign_role(std::string principal, std::string role, std::string scope);
  static DirectoryOperation add_federated_credential(std::string identity, FederatedCredentialSpec credential);
  static DirectoryOperation remove_federated_credential(std::string identity, std::string credential);
  /// Delete the named entity (`delete` is a keyword).
  static DirectoryOperation remove(std::string name);
};

/// "attach 'web-id' to 'web-0'", "delete 'rg-web'", ...
[[nodiscard]] std::string describe(const DirectoryOperation& operation);

/// Applies the operation at simulated time `now`. Returns the entity created or acted on (for
/// kAddFederatedCredential and kRemoveFederatedCredential, the identity). Errors: unknown or
/// wrong-kind names, and every error of the Directory method it calls.
Result<EntityRef> apply(Directory& directory, const DirectoryOperation& operation, SimTime now);

}  // namespace misim
