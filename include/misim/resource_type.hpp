// Resource types: what kinds of Azure resource a directory can hold, and what each can do with
// identities. A registry, not an enum, so a scenario or an embedding program adds a type (an
// Event Hubs namespace as a target, a Batch pool as compute) without touching the directory.
//
// The built-in types are those of design.md ("Entities"). Each says which identities it can hold
// and which token endpoint its workloads call (azure-facts.md, "Other hosts' token endpoints");
// a target says which data-plane actions apply to it and the audience of its tokens.
//
//   ResourceTypeRegistry types = ResourceTypeRegistry::with_builtins();
//   ResourceTypeId vm = *types.find("vm");
//   Result<ResourceTypeId> hubs = types.add({.name = "event_hub", .provider_type = "Microsoft.EventHub/namespaces",
//                                            .target = true, .data_actions = "Microsoft.EventHub/namespaces",
//                                            .audience = "https://eventhubs.azure.net"});
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "misim/directory_ids.hpp"
#include "misim/result.hpp"

namespace misim {

/// The endpoint a resource's workloads ask for tokens (design.md, "The model").
enum class TokenEndpoint : std::uint8_t {
  kNone,              // does not request tokens itself (a target, or a scale set whose instances do)
  kImds,              // 169.254.169.254 on VMs and scale-set instances (azure-facts.md:12, :66)
  kAppService,        // IDENTITY_ENDPOINT on App Service, Functions, Container Apps (azure-facts.md:61)
  kArcHimds,          // localhost:40342 with a key-file challenge (azure-facts.md:62)
  kWorkloadIdentity,  // AKS: service-account token exchanged through a federated credential (azure-facts.md:65)
};

[[nodiscard]] std::string_view to_string(TokenEndpoint endpoint) noexcept;

struct ResourceTypeInfo {
  /// The scenario's name for the type: "vm", "key_vault". Unique in a registry.
  std::string name{};
  /// The ARM resource type, for resource ids: "Microsoft.Compute/virtualMachines".
  std::string provider_type{};
  TokenEndpoint endpoint = TokenEndpoint::kNone;
  /// Whether a resource of this type can have a system-assigned identity enabled.
  bool system_assigned = false;
  /// Whether user-assigned identities can be attached to it.
  bool user_assigned = false;
  /// A data-plane target: it checks presented tokens and RBAC data actions.
  bool target = false;
  /// For targets: the prefix of the data actions that apply to it ("Microsoft.KeyVault/vaults").
  std::string data_actions{};
  /// For targets: the token audience (resource URI) a client asks for ("https://vault.azure.net").
  std::string audience{};
  /// Non-empty: a resource of this type is created inside a resource of that type (a scale-set
  /// instance inside its scale set) and is deleted with it.
  std::string parent_type{};
  /// The resource uses its parent's identities instead of its own (scale-set instances use the
  /// scale set's identities through their own IMDS).
  bool identities_from_parent = false;
};

class ResourceTypeRegistry {
 public:
  /// An empty registry (no types at all).
  ResourceTypeRegistry() = default;
  /// vm, vmss, vmss_instance, app_service, function_app, container_app, aks_workload, arc_server,
  /// key_vault, storage_account, sql_database. docs/model.md gives the source of each property.
  static ResourceTypeRegistry with_builtins();

  /// Adds a type. Errors: an empty or duplicate name, an unknown parent type, a parent type that is
  /// the type itself, or identities_from_parent without a parent type.
  Result<ResourceTypeId> add(ResourceTypeInfo info);

  [[nodiscard]] std::optional<ResourceTypeId> find(std::string_view name) const noexcept;
  [[nodiscard]] const ResourceTypeInfo& info(ResourceTypeId id) const noexcept { return types_[id.index()]; }
  [[nodiscard]] std::size_t size() const noexcept { return types_.size(); }

 private:
  std::vector<ResourceTypeInfo> types_;
};

}  // namespace misim
