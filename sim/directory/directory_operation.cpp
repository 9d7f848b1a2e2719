// DirectoryOperation: factories, descriptions, and applying one to a Directory by names.
#include "misim/directory_operation.hpp"

#include <utility>

#include "fail.hpp"
#include "misim/directory.hpp"

namespace misim {

using directory_detail::fail;

std::string_view to_string(OperationKind kind) noexcept {
  switch (kind) {
    case OperationKind::kCreateResourceGroup:
      return "create resource group";
    case OperationKind::kCreateResource:
      return "create resource";
    case OperationKind::kCreateUserAssigned:
      return "create user-assigned identity";
    case OperationKind::kCreateServicePrincipal:
      return "create service principal";
    case OperationKind::kEnableSystemAssigned:
      return "enable system-assigned identity";
    case OperationKind::kDisableSystemAssigned:
      return "disable system-assigned identity";
    case OperationKind::kAttach:
      return "attach";
    case OperationKind::kDetach:
      return "detach";
    case OperationKind::kAssignRole:
      return "assign role";
    case OperationKind::kUnassignRole:
      return "unassign role";
    case OperationKind::kAddFederatedCredential:
      return "add federated credential";
    case OperationKind::kRemoveFederatedCredential:
      return "remove federated credential";
    case OperationKind::kDelete:
      return "delete";
  }
  return "operation";
}

namespace {

DirectoryOperation make(OperationKind kind, std::string subject, std::string target = {}, std::string detail = {}) {
  DirectoryOperation op;
  op.kind = kind;
  op.subject = std::move(subject);
  op.target = std::move(target);
  op.detail = std::move(detail);
  return op;
}

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

DirectoryOperation DirectoryOperation::create_resource_group(std::string name, std::string subscription) {
  return make(OperationKind::kCreateResourceGroup, std::move(name), std::move(subscription));
}
DirectoryOperation DirectoryOperation::create_resource(std::string name, std::string type, std::string group_or_parent,
                                                       bool system_assigned) {
  DirectoryOperation op =
      make(OperationKind::kCreateResource, std::move(name), std::move(group_or_parent), std::move(type));
  op.system_assigned = system_assigned;
  return op;
}
DirectoryOperation DirectoryOperation::create_user_assigned(std::string name, std::string group) {
  return make(OperationKind::kCreateUserAssigned, std::move(name), std::move(group));
}
DirectoryOperation DirectoryOperation::create_service_principal(std::string name, std::string tenant) {
  return make(OperationKind::kCreateServicePrincipal, std::move(name), std::move(tenant));
}
DirectoryOperation DirectoryOperation::enable_system_assigned(std::string resource) {
  return make(OperationKind::kEnableSystemAssigned, std::move(resource));
}
DirectoryOperation DirectoryOperation::disable_system_assigned(std::string resource) {
  return make(OperationKind::kDisableSystemAssigned, std::move(resource));
}
DirectoryOperation DirectoryOperation::attach(std::string resource, std::string identity) {
  return make(OperationKind::kAttach, std::move(resource), std::move(identity));
}
DirectoryOperation DirectoryOperation::detach(std::string resource, std::string identity) {
  return make(OperationKind::kDetach, std::move(resource), std::move(identity));
}
DirectoryOperation DirectoryOperation::assign_role(std::string principal, std::string role, std::string scope,
                                                   std::string assignment_name) {
  DirectoryOperation op = make(OperationKind::kAssignRole, std::move(principal), std::move(scope), std::move(role));
  op.assignment_name = std::move(assignment_name);
  return op;
}
DirectoryOperation DirectoryOperation::unassign_role(std::string principal, std::string role, std::string scope) {
  return make(OperationKind::kUnassignRole, std::move(principal), std::move(scope), std::move(role));
}
const FederatedCredentialSpec& DirectoryOperation::credential() const noexcept {
  static const FederatedCredentialSpec none{};
  return credential_spec ? *credential_spec : none;
}

DirectoryOperation DirectoryOperation::add_federated_credential(std::string identity,
                                                                FederatedCredentialSpec credential) {
  DirectoryOperation op = make(OperationKind::kAddFederatedCredential, std::move(identity));
  op.credential_spec = std::make_shared<const FederatedCredentialSpec>(std::move(credential));
  return op;
}
DirectoryOperation DirectoryOperation::remove_federated_credential(std::string identity, std::string credential) {
  return make(OperationKind::kRemoveFederatedCredential, std::move(identity), {}, std::move(credential));
}
DirectoryOperation DirectoryOperation::remove(std::string name) {
  return make(OperationKind::kDelete, std::move(name));
}

std::string describe(const DirectoryOperation& op) {
  const std::string s = in_quotes(op.subject);
  const std::string t = in_quotes(op.target);
  switch (op.kind) {
    case OperationKind::kCreateResourceGroup:
      return "create resource group " + s + " in " + t;
    case OperationKind::kCreateResource:
      return "create " + op.detail + " " + s + " in " + t +
             (op.system_assigned ? " with a system-assigned identity" : "");
    case OperationKind::kCreateUserAssigned:
      return "create user-assigned identity " + s + " in " + t;
    case OperationKind::kCreateServicePrincipal:
      return "create service principal " + s + " in " + t;
    case OperationKind::kEnableSystemAssigned:
      return "enable the system-assigned identity of " + s;
    case OperationKind::kDisableSystemAssigned:
      return "disable the system-assigned identity of " + s;
    case OperationKind::kAttach:
      return "attach " + t + " to " + s;
    case OperationKind::kDetach:
      return "detach " + t + " from " + s;
    case OperationKind::kAssignRole:
      return "assign '" + op.detail + "' to " + s + " at " + t;
    case OperationKind::kUnassignRole:
      return "remove the assignment of '" + op.detail + "' to " + s + " at " + t;
    case OperationKind::kAddFederatedCredential:
      return "add federated credential " + in_quotes(op.credential().name) + " to " + s;
    case OperationKind::kRemoveFederatedCredential:
      return "remove federated credential " + in_quotes(op.detail) + " from " + s;
    case OperationKind::kDelete:
      return "delete " + s;
  }
  return "operation on " + s;
}

namespace {

template <class T>
Result<EntityRef> as_entity(Result<T> r) {
  if (!r) return std::move(r).error();
  return EntityRef(*r);
}

Result<EntityRef> as_entity(const Status& s, EntityRef e) {
  if (!s) return s.error();
  return e;
}

Result<EntityRef> create_resource(Directory& d, const DirectoryOperation& op, SimTime now) {
  Result<ResourceTypeId> type = d.resource_type(op.detail);
  if (!type) return std::move(type).error();
  Result<EntityRef> in = d.lookup(op.target);
  if (!in) return std::move(in).error();
  ResourceOptions options;
  options.system_assigned = op.system_assigned;
  ResourceGroupId group;
  if (in->kind == EntityKind::kResource) {
    options.parent = in->as<ResourceId>();
  } else if (in->kind == EntityKind::kResourceGroup) {
    group = in->as<ResourceGroupId>();
  } else {
    return fail("cannot create " + in_quotes(op.subject) + " in " + in_quotes(op.target) + ": that is a " +
                std::string(to_string(in->kind)) + ", not a resource group or a resource");
  }
  return as_entity(d.create_resource(op.subject, *type, group, now, options));
}

Result<EntityRef> change_role(Directory& d, const DirectoryOperation& op, SimTime now) {
  Result<IdentityId> principal = d.lookup_principal(op.subject);
  if (!principal) return std::move(principal).error();
  Result<RoleDefinitionId> role = d.role(op.detail);
  if (!role) return std::move(role).error();
  Result<EntityRef> scope = d.lookup(op.target);
  if (!scope) return std::move(scope).error();
  if (op.kind == OperationKind::kAssignRole) {
    return as_entity(d.assign_role(*principal, *role, *scope, now, op.assignment_name));
  }
  for (const RoleAssignmentId a : d.role_assignments_of(*principal)) {
    if (d.role_assignment(a).role == *role && d.role_assignment(a).scope == *scope) {
      return as_entity(d.delete_entity(a, now), a);
    }
  }
  return fail("cannot " + describe(op) + ": there is no such assignment");
}

Result<EntityRef> change_credential(Directory& d, const DirectoryOperation& op, SimTime now) {
  Result<IdentityId> identity = d.lookup_principal(op.subject);
  if (!identity) return std::move(identity).error();
  if (op.kind == OperationKind::kAddFederatedCredential) {
    Result<FederatedCredentialId> c = d.add_federated_credential(*identity, op.credential(), now);
    if (!c) return std::move(c).error();
    return EntityRef(*identity);
  }
  for (const FederatedCredentialId c : d.federated_credentials_of(*identity)) {
    if (d.federated_credential(c).spec.name == op.detail) {
      return as_entity(d.remove_federated_credential(c, now), *identity);
    }
  }
  return fail("cannot " + describe(op) + ": it has no credential of that name");
}

}  // namespace

Result<EntityRef> apply(Directory& d, const DirectoryOperation& op, SimTime now) {
  switch (op.kind) {
    case OperationKind::kCreateResourceGroup: {
      Result<SubscriptionId> sub = d.lookup_subscription(op.target);
      if (!sub) return std::move(sub).error();
      return as_entity(d.create_resource_group(op.subject, *sub, now));
    }
    case OperationKind::kCreateResource:
      return create_resource(d, op, now);
    case OperationKind::kCreateUserAssigned: {
      Result<ResourceGroupId> group = d.lookup_resource_group(op.target);
      if (!group) return std::move(group).error();
      return as_entity(d.create_user_assigned(op.subject, *group, now));
    }
    case OperationKind::kCreateServicePrincipal: {
      Result<TenantId> tenant = d.lookup_tenant(op.target);
      if (!tenant) return std::move(tenant).error();
      return as_entity(d.create_service_principal(op.subject, *tenant, now));
    }
    case OperationKind::kEnableSystemAssigned:
    case OperationKind::kDisableSystemAssigned: {
      Result<ResourceId> r = d.lookup_resource(op.subject);
      if (!r) return std::move(r).error();
      if (op.kind == OperationKind::kEnableSystemAssigned) return as_entity(d.enable_system_assigned(*r, now));
      return as_entity(d.disable_system_assigned(*r, now), *r);
    }
    case OperationKind::kAttach:
    case OperationKind::kDetach: {
      Result<ResourceId> r = d.lookup_resource(op.subject);
      if (!r) return std::move(r).error();
      Result<IdentityId> i = d.lookup_principal(op.target);
      if (!i) return std::move(i).error();
      return as_entity(op.kind == OperationKind::kAttach ? d.attach(*r, *i, now) : d.detach(*r, *i, now), *i);
    }
    case OperationKind::kAssignRole:
    case OperationKind::kUnassignRole:
      return change_role(d, op, now);
    case OperationKind::kAddFederatedCredential:
    case OperationKind::kRemoveFederatedCredential:
      return change_credential(d, op, now);
    case OperationKind::kDelete: {
      Result<EntityRef> e = d.lookup(op.subject);
      if (!e) return e;
      return as_entity(d.delete_entity(*e, now), *e);
    }
  }
  return fail("unknown operation");
}

}  // namespace misim
