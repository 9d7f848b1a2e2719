// The narrated explanation of a run (include/misim/narration.hpp).
//
// The directory is replayed here rather than read from a running Simulation: each operation's
// impact must be computed on the directory exactly as it stands before that operation, also
// between operations at the same time, where a Simulation advanced in steps cannot stop. The
// Simulation runs once, afterwards, only when there are stages to report on.
#include "misim/narration.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>

#include "misim/impact.hpp"
#include "misim/simulation.hpp"
#include "misim/topology.hpp"
#include "narration_words.hpp"

namespace misim {

namespace {

using narration_detail::counted;
using narration_detail::grant;
using narration_detail::group;
using narration_detail::joined_with_and;
using narration_detail::milliseconds;
using narration_detail::name_list;
using narration_detail::noun_of;
using narration_detail::percent;
using narration_detail::thing;
using narration_detail::type_noun;

// At most this many detail lines of one kind describe the estate at the start, then "... and N
// more": a 1,000-VM estate still reads in a screenful.
constexpr std::size_t kMaxDetailLines = 6;
// At most this many consequences of one kind in an operation's sentence, then "and N more".
constexpr std::size_t kMaxClauses = 4;

/// What --focus selects: a name, and the instances of a template of that name (web: web-0, web-1).
class Focus {
 public:
  explicit Focus(std::string name) : name_(std::move(name)) {}
  [[nodiscard]] bool everything() const noexcept { return name_.empty(); }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] bool matches(std::string_view name) const noexcept {
    if (name_.empty() || name == name_) return true;
    if (name.size() < name_.size() + 2 || name.substr(0, name_.size()) != name_ || name[name_.size()] != '-') {
      return false;
    }
    return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(name_.size()) + 1, name.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
  }

 private:
  std::string name_;
};

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

template <class T>
void sort_unique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

[[nodiscard]] bool removes(OperationKind kind) noexcept {
  return kind == OperationKind::kDelete || kind == OperationKind::kDisableSystemAssigned ||
         kind == OperationKind::kDetach || kind == OperationKind::kUnassignRole;
}

[[nodiscard]] std::string verb(std::size_t n, std::string_view one, std::string_view many) {
  return std::string(n == 1 ? one : many);
}

/// Items in first-seen order of their key, each key with its items.
template <class Key, class Item>
class Grouping {
 public:
  void add(const Key& key, Item item) {
    auto [it, fresh] = index_.try_emplace(key, groups_.size());
    if (fresh) groups_.push_back({key, {}});
    groups_[it->second].second.push_back(std::move(item));
  }
  [[nodiscard]] const std::vector<std::pair<Key, std::vector<Item>>>& groups() const noexcept { return groups_; }

 private:
  std::map<Key, std::size_t> index_;
  std::vector<std::pair<Key, std::vector<Item>>> groups_;
};

class Narrator {
 public:
  Narrator(const Scenario& scenario, const NarrationOptions& options, Directory directory)
      : s_(scenario),
        max_(std::max<std::size_t>(options.max_names, 2)),
        focus_(options.focus),
        d_(std::move(directory)) {}

  Result<Narration> run() {
    tell_beginning();
    tell_estate(0, "the estate");
    tell_estate_details();
    tell_stages_and_workloads();
    tell_timeline();
    tell_end();
    if (!focus_found()) {
      return Error{"--focus: nothing in the scenario is named '" + focus_.name() +
                       "' (an entity, a count template, a service or a workload)",
                   {}};
    }
    std::stable_sort(lines_.begin(), lines_.end(),
                     [](const NarrationLine& a, const NarrationLine& b) { return a.at < b.at; });
    return Narration{std::move(lines_)};
  }

 private:
  void say(SimTime at, std::string text) { lines_.push_back({at, std::move(text)}); }

  [[nodiscard]] bool concerns(EntityRef e) const { return focus_.matches(d_.name(e)); }

  /// The items that concern the focus; all of them when `whole` (the sentence is about the focus).
  template <class T, class Name>
  [[nodiscard]] std::vector<T> concerning(std::vector<T> items, bool whole, Name&& name_of) const {
    if (whole || focus_.everything()) return items;
    std::erase_if(items, [&](const T& x) { return !focus_.matches(name_of(x)); });
    return items;
  }
  [[nodiscard]] std::vector<EntityRef> concerning(std::vector<EntityRef> items, bool whole) const {
    return concerning(std::move(items), whole, [&](EntityRef e) { return d_.name(e); });
  }

  template <class Id>
  [[nodiscard]] std::vector<EntityRef> refs(const std::vector<Id>& ids) const {
    return {ids.begin(), ids.end()};
  }

  // ---- the start -----------------------------------------------------------------------------

  void tell_beginning() {
    std::string text = "scenario " + s_.name;
    if (!focus_.everything()) text += ", told for " + focus_.name();
    if (!s_.description.empty()) text += ": " + s_.description;
    if (!text.empty() && text.back() == '.') text.pop_back();
    text +=
        "; it runs for " + format_duration(s_.simulation.duration) + " with seed " + std::to_string(s_.simulation.seed);
    std::vector<std::string> params;
    for (const Param& p : s_.params) params.push_back(p.name + " = " + p.value + (p.overridden ? " (--set)" : ""));
    if (!params.empty()) text += " and params " + joined_with_and(params);
    say(0, text + ".");
  }

  /// "the estate: 1 tenant, 1 subscription, 2 resource groups, 6 resources (5 VMs, 1 key vault), ..."
  void tell_estate(SimTime at, const std::string& title) {
    if (!focus_.everything()) return;
    std::vector<std::string> parts;
    parts.push_back(counted(d_.live_count(EntityKind::kTenant), "tenant", "tenants"));
    parts.push_back(counted(d_.live_count(EntityKind::kSubscription), "subscription", "subscriptions"));
    parts.push_back(counted(d_.live_count(EntityKind::kResourceGroup), "resource group", "resource groups"));
    parts.push_back(resources_by_type());
    add_identity_counts(parts);
    std::size_t orphaned = 0;
    for (std::uint32_t i = 0; i < d_.count(EntityKind::kRoleAssignment); ++i) {
      if (d_.alive(RoleAssignmentId(i)) && d_.is_orphaned(RoleAssignmentId(i))) ++orphaned;
    }
    const std::size_t assignments = d_.live_count(EntityKind::kRoleAssignment);
    parts.push_back(
        (assignments == 0 ? "no role assignments" : counted(assignments, "role assignment", "role assignments")) +
        (orphaned > 0 ? " (" + std::to_string(orphaned) + " orphaned: 'Identity not found')" : ""));
    say(at, title + ": " + joined_with_and(parts) + ".");
  }

  std::string resources_by_type() const {
    Grouping<std::string, ResourceId> by_type;
    for (std::uint32_t i = 0; i < d_.count(EntityKind::kResource); ++i) {
      const ResourceId r(i);
      if (d_.alive(r)) by_type.add(d_.type_of(r).name, r);
    }
    const std::size_t n = d_.live_count(EntityKind::kResource);
    if (n == 0) return "no resources";
    if (by_type.groups().size() == 1) return std::to_string(n) + " " + type_noun(by_type.groups()[0].first, n);
    std::vector<std::string> types;
    for (const auto& [type, items] : by_type.groups())
      types.push_back(std::to_string(items.size()) + " " + type_noun(type, items.size()));
    std::string out = counted(n, "resource", "resources");
    return types.empty() ? out : out + " (" + name_list(types, types.size()) + ")";
  }

  void add_identity_counts(std::vector<std::string>& parts) const {
    std::size_t system = 0;
    std::size_t service = 0;
    std::size_t credentials = 0;
    std::vector<IdentityId> user;
    for (std::uint32_t i = 0; i < d_.count(EntityKind::kIdentity); ++i) {
      const IdentityId id(i);
      if (!d_.alive(id)) continue;
      const Identity& rec = d_.identity(id);
      credentials += rec.federated_credentials;
      if (rec.kind == IdentityKind::kSystemAssigned) ++system;
      if (rec.kind == IdentityKind::kServicePrincipal) ++service;
      if (rec.kind == IdentityKind::kUserAssigned) user.push_back(id);
    }
    if (system > 0) parts.push_back(counted(system, "system-assigned identity", "system-assigned identities"));
    std::string users = counted(user.size(), "user-assigned identity", "user-assigned identities");
    if (user.size() == 1) {
      // The question the first user brings: how widely is it shared?
      const std::vector<ResourceId> holders = d_.holders(user.front());
      if (holders.size() > 1) users += " shared by " + holder_count(holders);
      if (holders.size() == 1) users += " attached to " + thing(d_, holders.front());
    }
    if (!user.empty()) parts.push_back(users);
    if (service > 0) parts.push_back(counted(service, "service principal", "service principals"));
    if (credentials > 0) parts.push_back(counted(credentials, "federated credential", "federated credentials"));
  }

  /// "5 VMs", or "7 resources" when their types differ.
  std::string holder_count(const std::vector<ResourceId>& holders) const {
    const std::string& type = d_.type_of(holders.front()).name;
    const bool one_type =
        std::all_of(holders.begin(), holders.end(), [&](ResourceId r) { return d_.type_of(r).name == type; });
    return std::to_string(holders.size()) + " " +
           (one_type ? type_noun(type, holders.size()) : (holders.size() == 1 ? "resource" : "resources"));
  }

  /// At most kMaxDetailLines of `lines`, then how many more there are.
  void say_some(SimTime at, const std::vector<std::string>& lines, std::string_view what) {
    for (std::size_t i = 0; i < lines.size() && i < kMaxDetailLines; ++i) say(at, lines[i]);
    if (lines.size() > kMaxDetailLines) {
      say(at, "... and " + std::to_string(lines.size() - kMaxDetailLines) + " more " + std::string(what) + ".");
    }
  }

  void tell_estate_details() {
    tell_focus_profile();
    std::vector<std::string> identities;
    std::vector<EntityRef> with_system;
    for (std::uint32_t i = 0; i < d_.count(EntityKind::kIdentity); ++i) {
      const IdentityId id(i);
      if (!d_.alive(id)) continue;
      const Identity& rec = d_.identity(id);
      if (rec.kind == IdentityKind::kSystemAssigned) {
        with_system.push_back(rec.resource);
      } else if (rec.kind == IdentityKind::kUserAssigned) {
        const bool whole = concerns(id);
        const std::vector<EntityRef> holders = concerning(refs(d_.holders(id)), whole);
        if (!whole && holders.empty()) continue;
        identities.push_back(thing(d_, id) + " in " + std::string(d_.name(rec.group)) + " is attached to " +
                             group(d_, holders, max_) + ".");
      } else if (concerns(id)) {
        identities.push_back(thing(d_, id) + " in tenant " + std::string(d_.name(rec.tenant)) + ".");
      }
    }
    say_some(0, identities, "identities");
    with_system = concerning(std::move(with_system), false);
    if (!with_system.empty()) {
      say(0, group(d_, with_system, max_) + verb(with_system.size(), " has", " have") + " a system-assigned identity.");
    }
    tell_role_assignments();
    tell_accesses();
  }

  void tell_focus_profile() {
    if (focus_.everything()) return;
    std::vector<EntityRef> matched;
    for (int k = 0; k < kEntityKindCount; ++k) {
      const auto kind = static_cast<EntityKind>(k);
      for (std::uint32_t i = 0; i < d_.count(kind); ++i) {
        const EntityRef e(kind, i);
        // A system-assigned identity answers its resource's name; the resource stands for it.
        if (kind == EntityKind::kIdentity && d_.identity(e.as<IdentityId>()).kind == IdentityKind::kSystemAssigned)
          continue;
        if (d_.alive(e) && !d_.name(e).empty() && concerns(e)) matched.push_back(e);
      }
    }
    if (!matched.empty()) say(0, "in focus: " + group(d_, matched, max_) + ".");
  }

  /// "Key Vault Secrets User on vault is assigned to user-assigned identity web-id."
  void tell_role_assignments() {
    Grouping<std::pair<RoleDefinitionId, EntityRef>, EntityRef> by_grant;
    for (std::uint32_t i = 0; i < d_.count(EntityKind::kRoleAssignment); ++i) {
      const RoleAssignmentId a(i);
      if (!d_.alive(a)) continue;
      const RoleAssignment& rec = d_.role_assignment(a);
      by_grant.add({rec.role, rec.scope}, rec.principal);
    }
    std::vector<std::string> lines;
    for (const auto& [key, principals] : by_grant.groups()) {
      const std::vector<EntityRef> shown = concerning(principals, concerns(key.second));
      if (shown.empty()) continue;
      lines.push_back(grant(d_, key.first, key.second) + " is assigned to " + group(d_, shown, max_) + ".");
    }
    say_some(0, lines, "role assignments");
  }

  /// "5 VMs (web-0 ... web-4) reach vault as Key Vault Secrets User." The effective access.
  void tell_accesses() {
    Grouping<std::pair<ResourceId, RoleDefinitionId>, EntityRef> by_target;
    for (std::uint32_t i = 0; i < d_.count(EntityKind::kResource); ++i) {
      const ResourceId r(i);
      if (!d_.alive(r) || d_.identities_of(r).empty()) continue;
      std::vector<std::pair<ResourceId, RoleDefinitionId>> reached;
      for (const Access& a : d_.accesses_of(r)) reached.emplace_back(a.target, a.role);
      sort_unique(reached);
      for (const auto& key : reached) by_target.add(key, r);
    }
    std::vector<std::string> lines;
    for (const auto& [key, resources] : by_target.groups()) {
      const std::vector<EntityRef> shown = concerning(resources, concerns(key.first));
      if (shown.empty()) continue;
      lines.push_back(group(d_, shown, max_) + verb(shown.size(), " reaches ", " reach ") +
                      std::string(d_.name(key.first)) + " as " + d_.roles().role(key.second).name + ".");
    }
    say_some(0, lines, "accesses");
  }

  // ---- stages and workloads ------------------------------------------------------------------

  /// The stations requests queue at: the scenario's own stages, then the token path's AAD regions.
  struct StageView {
    std::string name;
    const Station* station = nullptr;
    std::vector<const WorkloadConfig*> workloads;  // the workloads sending straight into it
    bool own = false;                              // the scenario's, not the token path's
  };

  void find_stages() {
    const SimulationConfig& sim = s_.simulation;
    simulation_ = std::make_unique<Simulation>(sim);
    for (std::size_t i = 0; i < simulation_->stage_count(); ++i) {
      stages_.push_back({simulation_->stage(i).name(), &simulation_->stage(i), {}, true});
    }
    const std::size_t regions = simulation_->aad_region_count();
    for (std::size_t r = 0; r < regions; ++r) {
      const Station& region = simulation_->aad_region(r);
      stages_.push_back({regions == 1 ? "aad" : "aad region " + region.name(), &region, {}, false});
    }
    for (const WorkloadConfig& w : sim.workloads) {
      // A workload's stage past the scenario's own is the token path's AAD, its first region.
      const std::size_t stage = w.stage < sim.stages.size() ? w.stage : sim.stages.size();
      if (stage < stages_.size()) stages_[stage].workloads.push_back(&w);
    }
  }

  [[nodiscard]] bool in_focus(const StageView& stage) const {
    if (focus_.matches(stage.name) || focus_.matches(stage.station->name())) return true;
    return std::any_of(stage.workloads.begin(), stage.workloads.end(),
                       [&](const WorkloadConfig* w) { return focus_.matches(w->name); });
  }

  /// A stage is told when a workload feeds it, or (at the end) when requests reached it.
  [[nodiscard]] bool told(const StageView& stage, bool at_end) const {
    const bool used = stage.own || !stage.workloads.empty() || (at_end && stage.station->statistics().arrivals > 0);
    return used && in_focus(stage);
  }

  void tell_stages_and_workloads() {
    const SimulationConfig& sim = s_.simulation;
    find_stages();
    bool any = false;
    for (const StageView& stage : stages_) {
      if (!told(stage, false)) continue;
      any = true;
      const StationConfig& st = stage.station->config();
      const std::string room = st.queue_capacity < 0 ? "an unlimited waiting room"
                                                     : "a waiting room of " + std::to_string(st.queue_capacity) +
                                                           " (when it is full, requests are turned away)";
      say(0, "stage " + stage.name + " has " + counted(static_cast<std::size_t>(st.servers), "server", "servers") +
                 " and " + room + "; a server takes " + milliseconds(st.service.mean()) + " per request on average.");
      for (const WorkloadConfig* w : stage.workloads) {
        if (w->start >= sim.duration) continue;
        say(w->start, "workload " + w->name + " starts sending requests into " + stage.name + ", " +
                          (w->process == ArrivalProcess::kPoisson ? "at random (Poisson)" : "evenly spaced") + " at " +
                          format_rate(w->rate) + ".");
        if (w->stop < sim.duration) say(w->stop, "workload " + w->name + " stops.");
      }
    }
    if (sim.warmup > 0 && any) say(sim.warmup, "the warm-up ends: statistics count from here.");
  }

  // ---- the timeline --------------------------------------------------------------------------

  void tell_timeline() {
    const std::vector<TimedOperation>& timeline = s_.simulation.timeline;
    for (std::size_t i = 0; i < timeline.size();) {
      std::size_t end = i;
      std::vector<Step> steps;
      for (; end < timeline.size() && timeline[end].at == timeline[i].at; ++end)
        steps.push_back(perform(timeline[end]));
      tell_steps(timeline[i].at, steps);
      i = end;
    }
  }

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
      const bool had = std::any_of(before.begin(), before.end(), [&](const Gain& b) {
        return b.resource == g.resource && b.target == g.target && b.role == g.role;
      });
      if (!had) step.gained.push_back(g);
    }
    const std::string noun = step.subject.valid() ? noun_of(d_, step.subject) : std::string();
    step.key = std::string(to_string(op.kind)) + '\n' + op.target + '\n' + op.detail + '\n' + op.credential.name +
               '\n' + (op.system_assigned ? "sa" : "") + '\n' + noun;
    return step;
  }

  [[nodiscard]] bool on_focus(const Step& step) const {
    return focus_.matches(step.op().subject) || (!step.op().target.empty() && focus_.matches(step.op().target));
  }

  void tell_steps(SimTime at, const std::vector<Step>& steps) {
    Grouping<std::string, const Step*> by_key;
    for (const Step& step : steps) {
      if (!step.error.empty()) {
        if (on_focus(step)) say(at, describe(step.op()) + " could not be applied: " + step.error + ".");
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
      say(at, text + ".");
    }
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
        for (const EntityRef a : subjects) principals.push_back(d_.role_assignment(a.as<RoleAssignmentId>()).principal);
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
        return "federated credential " + op.credential.name + " (issuer " + op.credential.issuer + ", subject " +
               op.credential.subject + ") added to " + them;
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
      for (const auto id : r.subscriptions_deleted) c.removed.push_back(id);
      for (const auto id : r.resource_groups_deleted) c.removed.push_back(id);
      for (const auto id : r.resources_deleted) c.removed.push_back(id);
      for (const auto id : r.identities_deleted) c.removed.push_back(id);
      c.credentials.insert(c.credentials.end(), r.federated_credentials_deleted.begin(),
                           r.federated_credentials_deleted.end());
      c.losing.insert(c.losing.end(), r.resources_losing_identity.begin(), r.resources_losing_identity.end());
      c.orphaned.insert(c.orphaned.end(), r.role_assignments_orphaned.begin(), r.role_assignments_orphaned.end());
      c.deleted.insert(c.deleted.end(), r.role_assignments_deleted.begin(), r.role_assignments_deleted.end());
      c.lost.insert(c.lost.end(), r.accesses_lost.begin(), r.accesses_lost.end());
    }
    const auto is_subject = [&](EntityRef e) {
      return std::find(subjects.begin(), subjects.end(), e) != subjects.end();
    };
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
      out.push_back("tokens already issued keep working until they expire");
    }
    if (whole && target_survives && assignment_removed) {
      out.push_back("targets may keep honouring it for up to 10 minutes while the change propagates");
    }
    if (whole && out.empty() && removes(kind)) out.push_back("nothing else is affected");
    return out;
  }

  void cascade_clause(const Consequences& c, const std::vector<const Step*>& told, bool whole,
                      std::vector<std::string>& out) const {
    const std::vector<EntityRef> removed = concerning(c.removed, whole);
    Grouping<std::string, EntityRef> by_noun;
    std::vector<std::string> parts;
    for (const EntityRef e : removed) {
      if (e.kind == EntityKind::kIdentity && owned_by_subject(e, told)) {
        parts.push_back("its system-assigned identity");
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
      const std::vector<EntityRef> shown = concerning(holders, whole || concerns(identity));
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
      const std::vector<EntityRef> shown = concerning(resources, whole || concerns(key.first));
      if (shown.empty()) continue;
      if (++told > kMaxClauses) {
        untold += shown.size();
        continue;
      }
      out.push_back(group(d_, shown, max_) + verb(shown.size(), one, many) + grant(d_, key.second, key.first));
    }
    if (untold > 0) out.push_back("and " + std::to_string(untold) + " more " + std::string(more));
  }

  // ---- the end -------------------------------------------------------------------------------

  void tell_end() {
    const SimulationConfig& sim = s_.simulation;
    if (focus_.everything()) {
      say(sim.duration, "the run ends after " + format_duration(sim.duration) + ".");
      tell_estate(sim.duration, "the estate at the end");
    }
    const bool any = std::any_of(stages_.begin(), stages_.end(), [&](const StageView& st) { return in_focus(st); });
    if (!any) return;  // the run would only be for statistics nobody asked for
    simulation_->run();
    for (const StageView& stage : stages_) {
      if (told(stage, true)) say(simulation_->now(), stage_sentence(stage, simulation_->now()));
    }
  }

  /// How long requests queued: most wait not at all below saturation, which is worth saying.
  [[nodiscard]] static std::string waits(const StationStatistics& st) {
    const std::string mean = milliseconds(st.wait.mean()) + " on average";
    if (st.wait.max() <= 0) return "no request had to wait";
    if (st.wait.percentile(0.99) <= 0) return "fewer than 1% of requests had to wait (" + mean + ")";
    return "requests waited " + mean + " (p99 " + milliseconds(st.wait.percentile(0.99)) + ")";
  }

  [[nodiscard]] std::string stage_sentence(const StageView& stage, SimTime now) const {
    const Station& station = *stage.station;
    const StationStatistics& st = station.statistics();
    const std::string after = s_.simulation.warmup > 0 ? " after the warm-up" : "";
    if (st.arrivals == 0) return "stage " + stage.name + " received no requests" + after + ".";
    return "stage " + stage.name + ": " + counted(st.arrivals, "request", "requests") + " arrived" + after + ", " +
           std::to_string(st.completed) + " were served and " + std::to_string(st.rejected) + " turned away; its " +
           counted(static_cast<std::size_t>(station.config().servers), "server was", "servers were") + " busy " +
           percent(station.utilization(now)) + " of the time; " + waits(st) + "; requests spent " +
           milliseconds(st.sojourn.mean()) + " in the stage (p50 " + milliseconds(st.sojourn.percentile(0.50)) +
           ", p99 " + milliseconds(st.sojourn.percentile(0.99)) + ").";
  }

  [[nodiscard]] bool focus_found() const {
    if (focus_.everything()) return true;
    for (int k = 0; k < kEntityKindCount; ++k) {
      const auto kind = static_cast<EntityKind>(k);
      for (std::uint32_t i = 0; i < d_.count(kind); ++i) {
        if (concerns(EntityRef(kind, i))) return true;
      }
    }
    return std::any_of(stages_.begin(), stages_.end(), [&](const StageView& st) { return in_focus(st); });
  }

  const Scenario& s_;
  std::size_t max_;
  Focus focus_;
  Directory d_;
  std::vector<NarrationLine> lines_;
  /// Built at the start for the stations' settings; run at the end for their statistics.
  std::unique_ptr<Simulation> simulation_;
  std::vector<StageView> stages_;
};

}  // namespace

std::string Narration::text() const {
  std::string out;
  for (const NarrationLine& line : lines) out += format_clock(line.at) + " " + line.text + "\n";
  return out;
}

Result<Narration> narrate(const Scenario& scenario, const NarrationOptions& options) {
  Result<Directory> directory = build_directory(scenario.simulation.topology, scenario.simulation.seed);
  if (!directory)
    return Error{"the topology does not build: " + directory.error().message, SourcePlace{scenario.file, 0, 0}};
  return Narrator(scenario, options, std::move(directory).value()).run();
}

}  // namespace misim
