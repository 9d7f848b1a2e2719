// JSON of the live directory (include/misim/directory_export.hpp), with nlohmann_json (private to
// this layer). ordered_json keeps keys in the order written, so the output reads top-down and is
// byte-identical for the same directory.
#include <nlohmann/json.hpp>

#include "identity_kind_key.hpp"
#include "misim/directory.hpp"
#include "misim/directory_export.hpp"

namespace misim {

namespace {

using Json = nlohmann::ordered_json;
using directory_detail::identity_kind_key;

std::string text(std::string_view s) { return std::string(s); }

Json life(const Lifetime& l) { return Json{{"created_at_s", to_seconds(l.created_at)}}; }

template <class Id, class F>
Json each_live(const Directory& d, F&& row) {
  Json out = Json::array();
  for (std::uint32_t i = 0; i < d.count(KindOf<Id>::kValue); ++i) {
    if (d.alive(Id(i))) out.push_back(row(Id(i)));
  }
  return out;
}

Json names_of(const Directory& d, const std::vector<IdentityId>& ids) {
  Json out = Json::array();
  for (const IdentityId i : ids) out.push_back(text(d.name(i)));
  return out;
}

}  // namespace

std::string export_json(const Directory& d) {
  Json j;
  j["tenants"] = each_live<TenantId>(d, [&](TenantId t) {
    return Json{{"name", text(d.name(t))}, {"tenant_id", d.tenant(t).tenant_id.to_string()}};
  });
  j["subscriptions"] = each_live<SubscriptionId>(d, [&](SubscriptionId s) {
    const Subscription& rec = d.subscription(s);
    return Json{{"name", text(d.name(s))},
                {"tenant", text(d.name(rec.tenant))},
                {"subscription_id", rec.subscription_id.to_string()},
                {"role_assignments", rec.role_assignments}};
  });
  j["resource_groups"] = each_live<ResourceGroupId>(d, [&](ResourceGroupId g) {
    return Json{{"name", text(d.name(g))}, {"subscription", text(d.name(d.resource_group(g).subscription))}};
  });
  j["resources"] = each_live<ResourceId>(d, [&](ResourceId r) {
    const Resource& rec = d.resource(r);
    Json row{{"name", text(d.name(r))}, {"type", d.type_of(r).name}, {"group", text(d.name(rec.group))}};
    if (rec.parent.valid()) row["parent"] = text(d.name(rec.parent));
    row["system_assigned"] = rec.system_identity.valid();
    row["user_assigned"] = names_of(d, d.user_assigned_of(r));
    row["arm_id"] = d.arm_id(r);
    row.update(life(rec.life));
    return row;
  });
  j["identities"] = each_live<IdentityId>(d, [&](IdentityId i) {
    const Identity& rec = d.identity(i);
    Json row{{"name", text(d.name(i))}, {"kind", identity_kind_key(rec.kind)}};
    if (rec.kind == IdentityKind::kSystemAssigned) row["resource"] = text(d.name(rec.resource));
    if (rec.kind == IdentityKind::kUserAssigned) row["group"] = text(d.name(rec.group));
    row["object_id"] = rec.object_id.to_string();
    row["client_id"] = rec.client_id.to_string();
    if (rec.kind != IdentityKind::kServicePrincipal) row["arm_id"] = d.arm_id(i);
    row["federated_credentials"] = rec.federated_credentials;
    row.update(life(rec.life));
    return row;
  });
  j["role_assignments"] = each_live<RoleAssignmentId>(d, [&](RoleAssignmentId a) {
    const RoleAssignment& rec = d.role_assignment(a);
    Json row{{"id", rec.id.to_string()}};
    if (!d.name(a).empty()) row["name"] = text(d.name(a));
    row["role"] = d.roles().role(rec.role).name;
    row["scope"] = text(d.name(rec.scope));
    row["scope_arm_id"] = d.arm_id(rec.scope);
    if (d.is_orphaned(a)) {
      row["principal"] = nullptr;  // "Identity not found": only the object id remains
      row["orphaned"] = true;
      row["orphaned_since_s"] = to_seconds(d.orphaned_since(a));
    } else {
      row["principal"] = text(d.name(rec.principal));
      row["orphaned"] = false;
    }
    row["principal_object_id"] = d.identity(rec.principal).object_id.to_string();
    row.update(life(rec.life));
    return row;
  });
  Json credentials = Json::array();
  for (std::uint32_t i = 0; i < d.count(EntityKind::kIdentity); ++i) {
    for (const FederatedCredentialId c : d.federated_credentials_of(IdentityId(i))) {
      const FederatedCredential& rec = d.federated_credential(c);
      credentials.push_back(Json{{"identity", text(d.name(rec.identity))},
                                 {"name", rec.spec.name},
                                 {"issuer", rec.spec.issuer},
                                 {"subject", rec.spec.subject},
                                 {"audience", rec.spec.audience}});
    }
  }
  j["federated_credentials"] = std::move(credentials);
  Json custom = Json::array();
  for (std::uint32_t r = 0; r < d.roles().size(); ++r) {
    const RoleDefinition& role = d.roles().role(RoleDefinitionId(r));
    if (role.built_in) continue;
    custom.push_back(Json{{"name", role.name},
                          {"id", role.id.to_string()},
                          {"actions", role.actions},
                          {"not_actions", role.not_actions},
                          {"data_actions", role.data_actions},
                          {"not_data_actions", role.not_data_actions}});
  }
  j["custom_roles"] = std::move(custom);
  return j.dump(2) + "\n";
}

}  // namespace misim
