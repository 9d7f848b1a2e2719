// Impact reports as readable text and as JSON (include/misim/impact.hpp).
#include <nlohmann/json.hpp>
#include <string>

#include "identity_kind_key.hpp"
#include "misim/directory.hpp"
#include "misim/impact.hpp"

namespace misim {

namespace {

using Json = nlohmann::ordered_json;
using directory_detail::identity_kind_key;

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string identity_line(const Directory& d, IdentityId i) {
  const Identity& rec = d.identity(i);
  return in_quotes(d.name(i)) + " (" + std::string(to_string(rec.kind)) + ", client id " + rec.client_id.to_string() +
         ", object id " + rec.object_id.to_string() + ")";
}

std::string assignment_line(const Directory& d, RoleAssignmentId a) {
  const RoleAssignment& rec = d.role_assignment(a);
  std::string out = in_quotes(d.roles().role(rec.role).name) + " for " + in_quotes(d.name(rec.principal)) + " at " +
                    in_quotes(d.name(rec.scope));
  if (!d.name(a).empty()) out = in_quotes(d.name(a)) + ": " + out;
  if (!d.alive(rec.principal)) out += " (principal deleted)";
  return out;
}

std::string access_line(const Directory& d, const LostAccess& a) {
  return in_quotes(d.name(a.resource)) + " -> " + in_quotes(d.name(a.target)) + " as " +
         in_quotes(d.roles().role(a.role).name) + " (via " + in_quotes(d.name(a.via)) + ")";
}

class TextReport {
 public:
  TextReport(const Directory& d, std::size_t max_items) : d_(d), max_(max_items) {}

  template <class T, class Line>
  void section(const std::string& title, const std::vector<T>& items, Line&& line) {
    if (items.empty()) return;
    out_ += "  " + title + " (" + std::to_string(items.size()) + "):\n";
    const std::size_t shown = items.size() < max_ ? items.size() : max_;
    for (std::size_t i = 0; i < shown; ++i) out_ += "    " + line(items[i]) + "\n";
    if (shown < items.size()) out_ += "    ... and " + std::to_string(items.size() - shown) + " more\n";
  }

  std::string run(const ImpactReport& r) {
    out_ = "Impact of: " + r.operation + "\n";
    if (r.empty()) return out_ + "  nothing is removed and no access is lost\n";
    auto name = [&](EntityRef e) { return in_quotes(d_.name(e)); };
    section("subscriptions deleted", r.subscriptions_deleted, name);
    section("resource groups deleted", r.resource_groups_deleted, name);
    section("resources deleted", r.resources_deleted,
            [&](ResourceId x) { return name(x) + " (" + d_.type_of(x).name + ")"; });
    section("identities deleted", r.identities_deleted, [&](IdentityId x) { return identity_line(d_, x); });
    section("federated credentials deleted", r.federated_credentials_deleted, [&](FederatedCredentialId c) {
      const FederatedCredential& rec = d_.federated_credential(c);
      return in_quotes(rec.spec.name) + " on " + name(rec.identity) + " (" + rec.spec.subject + ")";
    });
    section("resources losing an identity", r.resources_losing_identity,
            [&](const LostIdentity& x) { return name(x.resource) + " loses " + name(x.identity); });
    section("data-plane accesses lost", r.accesses_lost, [&](const LostAccess& x) { return access_line(d_, x); });
    section("role assignments orphaned, kept as \"Identity not found\"", r.role_assignments_orphaned,
            [&](RoleAssignmentId a) { return assignment_line(d_, a); });
    section("role assignments deleted", r.role_assignments_deleted,
            [&](RoleAssignmentId a) { return assignment_line(d_, a); });
    return std::move(out_);
  }

 private:
  const Directory& d_;
  std::size_t max_;
  std::string out_;
};

template <class Id>
Json names(const Directory& d, const std::vector<Id>& ids) {
  Json out = Json::array();
  for (const Id i : ids) out.push_back(std::string(d.name(i)));
  return out;
}

Json assignments(const Directory& d, const std::vector<RoleAssignmentId>& ids) {
  Json out = Json::array();
  for (const RoleAssignmentId a : ids) {
    const RoleAssignment& rec = d.role_assignment(a);
    Json row{{"id", rec.id.to_string()}};
    if (!d.name(a).empty()) row["name"] = std::string(d.name(a));
    row["role"] = d.roles().role(rec.role).name;
    row["principal"] = std::string(d.name(rec.principal));
    row["principal_object_id"] = d.identity(rec.principal).object_id.to_string();
    row["scope"] = std::string(d.name(rec.scope));
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace

std::string format_impact_text(const ImpactReport& report, const Directory& directory, std::size_t max_items) {
  return TextReport(directory, max_items).run(report);
}

std::string format_impact_json(const ImpactReport& r, const Directory& d) {
  Json j;
  j["operation"] = r.operation;
  j["counts"] = Json{{"subscriptions_deleted", r.subscriptions_deleted.size()},
                     {"resource_groups_deleted", r.resource_groups_deleted.size()},
                     {"resources_deleted", r.resources_deleted.size()},
                     {"identities_deleted", r.identities_deleted.size()},
                     {"federated_credentials_deleted", r.federated_credentials_deleted.size()},
                     {"resources_losing_identity", r.resources_losing_identity.size()},
                     {"accesses_lost", r.accesses_lost.size()},
                     {"role_assignments_orphaned", r.role_assignments_orphaned.size()},
                     {"role_assignments_deleted", r.role_assignments_deleted.size()}};
  j["subscriptions_deleted"] = names(d, r.subscriptions_deleted);
  j["resource_groups_deleted"] = names(d, r.resource_groups_deleted);
  j["resources_deleted"] = names(d, r.resources_deleted);
  Json identities = Json::array();
  for (const IdentityId i : r.identities_deleted) {
    const Identity& rec = d.identity(i);
    identities.push_back(Json{{"name", std::string(d.name(i))},
                              {"kind", std::string(identity_kind_key(rec.kind))},
                              {"client_id", rec.client_id.to_string()},
                              {"object_id", rec.object_id.to_string()}});
  }
  j["identities_deleted"] = std::move(identities);
  Json credentials = Json::array();
  for (const FederatedCredentialId c : r.federated_credentials_deleted) {
    const FederatedCredential& rec = d.federated_credential(c);
    credentials.push_back(Json{{"identity", std::string(d.name(rec.identity))}, {"name", rec.spec.name}});
  }
  j["federated_credentials_deleted"] = std::move(credentials);
  Json losing = Json::array();
  for (const LostIdentity& x : r.resources_losing_identity) {
    losing.push_back(
        Json{{"resource", std::string(d.name(x.resource))}, {"identity", std::string(d.name(x.identity))}});
  }
  j["resources_losing_identity"] = std::move(losing);
  Json accesses = Json::array();
  for (const LostAccess& a : r.accesses_lost) {
    accesses.push_back(Json{{"resource", std::string(d.name(a.resource))},
                            {"target", std::string(d.name(a.target))},
                            {"role", d.roles().role(a.role).name},
                            {"via", std::string(d.name(a.via))}});
  }
  j["accesses_lost"] = std::move(accesses);
  j["role_assignments_orphaned"] = assignments(d, r.role_assignments_orphaned);
  j["role_assignments_deleted"] = assignments(d, r.role_assignments_deleted);
  return j.dump(2) + "\n";
}

}  // namespace misim
