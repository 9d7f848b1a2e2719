// Directory: construction, catalogues, names, records and the Impl helpers they rest on.
#include "misim/directory.hpp"

#include <algorithm>
#include <utility>

#include "directory_impl.hpp"
#include "fail.hpp"
#include "misim/random.hpp"

namespace misim {

using directory_detail::fail;
using directory_detail::ScopeChain;

std::string_view to_string(EntityKind kind) noexcept {
  switch (kind) {
    case EntityKind::kTenant:
      return "tenant";
    case EntityKind::kSubscription:
      return "subscription";
    case EntityKind::kResourceGroup:
      return "resource group";
    case EntityKind::kResource:
      return "resource";
    case EntityKind::kIdentity:
      return "identity";
    case EntityKind::kRoleAssignment:
      return "role assignment";
  }
  return "entity";
}

std::string_view to_string(IdentityKind kind) noexcept {
  switch (kind) {
    case IdentityKind::kSystemAssigned:
      return "system-assigned identity";
    case IdentityKind::kUserAssigned:
      return "user-assigned identity";
    case IdentityKind::kServicePrincipal:
      return "service principal";
  }
  return "identity";
}

// ---- Impl: records and names -------------------------------------------------------------------

Directory::Impl::Impl(DirectoryConfig c)
    : config(c), types(ResourceTypeRegistry::with_builtins()), roles(RoleCatalog::with_builtins()) {
  recompute_role_reach();
}

void Directory::Impl::recompute_role_reach() {
  role_reaches_type.assign(roles.size() * types.size(), 0);
  for (std::size_t r = 0; r < roles.size(); ++r) {
    for (std::size_t t = 0; t < types.size(); ++t) {
      const ResourceTypeInfo& info = types.info(ResourceTypeId(static_cast<std::uint32_t>(t)));
      role_reaches_type[r * types.size() + t] =
          info.target &&
          roles.role(RoleDefinitionId(static_cast<std::uint32_t>(r))).grants_data_access_under(info.data_actions);
    }
  }
}

Lifetime& Directory::Impl::life(EntityRef e) noexcept {
  return const_cast<Lifetime&>(std::as_const(*this).life(e));  // NOLINT: one body for both constnesses
}

const Lifetime& Directory::Impl::life(EntityRef e) const noexcept {
  switch (e.kind) {
    case EntityKind::kTenant:
      return tenants[e.index].life;
    case EntityKind::kSubscription:
      return subscriptions[e.index].life;
    case EntityKind::kResourceGroup:
      return groups[e.index].life;
    case EntityKind::kResource:
      return resources[e.index].life;
    case EntityKind::kIdentity:
      return identities[e.index].life;
    case EntityKind::kRoleAssignment:
      break;
  }
  return assignments[e.index].life;
}

std::string_view Directory::Impl::name(EntityRef e) const noexcept {
  if (!exists(e)) return {};
  if (e.kind == EntityKind::kIdentity && identities[e.index].kind == IdentityKind::kSystemAssigned) {
    return name(identities[e.index].resource);  // Azure shows a system-assigned identity under its resource's name
  }
  return names.text(meta_of(e).name);
}

std::string Directory::Impl::describe(EntityRef e) const {
  std::string out;
  if (e.kind == EntityKind::kIdentity && exists(e)) {
    out = to_string(identities[e.index].kind);
    if (identities[e.index].kind == IdentityKind::kSystemAssigned) {
      return out + " of '" + std::string(name(e)) + "'";
    }
  } else if (e.kind == EntityKind::kResource && exists(e)) {
    out = "resource '" + std::string(name(e)) + "' (" + type_of(e.as<ResourceId>()).name + ")";
    return out;
  } else {
    out = to_string(e.kind);
  }
  const std::string_view n = name(e);
  if (!n.empty()) out += " '" + std::string(n) + "'";
  return out;
}

TenantId Directory::Impl::tenant_of(EntityRef e) const noexcept {
  switch (e.kind) {
    case EntityKind::kTenant:
      return e.as<TenantId>();
    case EntityKind::kSubscription:
      return subscriptions[e.index].tenant;
    case EntityKind::kResourceGroup:
      return subscriptions[groups[e.index].subscription.index()].tenant;
    case EntityKind::kResource:
      return tenant_of(resources[e.index].group);
    case EntityKind::kIdentity:
      return identities[e.index].tenant;
    case EntityKind::kRoleAssignment:
      break;
  }
  return tenant_of(assignments[e.index].scope);
}

SubscriptionId Directory::Impl::subscription_of(EntityRef scope) const noexcept {
  switch (scope.kind) {
    case EntityKind::kSubscription:
      return scope.as<SubscriptionId>();
    case EntityKind::kResourceGroup:
      return groups[scope.index].subscription;
    case EntityKind::kResource:
      return groups[resources[scope.index].group.index()].subscription;
    case EntityKind::kIdentity:
      if (identities[scope.index].kind == IdentityKind::kUserAssigned) {
        return groups[identities[scope.index].group.index()].subscription;
      }
      return {};
    case EntityKind::kRoleAssignment:
      return subscription_of(assignments[scope.index].scope);
    case EntityKind::kTenant:
      break;
  }
  return {};
}

ScopeChain Directory::Impl::scope_chain(EntityRef e) const noexcept {
  ScopeChain chain;
  auto push = [&chain](EntityRef s) {
    if (chain.size < ScopeChain::kCapacity) chain.scopes[chain.size++] = s;
  };
  ResourceGroupId group;
  if (e.kind == EntityKind::kResource) {
    for (ResourceId r = e.as<ResourceId>(); r.valid(); r = resources[r.index()].parent) push(r);
    group = resources[e.index].group;
  } else if (e.kind == EntityKind::kIdentity && identities[e.index].kind == IdentityKind::kUserAssigned) {
    push(e);
    group = identities[e.index].group;
  } else if (e.kind == EntityKind::kResourceGroup) {
    group = e.as<ResourceGroupId>();
  }
  if (group.valid()) push(group);
  const SubscriptionId sub = group.valid()                         ? groups[group.index()].subscription
                             : e.kind == EntityKind::kSubscription ? e.as<SubscriptionId>()
                                                                   : SubscriptionId{};
  if (sub.valid()) push(sub);
  if (e.kind != EntityKind::kRoleAssignment) push(tenant_of(e));
  return chain;
}

ResourceId Directory::Impl::identity_holder(ResourceId r) const noexcept {
  const Resource& rec = resources[r.index()];
  if (rec.parent.valid() && type_of(r).identities_from_parent) return rec.parent;
  return r;
}

// ---- Directory: construction and catalogues ----------------------------------------------------

Directory::Directory(DirectoryConfig config) : impl_(std::make_unique<Impl>(config)) {}
Directory::~Directory() = default;
Directory::Directory(Directory&&) noexcept = default;
Directory& Directory::operator=(Directory&&) noexcept = default;

const DirectoryConfig& Directory::config() const noexcept { return impl_->config; }

void Directory::reserve(const DirectoryCapacity& capacity) {
  Impl& d = *impl_;
  d.groups.reserve(capacity.resource_groups);
  d.resources.reserve(capacity.resources);
  d.identities.reserve(capacity.identities);
  d.assignments.reserve(capacity.role_assignments);
  d.meta[static_cast<std::size_t>(EntityKind::kResourceGroup)].reserve(capacity.resource_groups);
  d.meta[static_cast<std::size_t>(EntityKind::kResource)].reserve(capacity.resources);
  d.meta[static_cast<std::size_t>(EntityKind::kIdentity)].reserve(capacity.identities);
  d.meta[static_cast<std::size_t>(EntityKind::kRoleAssignment)].reserve(capacity.role_assignments);
  d.names.reserve(capacity.resource_groups + capacity.resources + capacity.identities);
}

Result<ResourceTypeId> Directory::add_resource_type(ResourceTypeInfo info) {
  Result<ResourceTypeId> id = impl_->types.add(std::move(info));
  if (id) impl_->recompute_role_reach();
  return id;
}

const ResourceTypeRegistry& Directory::resource_types() const noexcept { return impl_->types; }

Result<ResourceTypeId> Directory::resource_type(std::string_view name) const {
  if (auto id = impl_->types.find(name)) return *id;
  std::string known;
  for (std::size_t i = 0; i < impl_->types.size(); ++i) {
    known += (i == 0 ? "" : ", ") + impl_->types.info(ResourceTypeId(static_cast<std::uint32_t>(i))).name;
  }
  return fail("unknown resource type '" + std::string(name) + "' (known: " + known + ")");
}

Result<RoleDefinitionId> Directory::add_custom_role(RoleDefinition role) {
  role.built_in = false;
  if (role.id.is_nil()) {
    // Custom role ids: keyed past the entity kinds so they never equal an entity's GUID.
    const std::uint64_t key = (static_cast<std::uint64_t>(kEntityKindCount) + 1) << 32 | impl_->roles.size();
    role.id = make_uuid(impl_->config.seed, key, purpose("directory.role_definition_id"));
  }
  Result<RoleDefinitionId> id = impl_->roles.add(std::move(role));
  if (id) impl_->recompute_role_reach();
  return id;
}

const RoleCatalog& Directory::roles() const noexcept { return impl_->roles; }

Result<RoleDefinitionId> Directory::role(std::string_view name) const {
  if (auto id = impl_->roles.find(name)) return *id;
  return fail("unknown role '" + std::string(name) + "'");
}

// ---- names and records -------------------------------------------------------------------------

std::optional<EntityRef> Directory::find(std::string_view name) const noexcept { return impl_->names.find(name); }

Result<EntityRef> Directory::lookup(std::string_view name) const {
  if (auto e = find(name)) return *e;
  return fail("no entity named '" + std::string(name) + "'");
}

namespace {

template <class Id>
Result<Id> lookup_kind(const Directory& d, std::string_view name) {
  Result<EntityRef> e = d.lookup(name);
  if (!e) return std::move(e).error();
  if (e->kind != KindOf<Id>::kValue) {
    return fail("'" + std::string(name) + "' is a " + std::string(to_string(e->kind)) + ", not a " +
                std::string(to_string(KindOf<Id>::kValue)));
  }
  return e->as<Id>();
}

}  // namespace

Result<ResourceId> Directory::lookup_resource(std::string_view name) const {
  return lookup_kind<ResourceId>(*this, name);
}
Result<ResourceGroupId> Directory::lookup_resource_group(std::string_view name) const {
  return lookup_kind<ResourceGroupId>(*this, name);
}
Result<SubscriptionId> Directory::lookup_subscription(std::string_view name) const {
  return lookup_kind<SubscriptionId>(*this, name);
}
Result<TenantId> Directory::lookup_tenant(std::string_view name) const { return lookup_kind<TenantId>(*this, name); }

Result<IdentityId> Directory::lookup_principal(std::string_view name) const {
  Result<EntityRef> e = lookup(name);
  if (!e) return std::move(e).error();
  if (e->kind == EntityKind::kIdentity) return e->as<IdentityId>();
  if (e->kind == EntityKind::kResource) {
    const IdentityId sa = resource(e->as<ResourceId>()).system_identity;
    if (sa.valid()) return sa;
    return fail("resource '" + std::string(name) + "' has no system-assigned identity to act as a principal");
  }
  return fail("'" + std::string(name) + "' is a " + std::string(to_string(e->kind)) + ", not an identity");
}

std::string_view Directory::name(EntityRef entity) const noexcept { return impl_->name(entity); }

bool Directory::alive(EntityRef entity) const noexcept { return impl_->alive(entity); }
const Lifetime& Directory::lifetime(EntityRef entity) const noexcept { return impl_->life(entity); }

std::size_t Directory::count(EntityKind kind) const noexcept {
  return impl_->meta[static_cast<std::size_t>(kind)].size();
}
std::size_t Directory::live_count(EntityKind kind) const noexcept {
  return impl_->live[static_cast<std::size_t>(kind)];
}

const Tenant& Directory::tenant(TenantId id) const noexcept { return impl_->tenants[id.index()]; }
const Subscription& Directory::subscription(SubscriptionId id) const noexcept {
  return impl_->subscriptions[id.index()];
}
const ResourceGroup& Directory::resource_group(ResourceGroupId id) const noexcept { return impl_->groups[id.index()]; }
std::uint64_t Directory::deletions(EntityKind kind) const noexcept {
  return impl_->deleted[static_cast<std::size_t>(kind)];
}
const Resource& Directory::resource(ResourceId id) const noexcept { return impl_->resources[id.index()]; }
const Identity& Directory::identity(IdentityId id) const noexcept { return impl_->identities[id.index()]; }
const RoleAssignment& Directory::role_assignment(RoleAssignmentId id) const noexcept {
  return impl_->assignments[id.index()];
}
const FederatedCredential& Directory::federated_credential(FederatedCredentialId id) const noexcept {
  return impl_->credentials[id.index()];
}
const ResourceTypeInfo& Directory::type_of(ResourceId id) const noexcept { return impl_->type_of(id); }
TenantId Directory::tenant_of(EntityRef entity) const noexcept { return impl_->tenant_of(entity); }

}  // namespace misim
