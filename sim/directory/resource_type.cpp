// The resource-type registry and the built-in types. Sources of each property: docs/model.md.
#include "misim/resource_type.hpp"

#include <utility>

#include "fail.hpp"

namespace misim {

using directory_detail::fail;

std::string_view to_string(TokenEndpoint endpoint) noexcept {
  switch (endpoint) {
    case TokenEndpoint::kNone:
      return "none";
    case TokenEndpoint::kImds:
      return "imds";
    case TokenEndpoint::kAppService:
      return "app_service";
    case TokenEndpoint::kArcHimds:
      return "arc_himds";
    case TokenEndpoint::kWorkloadIdentity:
      return "workload_identity";
  }
  return "unknown";
}

ResourceTypeRegistry ResourceTypeRegistry::with_builtins() {
  ResourceTypeRegistry r;
  auto add = [&r](ResourceTypeInfo info) {
    const Result<ResourceTypeId> id = r.add(std::move(info));
    (void)id;  // the built-ins are well-formed (tested)
  };
  // Compute: IMDS serves VMs and scale-set instances alike (azure-facts.md:66); a scale set's
  // identities are used by its instances.
  add({.name = "vm",
       .provider_type = "Microsoft.Compute/virtualMachines",
       .endpoint = TokenEndpoint::kImds,
       .system_assigned = true,
       .user_assigned = true});
  add({.name = "vmss",
       .provider_type = "Microsoft.Compute/virtualMachineScaleSets",
       .system_assigned = true,
       .user_assigned = true});
  add({.name = "vmss_instance",
       .provider_type = "Microsoft.Compute/virtualMachineScaleSets/virtualMachines",
       .endpoint = TokenEndpoint::kImds,
       .parent_type = "vmss",
       .identities_from_parent = true});
  // App Service, Functions and Container Apps share the IDENTITY_ENDPOINT protocol (azure-facts.md:61).
  add({.name = "app_service",
       .provider_type = "Microsoft.Web/sites",
       .endpoint = TokenEndpoint::kAppService,
       .system_assigned = true,
       .user_assigned = true});
  add({.name = "function_app",
       .provider_type = "Microsoft.Web/sites",
       .endpoint = TokenEndpoint::kAppService,
       .system_assigned = true,
       .user_assigned = true});
  add({.name = "container_app",
       .provider_type = "Microsoft.App/containerApps",
       .endpoint = TokenEndpoint::kAppService,
       .system_assigned = true,
       .user_assigned = true});
  // A Kubernetes workload is not an ARM resource: it exchanges its service-account token for a
  // user-assigned identity's token through a federated credential (azure-facts.md:65). The
  // provider type is misim's own, so its ids never pass for real ones.
  add({.name = "aks_workload",
       .provider_type = "Misim.Kubernetes/serviceAccounts",
       .endpoint = TokenEndpoint::kWorkloadIdentity,
       .user_assigned = true});
  // Azure Arc servers: system-assigned only (azure-facts.md:62).
  add({.name = "arc_server",
       .provider_type = "Microsoft.HybridCompute/machines",
       .endpoint = TokenEndpoint::kArcHimds,
       .system_assigned = true});
  // Targets. Key Vault holds no managed identity; a storage account may (customer-managed keys).
  add({.name = "key_vault",
       .provider_type = "Microsoft.KeyVault/vaults",
       .target = true,
       .data_actions = "Microsoft.KeyVault/vaults",
       .audience = "https://vault.azure.net"});
  add({.name = "storage_account",
       .provider_type = "Microsoft.Storage/storageAccounts",
       .system_assigned = true,
       .user_assigned = true,
       .target = true,
       .data_actions = "Microsoft.Storage/storageAccounts",
       .audience = "https://storage.azure.com"});
  // Azure SQL authorizes with database users, not RBAC data actions; misim stands for that with
  // data actions under this prefix, granted by a custom role (docs/model.md).
  add({.name = "sql_database",
       .provider_type = "Microsoft.Sql/servers/databases",
       .target = true,
       .data_actions = "Microsoft.Sql/servers/databases",
       .audience = "https://database.windows.net"});
  return r;
}

Result<ResourceTypeId> ResourceTypeRegistry::add(ResourceTypeInfo info) {
  if (info.name.empty()) return fail("a resource type needs a name");
  if (find(info.name)) return fail("resource type '" + info.name + "' is already defined");
  if (info.provider_type.empty()) return fail("resource type '" + info.name + "' needs an ARM provider type");
  if (!info.parent_type.empty()) {
    if (info.parent_type == info.name) return fail("resource type '" + info.name + "' cannot be its own parent");
    if (!find(info.parent_type)) {
      return fail("resource type '" + info.name + "' names unknown parent type '" + info.parent_type + "'");
    }
  } else if (info.identities_from_parent) {
    return fail("resource type '" + info.name + "' takes its parent's identities but has no parent type");
  }
  if (info.target && info.data_actions.empty()) {
    return fail("target type '" + info.name + "' needs the prefix of its data actions");
  }
  types_.push_back(std::move(info));
  return ResourceTypeId(static_cast<std::uint32_t>(types_.size() - 1));
}

std::optional<ResourceTypeId> ResourceTypeRegistry::find(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < types_.size(); ++i) {
    if (types_[i].name == name) return ResourceTypeId(static_cast<std::uint32_t>(i));
  }
  return std::nullopt;
}

}  // namespace misim
