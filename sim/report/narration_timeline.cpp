// The timeline's sentences (narration_timeline.hpp).
#include "narration_timeline.hpp"

#include <algorithm>
#include <optional>
#include <tuple>
#include <utility>

#include "misim/impact.hpp"

namespace misim::narration_detail {

namespace {

// At most this many consequences of one kind in an operation's sentence, then "and N more".
constexpr std::size_t kMaxClauses = 4;

/// An access a resource gains: it now reaches `target` with `role`.
struct Gain {
  ResourceId resource;
  ResourceId target;
  RoleDefinitionId role;
  friend auto operator<=>(const Gain&, const Gain&) = default;
};

/// One timeline operation as it was applied.
struct Step {
  const TimedOperation* timed = nullptr;
  /// The entity acted on (resolved before the operation) or created by it.
  EntityRef subject;
  std::optional<ImpactReport> impact;
  std::vector<Gain> gained;
  /// Why it could not be applied; the loader rejects such timelines, so this is a safeguard.
  std::string error;
  /// Operations of one time with equal keys are told in one sentence.
  std::string key;
  [[nodiscard]] const DirectoryOperation& op() const noexcept { return timed->operation; }
};

/// The consequences of a group of operations, merged and without duplicates.
struct Consequences {
  std::vector<EntityRef> removed;  // deleted with the subjects (not the subjects themselves)
  std::vector<FederatedCredentialId> credentials;
  std::vector<LostIdentity> losing;
  std::vector<RoleAssignmentId> orphaned;
  std::vector<RoleAssignmentId> deleted;
  std::vector<LostAccess> lost;
  std::vector<Gain> gained;
};

[[nodiscard]] bool removes(OperationKind kind) noexcept {
  return kind == OperationKind::kDelete || kind == OperationKind::kDisableSystemAssigned ||
         kind == OperationKind::kDetach || kind == OperationKind::kUnassignRole;
}

class OperationTeller {
 public:
  OperationTeller(Directory& directory, const Focus& focus, std::size_t max_names)
      : d_(directory), focus_(focus), max_(max_names) {}

  std::vector<std::string> tell(std::span<const TimedOperation> operations) {
    std::vector<Step> steps;
    steps.reserve(operations.size());
    for (const TimedOperation& t : operations) steps.push_back(perform(t));
    return tell_steps(steps);
  }

 private:
  [[nodiscard]] bool concerns(EntityRef e) const { return focus_.matches(d_.name(e)); }

  /// The resource and the scale-set instances that use its identities.
  [[nodiscard]] std::vector<ResourceId> with_instances(ResourceId r) const {
    std::vector<ResourceId> out{r};
    for (const EntityRef c : d_.children(r)) {
      if (c.kind == EntityKind::kResource && d_.type_of(c.as<ResourceId>()).identities_from_parent) {
        out.push_back(c.as<ResourceId>());
      }
    }
    return out;
  }

  /// The resources whose access an attachment or an assignment can change.
  [[nodiscard]] std::vector<ResourceId> affected_by(const DirectoryOperation& op) const {
    std::vector<ResourceId> out;
    if (op.kind == OperationKind::kAttach) {
      if (auto r = d_.lookup_resource(op.subject)) out = with_instances(*r);
    } else if (op.kind == OperationKind::kAssignRole) {
      if (auto p = d_.lookup_principal(op.subject)) {
        for (const ResourceId r : d_.holders(*p)) {
          const std::vector<ResourceId> users = with_instances(r);
          out.insert(out.end(), users.begin(), users.end());
        }
      }
    }
    return out;
  }

  [[nodiscard]] std::vector<Gain> reach(const std::vector<ResourceId>& resources) const {
    std::vector<Gain> out;
    for (const ResourceId r : resources) {
      for (const Access& a : d_.accesses_of(r)) out.push_back({r, a.target, a.role});
    }
    sort_unique(out);
    return out;
  }

  /// The entity an operation acts on, before it is applied (invalid for what it will create).
  [[nodiscard]] EntityRef acted_on(const DirectoryOperation& op) const {
    switch (op.kind) {
      case OperationKind::kDelete:
        if (auto e = d_.find(op.subject)) return *e;
        break;
      case OperationKind::kDisableSystemAssigned:
        if (auto r = d_.lookup_resource(op.subject)) return d_.resource(*r).system_identity;
        break;
      case OperationKind::kAttach:
      case OperationKind::kDetach:
        if (auto r = d_.lookup_resource(op.subject)) return *r;
        break;
      case OperationKind::kUnassignRole:
        return assignment(op);
      case OperationKind::kAddFederatedCredential:
      case OperationKind::kRemoveFederatedCredential:
        if (auto i = d_.lookup_principal(op.subject)) return *i;
        break;
      default:
        break;
    }
    return {};
  }

  [[nodiscard]] EntityRef assignment(const DirectoryOperation& op) const {
    auto p = d_.lookup_principal(op.subject);
    auto role = d_.role(op.detail);
    auto scope = d_.find(op.target);
    if (!p || !role || !scope) return {};
    for (const RoleAssignmentId a : d_.role_assignments_of(*p)) {
      if (d_.role_assignment(a).role == *role && d_.role_assignment(a).scope == *scope) return a;
    }
    return {};
  }

  /// Impact first, on the directory as it stands; then the operation; then what it granted.
  Step perform(const TimedOperation& t) {
    const DirectoryOperation& op = t.operation;
    Step step;
    step.timed = &t;
    step.subject = acted_on(op);
    if (removes(op.kind)) {
      if (Result<ImpactReport> r = d_.impact(op)) step.impact = std::move(r).value();
    }
    const std::vector<ResourceId> affected = affected_by(op);
    const std::vector<Gain> before = reach(affected);
    Result<EntityRef> done = apply(d_, op, t.at);
    if (!done) {
      step.error = done.error().message;
      return step;
    }
    if (!step.subject.valid()) step.subject = *done;
    for (const Gain& g : reach(affected)) {
      if (!std::binary_search(before.begin(), before.end(), g)) step.gained.push_back(g);  // reach() sorts
    }
    const std::string noun = step.subject.valid() ? noun_of(d_, step.subject) : std::string();
    step.key = std::string(to_string(op.kind)) + '\n' + op.target + '\n' + op.detail + '\n' + op.credential().name +
               '\n' + (op.system_assigned ? "sa" : "") + '\n' + noun;
    return step;
  }

  [[nodiscard]] bool on_focus(const Step& step) const {
    return focus_.matches(step.op().subject) || (!step.op().target.empty() && focus_.matches(step.op().target));
  }

  [[nodiscard]] std::vector<std::string> tell_steps(const std::vector<Step>& steps) const {
    std::vector<std::string> sentences;
    Grouping<std::string, const Step*> by_key;
    for (const Step& step : steps) {
      if (!step.error.empty()) {
        if (on_focus(step)) sentences.push_back(describe(step.op()) + " could not be applied: " + step.error + ".");
        continue;
      }
      by_key.add(step.key, &step);
    }
    for (const auto& [key, group_steps] : by_key.groups()) {
      std::vector<const Step*> told;
      for (const Step* step : group_steps) {
        if (focus_.everything() || on_focus(*step)) told.push_back(step);
      }
      const bool whole = !told.empty();
      if (!whole) told = group_steps;  // not about the focus: told only for consequences that name it
      const std::vector<std::string> clauses = consequences(told, whole);
      if (!whole && clauses.empty()) continue;
      std::string text = head(told);
      for (const std::string& c : clauses) text += "; " + c;
      sentences.push_back(text + ".");
    }
    return sentences;
  }

  /// The sentence's subject: "user-assigned identity web-id deleted", "web-id attached to 5 VMs (...)".
  [[nodiscard]] std::string head(const std::vector<const Step*>& told) const {
    const DirectoryOperation& op = told.front()->op();
    std::vector<EntityRef> subjects;
    for (const Step* step : told) subjects.push_back(step->subject);
    const std::string them = group(d_, subjects, max_);
    const auto target = [&] {
      const std::optional<EntityRef> t = d_.find(op.target);
      return t ? thing(d_, *t) : "'" + op.target + "'";
    };
    switch (op.kind) {
      case OperationKind::kDelete:
        return them + " deleted";
      case OperationKind::kDisableSystemAssigned:
        return them + " disabled (deleted)";
      case OperationKind::kEnableSystemAssigned:
        return them + " enabled: " + verb(subjects.size(), "a new principal", "each a new principal") +
               ", with no role assignments yet";
      case OperationKind::kAttach:
        return target() + " attached to " + them;
      case OperationKind::kDetach:
        return target() + " detached from " + them;
      case OperationKind::kAssignRole:
      case OperationKind::kUnassignRole: {
        std::vector<EntityRef> principals;
        for (const EntityRef a : subjects)
          principals.emplace_back(d_.role_assignment(a.as<RoleAssignmentId>()).principal);
        const std::string role = op.detail + " on " + op.target;
        if (op.kind == OperationKind::kUnassignRole)
          return "role " + role + " removed from " + group(d_, principals, max_);
        return "role " + role + " assigned to " + group(d_, principals, max_) +
               (op.assignment_name.empty() ? "" : " (as " + op.assignment_name + ")");
      }
      case OperationKind::kCreateResource:
        return them + " created in " + target() +
               (op.system_assigned ? verb(subjects.size(), ", with", ", each with") + " a system-assigned identity"
                                   : "");
      case OperationKind::kCreateUserAssigned:
      case OperationKind::kCreateResourceGroup:
      case OperationKind::kCreateServicePrincipal:
        return them + " created in " + target();
      case OperationKind::kAddFederatedCredential:
        return "federated credential " + op.credential().name + " (issuer " + op.credential().issuer + ", subject " +
               op.credential().subject + ") added to " + them;
      case OperationKind::kRemoveFederatedCredential:
        return "federated credential " + op.detail + " removed from " + them;
    }
    return describe(op);
  }

  [[nodiscard]] Consequences merge(const std::vector<const Step*>& told) const {
    Consequences c;
    std::vector<EntityRef> subjects;
    for (const Step* step : told) {
      subjects.push_back(step->subject);
      c.gained.insert(c.gained.end(), step->gained.begin(), step->gained.end());
      if (!step->impact) continue;
      const ImpactReport& r = *step->impact;
      for (const auto id : r.subscriptions_deleted) c.removed.emplace_back(id);
      for (const auto id : r.resource_groups_deleted) c.removed.emplace_back(id);
      for (const auto id : r.resources_deleted) c.removed.emplace_back(id);
      for (const auto id : r.identities_deleted) c.removed.emplace_back(id);
      c.credentials.insert(c.credentials.end(), r.federated_credentials_deleted.begin(),
                           r.federated_credentials_deleted.end());
      c.losing.insert(c.losing.end(), r.resources_losing_identity.begin(), r.resources_losing_identity.end());
      c.orphaned.insert(c.orphaned.end(), r.role_assignments_orphaned.begin(), r.role_assignments_orphaned.end());
      c.deleted.insert(c.deleted.end(), r.role_assignments_deleted.begin(), r.role_assignments_deleted.end());
      c.lost.insert(c.lost.end(), r.accesses_lost.begin(), r.accesses_lost.end());
    }
    std::sort(subjects.begin(), subjects.end());
    const auto is_subject = [&](EntityRef e) { return std::binary_search(subjects.begin(), subjects.end(), e); };
    std::erase_if(c.removed, is_subject);
    std::erase_if(c.deleted, [&](RoleAssignmentId a) { return is_subject(a); });
    sort_unique(c.removed);
    sort_unique(c.credentials);
    sort_unique(c.losing);
    sort_unique(c.orphaned);
    sort_unique(c.deleted);
    sort_unique(c.gained);
    std::sort(c.lost.begin(), c.lost.end(), [](const LostAccess& a, const LostAccess& b) {
      return std::tie(a.resource, a.target, a.role) < std::tie(b.resource, b.target, b.role);
    });
    c.lost.erase(std::unique(c.lost.begin(), c.lost.end(),
                             [](const LostAccess& a, const LostAccess& b) {
                               return a.resource == b.resource && a.target == b.target && a.role == b.role;
                             }),
                 c.lost.end());
    return c;
  }

  /// Whether `principal` is the single subject, or the system-assigned identity of it: "its".
  [[nodiscard]] bool owned_by_subject(EntityRef principal, const std::vector<const Step*>& told) const {
    if (told.size() != 1) return false;
    const EntityRef subject = told.front()->subject;
    if (principal == subject) return true;
    const Identity& id = d_.identity(principal.as<IdentityId>());
    return id.kind == IdentityKind::kSystemAssigned && EntityRef(id.resource) == subject;
  }

  /// The clauses after the head, each about what the operations did beyond themselves.
  [[nodiscard]] std::vector<std::string> consequences(const std::vector<const Step*>& told, bool whole) const {
    const Consequences c = merge(told);
    const OperationKind kind = told.front()->op().kind;
    std::vector<std::string> out;
    cascade_clause(c, told, whole, out);
    if (kind == OperationKind::kDelete) detached_clauses(c, told, whole, out);
    orphaned_clauses(c, told, whole, out);
    deleted_assignments_clause(c, whole, out);
    access_clauses(c.lost, whole, " loses ", " lose ", "accesses are lost", out);
    std::vector<LostAccess> gained;
    for (const Gain& g : c.gained) gained.push_back({g.resource, g.target, g.role, {}});
    access_clauses(gained, whole, " gains ", " gain ", "accesses are gained", out);
    const bool target_survives =
        std::any_of(c.lost.begin(), c.lost.end(), [&](const LostAccess& x) { return d_.alive(x.target); });
    // The directory changes at once; the targets see it later: an assignment's removal after RBAC
    // propagation (up to 10 minutes, azure-facts.md:37), an identity's loss when the tokens issued
    // before it expire (azure-facts.md:49).
    const bool assignment_removed = told.front()->subject.kind == EntityKind::kRoleAssignment;
    if (whole && target_survives && !assignment_removed) {
      out.emplace_back("tokens already issued keep working until they expire");
    }
    if (whole && target_survives && assignment_removed) {
      out.emplace_back("targets may keep honouring it for up to 10 minutes while the change propagates");
    }
    if (whole && out.empty() && removes(kind)) out.emplace_back("nothing else is affected");
    return out;
  }

  void cascade_clause(const Consequences& c, const std::vector<const Step*>& told, bool whole,
                      std::vector<std::string>& out) const {
    const std::vector<EntityRef> removed = concerning(d_, focus_, c.removed, whole);
    Grouping<std::string, EntityRef> by_noun;
    std::vector<std::string> parts;
    for (const EntityRef e : removed) {
      if (e.kind == EntityKind::kIdentity && owned_by_subject(e, told)) {
        parts.emplace_back("its system-assigned identity");
        continue;
      }
      by_noun.add(noun_of(d_, e), e);
    }
    for (const auto& [noun, items] : by_noun.groups()) parts.push_back(group(d_, items, max_));
    std::size_t credentials = 0;
    for (const FederatedCredentialId f : c.credentials) {
      const FederatedCredential& rec = d_.federated_credential(f);
      if (!whole && !concerns(rec.identity)) continue;
      if (++credentials <= kMaxClauses) {
        parts.push_back("federated credential " + rec.spec.name + " of " + std::string(d_.name(rec.identity)));
      }
    }
    if (parts.empty()) return;
    const std::size_t count = removed.size() + credentials;
    out.push_back(verb(told.size(), "with it ", "with them ") + verb(count, "goes ", "go ") + joined_with_and(parts));
  }

  void detached_clauses(const Consequences& c, const std::vector<const Step*>& told, bool whole,
                        std::vector<std::string>& out) const {
    Grouping<IdentityId, EntityRef> by_identity;
    for (const LostIdentity& x : c.losing) {
      // A system-assigned identity is not detached: it goes with its resource or is disabled.
      if (d_.identity(x.identity).kind == IdentityKind::kSystemAssigned) continue;
      by_identity.add(x.identity, x.resource);
    }
    for (const auto& [identity, holders] : by_identity.groups()) {
      const std::vector<EntityRef> shown = concerning(d_, focus_, holders, whole || concerns(identity));
      if (shown.empty()) continue;
      const bool it = told.size() == 1 && told.front()->subject == EntityRef(identity);
      out.push_back((it ? std::string("it") : thing(d_, identity)) + " is detached from " + group(d_, shown, max_));
    }
  }

  void orphaned_clauses(const Consequences& c, const std::vector<const Step*>& told, bool whole,
                        std::vector<std::string>& out) const {
    Grouping<EntityRef, RoleAssignmentId> by_principal;
    for (const RoleAssignmentId a : c.orphaned) {
      const RoleAssignment& rec = d_.role_assignment(a);
      if (whole || concerns(rec.principal) || concerns(rec.scope)) by_principal.add(rec.principal, a);
    }
    const auto grants = [&](const std::vector<RoleAssignmentId>& assignments) {
      std::vector<std::string> g;
      for (const RoleAssignmentId a : assignments)
        g.push_back(grant(d_, d_.role_assignment(a).role, d_.role_assignment(a).scope));
      sort_unique(g);
      return name_list(g, max_);
    };
    const std::string orphaned = " now orphaned ('Identity not found')";
    if (by_principal.groups().size() <= kMaxClauses) {
      for (const auto& [principal, assignments] : by_principal.groups()) {
        const std::string n = counted(assignments.size(), "role assignment", "role assignments");
        const std::string whose =
            owned_by_subject(principal, told) ? "its " + n : "the " + n + " of " + thing(d_, principal);
        out.push_back(whose + " (" + grants(assignments) + ")" + verb(assignments.size(), " is", " are") + orphaned);
      }
      return;
    }
    std::vector<RoleAssignmentId> all;
    for (const auto& [principal, assignments] : by_principal.groups())
      all.insert(all.end(), assignments.begin(), assignments.end());
    out.push_back(counted(all.size(), "role assignment", "role assignments") + " are" + orphaned + ": " +
                  assignments_by_grant(all));
  }

  /// "Key Vault Secrets User on vault for user-assigned identity web-id and Storage Blob Data Reader
  /// on store for 1000 system-assigned identities (of web-0 ... web-999)".
  [[nodiscard]] std::string assignments_by_grant(const std::vector<RoleAssignmentId>& assignments) const {
    Grouping<std::pair<RoleDefinitionId, EntityRef>, EntityRef> by_grant;
    for (const RoleAssignmentId a : assignments) {
      const RoleAssignment& rec = d_.role_assignment(a);
      by_grant.add({rec.role, rec.scope}, rec.principal);
    }
    std::vector<std::string> parts;
    for (const auto& [key, principals] : by_grant.groups()) {
      if (parts.size() == kMaxClauses) {
        parts.push_back(std::to_string(by_grant.groups().size() - kMaxClauses) + " more");
        break;
      }
      parts.push_back(grant(d_, key.first, key.second) + " for " + group(d_, principals, max_));
    }
    return joined_with_and(parts);
  }

  void deleted_assignments_clause(const Consequences& c, bool whole, std::vector<std::string>& out) const {
    std::vector<RoleAssignmentId> deleted;
    for (const RoleAssignmentId a : c.deleted) {
      const RoleAssignment& rec = d_.role_assignment(a);
      if (whole || concerns(rec.principal) || concerns(rec.scope)) deleted.push_back(a);
    }
    if (deleted.empty()) return;
    out.push_back(counted(deleted.size(), "role assignment", "role assignments") + " made at a deleted scope" +
                  verb(deleted.size(), " is", " are") + " deleted: " + assignments_by_grant(deleted));
  }

  void access_clauses(const std::vector<LostAccess>& accesses, bool whole, std::string_view one, std::string_view many,
                      std::string_view more, std::vector<std::string>& out) const {
    Grouping<std::pair<ResourceId, RoleDefinitionId>, EntityRef> by_target;
    for (const LostAccess& a : accesses) by_target.add({a.target, a.role}, a.resource);
    std::size_t told = 0;
    std::size_t untold = 0;
    for (const auto& [key, resources] : by_target.groups()) {
      const std::vector<EntityRef> shown = concerning(d_, focus_, resources, whole || concerns(key.first));
      if (shown.empty()) continue;
      if (++told > kMaxClauses) {
        untold += shown.size();
        continue;
      }
      out.push_back(group(d_, shown, max_) + verb(shown.size(), one, many) + grant(d_, key.second, key.first));
    }
    if (untold > 0) out.push_back("and " + std::to_string(untold) + " more " + std::string(more));
  }

  Directory& d_;
  const Focus& focus_;
  std::size_t max_;
};

}  // namespace

std::vector<std::string> tell_operations(Directory& directory, std::span<const TimedOperation> operations,
                                         const Focus& focus, std::size_t max_names) {
  return OperationTeller(directory, focus, max_names).tell(operations);
}

}  // namespace misim::narration_detail
