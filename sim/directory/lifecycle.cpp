// Lifecycle operations that create or connect: tenants, subscriptions, groups, resources,
// identities, attachments, role assignments, federated credentials. Deletion: deletion.cpp.
// The rules and their sources: docs/model.md.
#include <algorithm>
#include <utility>

#include "directory_impl.hpp"
#include "fail.hpp"
#include "misim/random.hpp"

namespace misim {

using directory_detail::fail;

using directory_detail::EdgeKind;
using directory_detail::EntityMeta;
using directory_detail::for_each_out;
using directory_detail::NameRegistry;
using directory_detail::Vertex;

namespace {

constexpr std::uint64_t kObjectIdPurpose = purpose("directory.object_id");
constexpr std::uint64_t kClientIdPurpose = purpose("directory.client_id");
constexpr std::uint64_t kTenantIdPurpose = purpose("directory.tenant_id");
constexpr std::uint64_t kSubscriptionIdPurpose = purpose("directory.subscription_id");
constexpr std::uint64_t kAssignmentIdPurpose = purpose("directory.role_assignment_id");

// An application registration is two directory objects: the application and its service
// principal (https://learn.microsoft.com/en-us/entra/identity-platform/app-objects-and-service-principals).
constexpr std::size_t kObjectsPerApplication = 2;

std::size_t objects_of(IdentityKind kind) {
  return kind == IdentityKind::kServicePrincipal ? kObjectsPerApplication : 1;
}

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

// ---- Impl building blocks ----------------------------------------------------------------------

Status Directory::Impl::check_time(SimTime now) {
  if (now < 0) return fail("an operation cannot happen at a negative time (" + std::to_string(now) + " ns)");
  if (now < last_time) {
    return fail("operation at " + format_clock(now) + " comes before the previous one at " + format_clock(last_time) +
                ": lifecycle operations must be applied in time order");
  }
  last_time = now;
  return {};
}

Status Directory::Impl::check_name(std::string_view name) const {
  if (name.empty()) return fail("a name cannot be empty");
  if (name.size() > NameRegistry::kMaxLength) {
    return fail("name '" + std::string(name.substr(0, 32)) + "...' is longer than " +
                std::to_string(NameRegistry::kMaxLength) + " characters");
  }
  if (const std::optional<EntityRef> taken = names.find(name)) {
    return fail("the name " + in_quotes(name) + " is already used by " + describe(*taken) +
                " (names are unique among live entities)");
  }
  return {};
}

Directory::Impl::Vertex Directory::Impl::add_entity(EntityRef e, std::string_view name) {
  EntityMeta m;
  if (!name.empty()) m.name = *names.claim(name, e);  // checked free by check_name
  m.vertex = boost::add_vertex(directory_detail::VertexBundle{e.kind, 0, e.index}, graph);
  auto& column = meta[static_cast<std::size_t>(e.kind)];
  column.push_back(m);
  ++live[static_cast<std::size_t>(e.kind)];
  return m.vertex;
}

std::size_t Directory::Impl::directory_objects(TenantId t, SimTime now) const noexcept {
  if (!t.valid() || t.index() >= quotas.size()) return 0;
  const auto& q = quotas[t.index()];
  const auto still = std::upper_bound(q.retained_until.begin(), q.retained_until.end(), now);
  return q.live_objects + static_cast<std::size_t>(q.retained_until.end() - still);
}

Status Directory::Impl::check_quota(TenantId t, std::size_t objects, SimTime now) {
  auto& q = quotas[t.index()];
  while (!q.retained_until.empty() && q.retained_until.front() <= now) q.retained_until.pop_front();
  const std::size_t in_use = q.live_objects + q.retained_until.size();
  if (in_use + objects > config.limits.directory_objects_per_tenant) {
    return fail("tenant " + in_quotes(name(t)) + " has reached its directory object quota of " +
                std::to_string(config.limits.directory_objects_per_tenant) + " (" + std::to_string(q.live_objects) +
                " live objects, " + std::to_string(q.retained_until.size()) +
                " deleted system-assigned identities still counted for " +
                format_duration(config.limits.deleted_system_identity_retention) + ")");
  }
  return {};
}

Result<IdentityId> Directory::Impl::create_identity(IdentityKind kind, std::string_view name, TenantId tenant,
                                                    SimTime now) {
  if (Status s = check_quota(tenant, objects_of(kind), now); !s) return s.error();
  const IdentityId id(static_cast<std::uint32_t>(identities.size()));
  Identity rec;
  rec.kind = kind;
  rec.tenant = tenant;
  rec.object_id = make_uuid(config.seed, entity_key(EntityKind::kIdentity, id.index()), kObjectIdPurpose);
  rec.client_id = make_uuid(config.seed, entity_key(EntityKind::kIdentity, id.index()), kClientIdPurpose);
  rec.life.created_at = now;
  identities.push_back(rec);
  add_entity(id, name);
  quotas[tenant.index()].live_objects += objects_of(kind);
  return id;
}

// ---- tenants, subscriptions, groups, resources -------------------------------------------------

Result<TenantId> Directory::create_tenant(std::string_view name, SimTime now) {
  Impl& d = *impl_;
  if (Status s = d.check_name(name); !s) return s.error();
  if (Status s = d.check_time(now); !s) return s.error();
  const TenantId id(static_cast<std::uint32_t>(d.tenants.size()));
  d.tenants.push_back({make_uuid(d.config.seed, entity_key(EntityKind::kTenant, id.index()), kTenantIdPurpose),
                       Lifetime{now, kNotDeleted}});
  d.quotas.emplace_back();
  d.add_entity(id, name);
  return id;
}

Result<SubscriptionId> Directory::create_subscription(std::string_view name, TenantId tenant, SimTime now) {
  Impl& d = *impl_;
  if (!d.alive(tenant)) return fail("cannot create subscription " + in_quotes(name) + ": the tenant does not exist");
  if (Status s = d.check_name(name); !s) return s.error();
  if (Status s = d.check_time(now); !s) return s.error();
  const SubscriptionId id(static_cast<std::uint32_t>(d.subscriptions.size()));
  Subscription rec;
  rec.tenant = tenant;
  rec.subscription_id =
      make_uuid(d.config.seed, entity_key(EntityKind::kSubscription, id.index()), kSubscriptionIdPurpose);
  rec.life.created_at = now;
  d.subscriptions.push_back(rec);
  d.link(d.meta_of(tenant).vertex, d.add_entity(id, name), EdgeKind::kContains);
  return id;
}

Result<ResourceGroupId> Directory::create_resource_group(std::string_view name, SubscriptionId subscription,
                                                         SimTime now) {
  Impl& d = *impl_;
  if (!d.alive(subscription)) {
    return fail("cannot create resource group " + in_quotes(name) + ": the subscription does not exist");
  }
  if (Status s = d.check_name(name); !s) return s.error();
  if (Status s = d.check_time(now); !s) return s.error();
  const ResourceGroupId id(static_cast<std::uint32_t>(d.groups.size()));
  d.groups.push_back({subscription, Lifetime{now, kNotDeleted}});
  d.link(d.meta_of(subscription).vertex, d.add_entity(id, name), EdgeKind::kContains);
  return id;
}

Result<ResourceId> Directory::create_resource(std::string_view name, ResourceTypeId type, ResourceGroupId group,
                                              SimTime now, const ResourceOptions& options) {
  Impl& d = *impl_;
  // Messages are built only on failure: a successful operation allocates no text.
  const auto what = [&] { return "cannot create resource " + in_quotes(name); };
  if (!type.valid() || type.index() >= d.types.size()) return fail(what() + ": unknown resource type");
  const ResourceTypeInfo& info = d.types.info(type);
  if (options.parent.valid()) {
    if (!d.alive(options.parent)) return fail(what() + ": its parent resource does not exist");
    const ResourceTypeInfo& parent_type = d.type_of(options.parent);
    if (info.parent_type != parent_type.name) {
      return fail(what() + ": a " + info.name + " cannot be created inside a " + parent_type.name);
    }
    group = d.resources[options.parent.index()].group;
  } else if (!info.parent_type.empty()) {
    return fail(what() + ": a " + info.name + " is created inside a " + info.parent_type + " (give its parent)");
  }
  if (!d.alive(group)) return fail(what() + ": the resource group does not exist");
  if (options.system_assigned && !info.system_assigned) {
    return fail(what() + ": a " + info.name + " cannot have a system-assigned identity");
  }
  if (Status s = d.check_name(name); !s) return s.error();
  if (Status s = d.check_time(now); !s) return s.error();
  const TenantId tenant = d.tenant_of(group);
  if (options.system_assigned) {
    if (Status s = d.check_quota(tenant, 1, now); !s) return fail(what() + ": " + s.error().message);
  }
  const ResourceId id(static_cast<std::uint32_t>(d.resources.size()));
  Resource rec;
  rec.type = type;
  rec.group = group;
  rec.parent = options.parent;
  rec.life.created_at = now;
  d.resources.push_back(rec);
  d.identity_stamps.push_back(0);
  const Vertex v = d.add_entity(id, name);
  d.link(options.parent.valid() ? d.meta_of(options.parent).vertex : d.meta_of(group).vertex, v, EdgeKind::kContains);
  if (options.system_assigned) {
    Result<IdentityId> sa = enable_system_assigned(id, now);
    (void)sa;  // quota checked above; the type allows it
  }
  return id;
}

// ---- identities --------------------------------------------------------------------------------

Result<IdentityId> Directory::enable_system_assigned(ResourceId resource, SimTime now) {
  Impl& d = *impl_;
  if (!d.alive(resource)) return fail("cannot enable a system-assigned identity: the resource does not exist");
  const ResourceTypeInfo& info = d.type_of(resource);
  if (!info.system_assigned) {
    return fail(d.describe(resource) + " cannot have a system-assigned identity" +
                (info.identities_from_parent ? " (it uses its " + info.parent_type + "'s identities)" : ""));
  }
  if (d.resources[resource.index()].system_identity.valid()) {
    return fail(d.describe(resource) + " already has a system-assigned identity");
  }
  if (Status s = d.check_time(now); !s) return s.error();
  Result<IdentityId> id = d.create_identity(IdentityKind::kSystemAssigned, {}, d.tenant_of(resource), now);
  if (!id) return id;
  d.identities[id->index()].resource = resource;
  d.resources[resource.index()].system_identity = *id;
  d.link(d.meta_of(resource).vertex, d.meta_of(*id).vertex, EdgeKind::kHolds);
  d.identities_changed(resource);
  return id;
}

Status Directory::disable_system_assigned(ResourceId resource, SimTime now) {
  Impl& d = *impl_;
  if (!d.alive(resource)) return fail("cannot disable a system-assigned identity: the resource does not exist");
  const IdentityId sa = d.resources[resource.index()].system_identity;
  if (!sa.valid()) return fail(d.describe(resource) + " has no system-assigned identity");
  if (Status s = d.check_time(now); !s) return s;
  directory_detail::Cascade cascade = d.collect_cascade(sa);
  d.apply_cascade(cascade, now);
  return {};
}

Result<IdentityId> Directory::create_user_assigned(std::string_view name, ResourceGroupId group, SimTime now) {
  Impl& d = *impl_;
  if (!d.alive(group)) {
    return fail("cannot create user-assigned identity " + in_quotes(name) + ": the resource group does not exist");
  }
  if (Status s = d.check_name(name); !s) return s.error();
  if (Status s = d.check_time(now); !s) return s.error();
  Result<IdentityId> id = d.create_identity(IdentityKind::kUserAssigned, name, d.tenant_of(group), now);
  if (!id) return fail("cannot create user-assigned identity " + in_quotes(name) + ": " + id.error().message);
  d.identities[id->index()].group = group;
  d.link(d.meta_of(group).vertex, d.meta_of(*id).vertex, EdgeKind::kContains);
  return id;
}

Result<IdentityId> Directory::create_service_principal(std::string_view name, TenantId tenant, SimTime now) {
  Impl& d = *impl_;
  if (!d.alive(tenant))
    return fail("cannot create service principal " + in_quotes(name) + ": the tenant does not exist");
  if (Status s = d.check_name(name); !s) return s.error();
  if (Status s = d.check_time(now); !s) return s.error();
  Result<IdentityId> id = d.create_identity(IdentityKind::kServicePrincipal, name, tenant, now);
  if (!id) return fail("cannot create service principal " + in_quotes(name) + ": " + id.error().message);
  d.link(d.meta_of(tenant).vertex, d.meta_of(*id).vertex, EdgeKind::kContains);
  return id;
}

// ---- attachment --------------------------------------------------------------------------------

namespace {

bool holds(const Directory::Impl& d, ResourceId resource, IdentityId identity) {
  bool found = false;
  for_each_out(d.graph, d.meta_of(resource).vertex, EdgeKind::kHolds,
               [&](Vertex v) { found = found || d.graph[v].index == identity.index(); });
  return found;
}

}  // namespace

Status Directory::attach(ResourceId resource, IdentityId identity, SimTime now) {
  Impl& d = *impl_;
  if (!d.alive(resource)) return fail("cannot attach: the resource does not exist");
  if (!d.alive(identity)) return fail("cannot attach to " + d.describe(resource) + ": the identity does not exist");
  const auto what = [&] { return "cannot attach " + d.describe(identity) + " to " + d.describe(resource); };
  if (d.identities[identity.index()].kind != IdentityKind::kUserAssigned) {
    return fail(what() + ": only user-assigned identities are attached");
  }
  const ResourceTypeInfo& info = d.type_of(resource);
  if (!info.user_assigned) {
    if (info.identities_from_parent) return fail(what() + ": attach it to the " + info.parent_type + " instead");
    return fail(what() + ": a " + info.name + " cannot hold user-assigned identities");
  }
  if (d.tenant_of(resource) != d.identities[identity.index()].tenant) {
    return fail(what() + ": they are in different tenants");
  }
  if (holds(d, resource, identity)) return fail(what() + ": it is already attached");
  if (Status s = d.check_time(now); !s) return s;
  d.link(d.meta_of(resource).vertex, d.meta_of(identity).vertex, EdgeKind::kHolds);
  d.identities_changed(resource);
  return {};
}

Status Directory::detach(ResourceId resource, IdentityId identity, SimTime now) {
  Impl& d = *impl_;
  if (!d.alive(resource)) return fail("cannot detach: the resource does not exist");
  if (!d.alive(identity)) return fail("cannot detach from " + d.describe(resource) + ": the identity does not exist");
  const auto what = [&] { return "cannot detach " + d.describe(identity) + " from " + d.describe(resource); };
  if (d.identities[identity.index()].kind != IdentityKind::kUserAssigned) {
    return fail(what() + ": only user-assigned identities are detached (disable a system-assigned one)");
  }
  if (!holds(d, resource, identity)) return fail(what() + ": it is not attached");
  if (Status s = d.check_time(now); !s) return s;
  boost::remove_edge(d.meta_of(resource).vertex, d.meta_of(identity).vertex, d.graph);
  d.identities_changed(resource);
  return {};
}

// ---- role assignments --------------------------------------------------------------------------

Result<RoleAssignmentId> Directory::assign_role(IdentityId principal, RoleDefinitionId role, EntityRef scope,
                                                SimTime now, std::string_view name) {
  Impl& d = *impl_;
  if (!role.valid() || role.index() >= d.roles.size()) return fail("cannot assign: unknown role");
  const std::string& role_name = d.roles.role(role).name;
  if (!d.alive(principal)) {
    // Azure answers PrincipalNotFound (azure-facts.md:56).
    return fail("cannot assign '" + role_name + "': the principal does not exist (PrincipalNotFound)");
  }
  const auto what = [&] { return "cannot assign '" + role_name + "' to " + d.describe(principal); };
  const bool scope_kind_ok = scope.kind != EntityKind::kRoleAssignment &&
                             (scope.kind != EntityKind::kIdentity ||
                              (d.exists(scope) && d.identities[scope.index].kind == IdentityKind::kUserAssigned));
  if (!scope_kind_ok) return fail(what() + ": a scope is a tenant, subscription, resource group or resource");
  if (!d.alive(scope)) return fail(what() + ": the scope does not exist");
  if (d.tenant_of(scope) != d.identities[principal.index()].tenant) {
    return fail(what() + " at " + d.describe(scope) + ": cross-tenant assignments are not modelled");
  }
  bool duplicate = false;
  d.for_each_assignment_of(principal, [&](RoleAssignmentId a) {
    const RoleAssignment& r = d.assignments[a.index()];
    duplicate = duplicate || (r.role == role && r.scope == scope);
  });
  // ARM rejects a second identical assignment with 409 RoleAssignmentExists.
  if (duplicate) return fail(what() + " at " + d.describe(scope) + ": the role assignment already exists");
  const SubscriptionId sub = d.subscription_of(scope);
  if (sub.valid() &&
      d.subscriptions[sub.index()].role_assignments >= d.config.limits.role_assignments_per_subscription) {
    return fail(what() + ": subscription " + in_quotes(d.name(sub)) + " has reached its limit of " +
                std::to_string(d.config.limits.role_assignments_per_subscription) +
                " role assignments (orphaned ones count until deleted)");
  }
  if (!name.empty()) {
    if (Status s = d.check_name(name); !s) return s.error();
  }
  if (Status s = d.check_time(now); !s) return s.error();
  const RoleAssignmentId id(static_cast<std::uint32_t>(d.assignments.size()));
  RoleAssignment rec;
  rec.principal = principal;
  rec.role = role;
  rec.scope = scope;
  rec.id = make_uuid(d.config.seed, entity_key(EntityKind::kRoleAssignment, id.index()), kAssignmentIdPurpose);
  rec.life.created_at = now;
  d.assignments.push_back(rec);
  const Vertex v = d.add_entity(id, name);
  d.link(d.meta_of(principal).vertex, v, EdgeKind::kGrants);
  d.link(v, d.meta_of(scope).vertex, EdgeKind::kScopedAt);
  if (sub.valid()) ++d.subscriptions[sub.index()].role_assignments;
  return id;
}

// ---- federated identity credentials ------------------------------------------------------------

Result<FederatedCredentialId> Directory::add_federated_credential(IdentityId identity, FederatedCredentialSpec spec,
                                                                  SimTime now) {
  Impl& d = *impl_;
  if (!d.alive(identity))
    return fail("cannot add federated credential '" + spec.name + "': the identity does not exist");
  const auto what = [&] { return "cannot add federated credential '" + spec.name + "' to " + d.describe(identity); };
  Identity& rec = d.identities[identity.index()];
  if (rec.kind == IdentityKind::kSystemAssigned) {
    return fail(what() + ": federated credentials go on user-assigned identities and applications");
  }
  if (spec.name.empty() || spec.issuer.empty() || spec.subject.empty() || spec.audience.empty()) {
    return fail(what() + ": it needs a name, an issuer, a subject and an audience");
  }
  if (rec.federated_credentials >= d.config.limits.federated_credentials_per_identity) {
    return fail(what() + ": it already has the maximum of " +
                std::to_string(d.config.limits.federated_credentials_per_identity) + " federated credentials");
  }
  for (const FederatedCredentialId c : d.credentials_by_identity[identity.index()]) {
    const FederatedCredentialSpec& other = d.credentials[c.index()].spec;
    if (other.name == spec.name) return fail(what() + ": the identity already has a credential of that name");
    if (other.issuer == spec.issuer && other.subject == spec.subject) {
      return fail(what() + ": credential '" + other.name + "' already trusts that issuer and subject");
    }
  }
  if (Status s = d.check_time(now); !s) return s.error();
  const FederatedCredentialId id(static_cast<std::uint32_t>(d.credentials.size()));
  d.credentials.push_back({identity, std::move(spec), Lifetime{now, kNotDeleted}});
  d.credentials_by_identity[identity.index()].push_back(id);
  ++rec.federated_credentials;
  return id;
}

Status Directory::remove_federated_credential(FederatedCredentialId credential, SimTime now) {
  Impl& d = *impl_;
  if (!credential.valid() || credential.index() >= d.credentials.size() ||
      !d.credentials[credential.index()].life.alive()) {
    return fail("cannot remove the federated credential: it does not exist");
  }
  if (Status s = d.check_time(now); !s) return s;
  FederatedCredential& c = d.credentials[credential.index()];
  c.life.deleted_at = now;
  auto& list = d.credentials_by_identity[c.identity.index()];
  list.erase(std::remove(list.begin(), list.end(), credential), list.end());
  --d.identities[c.identity.index()].federated_credentials;
  return {};
}

}  // namespace misim
