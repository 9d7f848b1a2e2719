// The narrated explanation of a run (include/misim/narration.hpp).
//
// The directory is replayed here rather than read from a running Simulation: each operation's
// impact must be computed on the directory exactly as it stands before that operation, also
// between operations at the same time, where a Simulation advanced in steps cannot stop
// (narration_timeline.cpp tells the operations). The Simulation runs once, afterwards, only when
// there are stages to report on; or first, when ARM can delay or fail an operation (docs/model.md,
// "ARM"): then the operations are replayed at the effect times the run measured, in its order.
#include "misim/narration.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <string_view>
#include <utility>

#include "misim/simulation.hpp"
#include "misim/topology.hpp"
#include "narration_timeline.hpp"
#include "narration_words.hpp"

namespace misim {

namespace {

using narration_detail::counted;
using narration_detail::Focus;
using narration_detail::grant;
using narration_detail::group;
using narration_detail::Grouping;
using narration_detail::joined_with_and;
using narration_detail::milliseconds;
using narration_detail::name_list;
using narration_detail::percent;
using narration_detail::sort_unique;
using narration_detail::thing;
using narration_detail::type_noun;
using narration_detail::verb;

// At most this many detail lines of one kind describe the estate at the start, then "... and N
// more": a 1,000-VM estate still reads in a screenful.
constexpr std::size_t kMaxDetailLines = 6;

/// A rate as a person says it: format_rate's exact text when it is short ("20/s", "1/min",
/// "12/d"), else one per a whole number of a unit ("1 per 5 min"), else four significant digits
/// in the largest unit that counts at least one ("0.2/min" is exact; 1/7 per minute reads
/// "8.571/h").
std::string readable_rate(Rate rate) {
  constexpr std::size_t kShort = 12;
  std::string exact = format_rate(rate);
  if (exact.size() <= kShort || !(rate.per_second > 0.0)) return exact;
  struct Unit {
    const char* name;
    double seconds;
  };
  static constexpr Unit kUnits[] = {{"d", 86400.0}, {"h", 3600.0}, {"min", 60.0}, {"s", 1.0}};
  const double interval = 1.0 / rate.per_second;
  for (const Unit& u : kUnits) {
    const double n = interval / u.seconds;
    const double whole = std::round(n);
    if (whole >= 1.0 && whole < 1e6 && std::abs(n - whole) <= 1e-9 * whole) {
      return "1 per " + std::to_string(static_cast<long long>(whole)) + " " + u.name;
    }
  }
  for (const Unit& u : {kUnits[3], kUnits[2], kUnits[1], kUnits[0]}) {
    const double per_unit = rate.per_second * u.seconds;
    if (per_unit < 1.0 && std::string_view(u.name) != "d") continue;
    char text[64];
    std::snprintf(text, sizeof text, "%.4g/%s", per_unit, u.name);
    return text;
  }
  return exact;
}

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
    tell_calls_and_faults();
    tell_arm_outages();
    if (arm_can_delay()) {
      // ARM decides when each operation takes effect: the run comes first, then the timeline is
      // told at the effect times it measured.
      if (simulation_ == nullptr) simulation_ = std::make_unique<Simulation>(s_.simulation);
      run_simulation();
    }
    tell_arm();
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

  [[nodiscard]] std::vector<EntityRef> concerning(std::vector<EntityRef> items, bool whole) const {
    return narration_detail::concerning(d_, focus_, std::move(items), whole);
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
        with_system.emplace_back(rec.resource);
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
    // Without stages or workloads there are no statistics to tell, and building a Simulation would
    // replay the whole estate once more.
    if (sim.stages.empty() && sim.workloads.empty() && sim.token_path.calls.empty()) return;
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
                          readable_rate(w->rate) + ".");
        if (w->stop < sim.duration) say(w->stop, "workload " + w->name + " stops.");
      }
    }
    if (sim.warmup > 0 && any) say(sim.warmup, "the warm-up ends: statistics count from here.");
  }

  // ---- the timeline --------------------------------------------------------------------------

  void tell_timeline() {
    // With ARM in the run, each operation at its effect time, in the order the run applied them;
    // those ARM failed change nothing and are told by tell_arm.
    std::vector<TimedOperation> effective;
    if (arm_ran_) {
      for (const OperationEffect& e : effects_) {
        if (!e.failed_at_arm) effective.push_back({e.time, s_.simulation.timeline[e.index].operation});
      }
    }
    const std::vector<TimedOperation>& timeline = arm_ran_ ? effective : s_.simulation.timeline;
    for (std::size_t i = 0; i < timeline.size();) {
      std::size_t end = i;
      while (end < timeline.size() && timeline[end].at == timeline[i].at) ++end;
      const std::span<const TimedOperation> due(timeline.data() + i, end - i);
      for (std::string& sentence : narration_detail::tell_operations(d_, due, focus_, max_)) {
        say(timeline[i].at, std::move(sentence));
      }
      i = end;
    }
  }

  /// What ARM did to each operation that ended in the run, in the order the run applied them.
  struct OperationEffect {
    std::size_t index = 0;  // in the timeline
    SimTime time = 0;       // its effect, or its failure at ARM
    std::uint32_t throttled = 0;
    bool failed_at_arm = false;
  };
  /// How tell_arm groups the operations ARM did something to.
  enum Fate : int { kDelayed, kHeld, kFailed, kUnfinished };

  // ---- ARM -----------------------------------------------------------------------------------

  /// Whether ARM can make an operation take effect later than it was issued, or fail it: an
  /// outage, a latency other than the default 0, or more operations than its smallest limit.
  [[nodiscard]] bool arm_can_delay() const {
    const ArmConfig& arm = s_.simulation.token_path.arm;
    if (s_.simulation.timeline.empty()) return false;
    if (!arm.outages.empty()) return true;
    if (arm.latency.kind() != DistributionKind::kConstant || arm.latency.mean() != 0.0) return true;
    std::uint32_t smallest = 0;
    for (const std::uint32_t limit :
         {arm.limits.identity_creations_per_subscription_region, arm.limits.identity_creations_per_tenant_region,
          arm.limits.assignments_per_subscription_region, arm.limits.assignments_per_tenant_region}) {
      if (limit > 0 && (smallest == 0 || limit < smallest)) smallest = limit;
    }
    return smallest > 0 && s_.simulation.timeline.size() > smallest;
  }

  [[nodiscard]] bool concerns_arm(const TimedOperation& t) const {
    return focus_.matches("arm") || focus_.matches(t.operation.subject) || focus_.matches(t.operation.target);
  }

  /// "ARM goes down until ...", and "ARM is back." when it is back before the end.
  void tell_arm_outages() {
    if (!focus_.matches("arm")) return;
    for (const ArmOutage& o : s_.simulation.token_path.arm.outages) {
      const std::string until = format_clock(o.end);
      if (o.timeouts) {
        say(o.start, "ARM goes silent until " + until +
                         ": operations issued to it get no answer; their issuers keep retrying, so they are "
                         "held and take effect when ARM is back.");
      } else {
        say(o.start, "ARM goes down until " + until +
                         ": operations issued to it (or retried) meanwhile fail with 503 and change nothing.");
      }
      if (o.end < s_.simulation.duration) say(o.end, "ARM is back.");
    }
  }

  /// The silent ARM outage an operation issued at `at` met, if any.
  [[nodiscard]] const ArmOutage* silent_outage_at(SimTime at) const {
    for (const ArmOutage& o : s_.simulation.token_path.arm.outages) {
      if (o.timeouts && o.start <= at && at < o.end) return &o;
    }
    return nullptr;
  }

  /// What ARM did to the operations it delayed, held, failed or had not answered by the end, told
  /// per issue time: when they were issued, their 429s, when they took effect.
  void tell_arm() {
    if (!arm_ran_) return;
    Grouping<std::pair<SimTime, int>, const OperationEffect*> by_fate;
    std::vector<bool> ended(s_.simulation.timeline.size(), false);
    for (const OperationEffect& e : effects_) {
      ended[e.index] = true;
      const TimedOperation& t = s_.simulation.timeline[e.index];
      if (!concerns_arm(t)) continue;
      if (e.failed_at_arm) {
        by_fate.add({t.at, kFailed}, &e);
      } else if (silent_outage_at(t.at) != nullptr && e.time > t.at) {
        by_fate.add({t.at, kHeld}, &e);
      } else if (e.time > t.at || e.throttled > 0) {
        by_fate.add({t.at, kDelayed}, &e);
      }
    }
    std::vector<OperationEffect> unfinished;
    for (std::size_t i = 0; i < ended.size(); ++i) {
      if (!ended[i] && concerns_arm(s_.simulation.timeline[i])) unfinished.push_back({i, kForever, 0, false});
    }
    for (const OperationEffect& e : unfinished) by_fate.add({s_.simulation.timeline[e.index].at, kUnfinished}, &e);
    for (const auto& [key, items] : by_fate.groups()) tell_arm_fate(key.first, key.second, items);
  }

  void tell_arm_fate(SimTime issued, int fate, const std::vector<const OperationEffect*>& items) {
    const std::vector<TimedOperation>& timeline = s_.simulation.timeline;
    const bool one = items.size() == 1;
    std::vector<std::string> names;
    SimTime first = kForever;
    SimTime last = 0;
    std::uint64_t answers = 0;
    std::size_t throttled = 0;
    for (const OperationEffect* e : items) {
      names.push_back(timeline[e->index].operation.subject);
      first = std::min(first, e->time);
      last = std::max(last, e->time);
      answers += e->throttled;
      if (e->throttled > 0) ++throttled;
    }
    const std::string some = names.size() > 3
                                 ? listed(names, "operations")
                                 : std::to_string(names.size()) + " operations (" + listed(names, "operations") + ")";
    const std::string what = one ? describe(timeline[items.front()->index].operation) : some;
    const std::string when = (one ? " (issued at " : " issued at ") + format_clock(issued) + (one ? ")" : "");
    const std::string took = one ? "it took effect at " + format_clock(first) + ", " + format_duration(first - issued) +
                                       " after it was issued"
                             : first == last ? "took effect at " + format_clock(first)
                                             : "took effect from " + format_clock(first) + " to " + format_clock(last);
    const std::string times = answers == 1 ? "once" : std::to_string(answers) + " times";
    const std::string tally =
        answers == 0 ? (one ? "" : "they ")
        : one        ? "ARM answered it 429 (Retry-After) " + times + "; "
                     : (throttled == items.size() ? "they got " : std::to_string(throttled) + " of them got ") +
                    counted(answers, "answer", "answers") + " 429 (Retry-After), and they ";
    switch (static_cast<Fate>(fate)) {
      case kFailed:
        say(first, one ? "ARM outage: the operation failed (503): " + what + when + " changed nothing."
                       : "ARM outage: the operation failed (503) for each of " + what + ": they changed nothing.");
        break;
      case kHeld: {
        const ArmOutage* o = silent_outage_at(issued);
        say(first, "ARM outage: " + what + when + (one ? " was" : " were") + " held, ARM answering nothing until " +
                       format_clock(o->end) + "; " + tally + took + ".");
        break;
      }
      case kDelayed:
        say(first,
            (answers == 0 ? "ARM's latency delayed " : "ARM delayed ") + what + when + ": " + tally + took + ".");
        break;
      case kUnfinished:
        say(s_.simulation.duration, what + when +
                                        " had not taken effect when the run ended: " + (one ? "it was" : "they were") +
                                        " still with ARM (throttled, held by an outage or within its latency).");
        break;
    }
  }

  /// Runs the Simulation once, with the sinks the narration reads.
  void run_simulation() {
    if (ran_) return;
    ran_ = true;
    run_events_.certificates = certificates_asked();
    simulation_->attach(run_events_, TraceLevel::kLifecycle);
    simulation_->run();
    // The run's operation log and its kOperation events come in the same order, one for one; an
    // operation ARM failed is logged with Simulation::arm_failed's "ARM outage: ..." error.
    const std::vector<TimelineRecord>& log = simulation_->timeline();
    if (log.size() != run_events_.operations.size()) return;
    for (std::size_t k = 0; k < log.size(); ++k) {
      const RunEvents::Operation& op = run_events_.operations[k];
      effects_.push_back(
          {op.index, op.time, log[k].throttled, !log[k].applied && log[k].error.rfind("ARM outage", 0) == 0});
    }
    arm_ran_ = arm_can_delay();
  }

  [[nodiscard]] bool certificates_asked() const {
    const auto& faults = s_.simulation.token_path.faults;
    return std::any_of(faults.begin(), faults.end(), [&](const FaultConfig& f) {
      return (f.kind == FaultConfig::Kind::kCertificateRollFailure || f.kind == FaultConfig::Kind::kMirpOutage) &&
             concerns(f);
    });
  }

  // ---- the end -------------------------------------------------------------------------------

  void tell_end() {
    const SimulationConfig& sim = s_.simulation;
    if (focus_.everything()) {
      say(sim.duration, "the run ends after " + format_duration(sim.duration) + ".");
      tell_estate(sim.duration, "the estate at the end");
    }
    const bool stages = std::any_of(stages_.begin(), stages_.end(), [&](const StageView& st) { return in_focus(st); });
    const auto& calls = sim.token_path.calls;
    const bool calls_asked =
        std::any_of(calls.begin(), calls.end(), [&](const CallWorkloadConfig& w) { return in_focus(w); });
    // Certificates whose rolls fail: when they expire and when a roll renews them, as the run shows.
    const bool certificates = certificates_asked();
    // Without any of these, the run would only be for statistics nobody asked for.
    if (simulation_ == nullptr || !(stages || calls_asked || certificates)) return;
    run_simulation();
    if (certificates) tell_certificates(run_events_);
    for (const StageView& stage : stages_) {
      if (told(stage, true)) say(simulation_->now(), stage_sentence(stage, simulation_->now()));
    }
    if (calls_asked) tell_access();
  }

  // ---- the token path ------------------------------------------------------------------------

  [[nodiscard]] bool in_focus(const CallWorkloadConfig& w) const {
    if (focus_.matches(w.name) || focus_.matches(w.target) || (!w.identity.empty() && focus_.matches(w.identity))) {
      return true;
    }
    return std::any_of(w.from.begin(), w.from.end(), [&](const std::string& r) { return focus_.matches(r); });
  }

  /// Application calls from resources to targets, and the outages the timeline injects.
  void tell_calls_and_faults() {
    const SimulationConfig& sim = s_.simulation;
    for (const CallWorkloadConfig& w : sim.token_path.calls) {
      if (!in_focus(w) || w.start >= sim.duration) continue;
      std::vector<EntityRef> callers;
      std::vector<std::string> later;  // callers the timeline creates during the run
      for (const std::string& name : w.from) {
        if (const std::optional<EntityRef> e = d_.find(name)) {
          callers.push_back(*e);
        } else {
          later.push_back(name);
        }
      }
      const bool whole = focus_.matches(w.name) || focus_.matches(w.target);
      callers = concerning(std::move(callers), whole);
      if (!whole && !focus_.everything())
        std::erase_if(later, [&](const std::string& name) { return !focus_.matches(name); });
      // Callers that exist at the start are named as entities; when none does yet, those the
      // timeline will create are named instead, and they call from their creation.
      const bool only_later = callers.empty() && !later.empty();
      const std::size_t n = only_later ? later.size() : callers.size();
      const std::string who =
          only_later ? listed(later, "resources") + ", which the timeline creates," : group(d_, callers, max_);
      const std::string joining = only_later || later.empty()
                                      ? std::string()
                                      : "; " + listed(later, "more resources") + verb(later.size(), " joins", " join") +
                                            " when the timeline creates" + verb(later.size(), " it", " them");
      say(w.start, "workload " + w.name + " starts: " + who + verb(n, " calls ", " call ") + w.target + " " +
                       readable_rate(Rate{w.rate_per_second}) + verb(n, "", " each") +
                       (only_later ? verb(n, " once it exists", " once they exist") : "") + ", " +
                       (w.poisson ? "at random (Poisson)" : "evenly spaced") + ", through the " + w.client + " client" +
                       (w.identity.empty() ? "" : ", naming the identity " + w.identity) + joining + ".");
      if (w.stop < sim.duration) say(w.stop, "workload " + w.name + " stops.");
    }
    for (const FaultConfig& f : sim.token_path.faults) tell_fault(f, sim.duration);
  }

  /// "web-3", "web-0, web-1 and web-2", "100 resources (web-0 ... web-99)".
  static std::string listed(const std::vector<std::string>& names, std::string_view plural) {
    if (names.size() > 3)
      return std::to_string(names.size()) + " " + std::string(plural) + " (" + names.front() + " ... " + names.back() +
             ")";
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i)
      out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
    return out;
  }

  [[nodiscard]] bool concerns(const FaultConfig& f) const {
    const auto named = [&](const std::vector<std::string>& names) {
      return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return focus_.matches(n); });
    };
    switch (f.kind) {
      case FaultConfig::Kind::kAadOutage:
      case FaultConfig::Kind::kAadDegradation:
        return focus_.matches("aad") || (!f.region.empty() && focus_.matches(f.region));
      case FaultConfig::Kind::kEndpointOutage:
      case FaultConfig::Kind::kEndpointUpdate:
        return focus_.matches("imds") || named(f.resources);
      case FaultConfig::Kind::kMirpOutage:
        return focus_.matches("mirp");
      case FaultConfig::Kind::kCertificateRollFailure:
        return focus_.matches("mirp") || named(f.identities);
    }
    return true;
  }

  void tell_fault(const FaultConfig& f, SimTime duration) {
    if (!concerns(f)) return;
    const bool endpoint = f.kind == FaultConfig::Kind::kEndpointOutage || f.kind == FaultConfig::Kind::kEndpointUpdate;
    const bool one = endpoint && f.resources.size() == 1;
    const std::string where = !endpoint             ? (f.region.empty() ? "AAD" : "AAD region " + f.region)
                              : f.resources.empty() ? "The token endpoints (IMDS)"
                              : one                 ? "The token endpoint (IMDS) of " + f.resources.front()
                                    : "The token endpoints (IMDS) of " + listed(f.resources, "resources");
    const std::string until = format_clock(f.end);
    const std::string retry = format_duration(s_.simulation.token_path.mirp.roll_retry_interval);
    const std::string wait = "clients wait for their request timeout (msal " +
                             format_duration(builtin_client_profile("msal")->request_timeout) +
                             ", azure-identity-python " +
                             format_duration(builtin_client_profile("azure-identity-python")->request_timeout) +
                             "), then count a 408 and retry as their profile says";
    switch (f.kind) {
      case FaultConfig::Kind::kAadOutage:
        if (f.timeouts) {
          say(f.start, where + " goes silent: token requests to it get no answer until " + until + "; " + wait + ".");
        } else {
          say(f.start, where + " goes down: token requests to it fail with 503 until " + until + ".");
        }
        break;
      case FaultConfig::Kind::kAadDegradation: {
        char what[128];
        std::snprintf(what, sizeof what,
                      " is degraded until %s: it answers %g times slower and fails %g%% of requests "
                      "with 500.",
                      until.c_str(), f.latency_factor, 100.0 * f.error_rate);
        say(f.start, where + what);
        break;
      }
      case FaultConfig::Kind::kEndpointOutage:
        if (f.timeouts) {
          say(f.start, where + (one ? " is" : " are") + " down and answer" + (one ? "s" : "") + " nothing until " +
                           until + "; " + wait + ".");
        } else {
          const std::string verb = one ? " is" : " are";
          say(f.start, where + verb + " down: every token request gets 503 until " + until + ".");
        }
        break;
      case FaultConfig::Kind::kEndpointUpdate:
        say(f.start,
            where + (one ? " is" : " are") + " updating: " + (one ? "it answers" : "they answer") + " " +
                std::to_string(f.status) + " until " + until +
                (f.status == 404
                     ? "; clients that retry 404 (with exponential backoff, MSAL 1, 2, 4 s) get through after it."
                     : "; clients that retry 410 (MSAL: every 10 s) get through after it."));
        break;
      case FaultConfig::Kind::kMirpOutage:
        say(f.start, "MIRP goes down until " + until + ": certificate rolls due meanwhile fail and are retried every " +
                         retry +
                         "; identities created meanwhile get no certificate, so the token endpoints answer "
                         "400 'Identity not found' for them until MIRP is back.");
        break;
      case FaultConfig::Kind::kCertificateRollFailure:
        say(f.start, "MIRP's certificate rolls for " + listed(f.identities, "identities") + " fail until " + until +
                         "; each failed roll is retried every " + retry +
                         ". Should a certificate expire meanwhile, AAD refuses its identity's token requests (401) "
                         "until a roll succeeds.");
        break;
    }
    if (f.end >= duration) return;
    switch (f.kind) {
      case FaultConfig::Kind::kMirpOutage:
        say(f.end, "MIRP is back: it issues the certificates it owes, and its next retries roll the others.");
        break;
      case FaultConfig::Kind::kCertificateRollFailure:
        say(f.end, "MIRP's rolls for " + listed(f.identities, "identities") +
                       " can succeed again: the next retry renews the certificate.");
        break;
      default:
        say(f.end, where + (endpoint && !one ? " are back." : " is back."));
    }
  }

  /// "Refused: 3 requests naming two selectors at App Service (mutually exclusive), ...": the host
  /// endpoints' and AAD's refusals by reason (docs/model.md, "Other hosts' token endpoints").
  static std::string refusals(const std::map<std::string_view, std::uint64_t>& refused) {
    const auto why = [](std::string_view key) -> std::string {
      if (key == "selectors_exclusive") return " at App Service naming several selectors (they are mutually exclusive)";
      if (key == "no_system_assigned")
        return " at App Service naming no identity where there is no system-assigned one";
      if (key == "arc_user_assigned")
        return " at an Arc server's HIMDS naming an identity (it serves the system-assigned one only)";
      if (key == "no_federated_credential")
        return " by AAD: no federated credential of the identity matches the pod's issuer and subject (AADSTS70021)";
      if (key == "federated_credential_replicating")
        return " by AAD: the matching federated credential was added too recently to have replicated (AADSTS70021)";
      if (key == "assertion_expired") return " by AAD: the pod's service-account token had expired (AADSTS700024)";
      if (key == "probe_timeout") return " as .NET probes that got no answer within their timeout";
      return " (" + std::string(key) + ")";
    };
    std::string out = "Refused: ";
    bool first = true;
    for (const auto& [key, count] : refused) {
      out += (first ? "" : "; ") + counted(count, "request", "requests") + why(key);
      first = false;
    }
    return out + ".";
  }

  /// The events of a run the narration reads: the operations' effects, and (when `certificates`)
  /// the certificate events: expiries, failed rolls and rolls.
  struct RunEvents : EventSink {
    void on_event(const TraceEvent& e) override {
      if (e.kind == EventKind::kOperation) operations.push_back({e.count, e.time});
      if (certificates && e.kind == EventKind::kCertificate) list.push_back({e.time, e.identity, e.status});
    }
    struct Operation {
      std::uint32_t index;  // in the timeline
      SimTime time;         // its effect, or its failure at ARM
    };
    std::vector<Operation> operations;
    bool certificates = false;
    struct Event {
      SimTime time;
      std::uint32_t identity;
      std::uint16_t status;  // 0 expired, 1 issued, 2 rolled, 3 roll failed
    };
    std::vector<Event> list;
  };

  /// Each certificate that expired, and each roll that succeeded after failures.
  void tell_certificates(const RunEvents& events) {
    std::map<std::uint32_t, std::pair<SimTime, std::uint64_t>> failing;  // identity: first failure, count
    for (const RunEvents::Event& e : events.list) {
      const std::string name(simulation_->directory().name(IdentityId(e.identity)));
      if (!focus_.matches(name) && !focus_.matches("mirp")) continue;
      if (e.status == 3) {
        auto [it, first] = failing.try_emplace(e.identity, e.time, 0);
        ++it->second.second;
      } else if (e.status == 0) {
        say(e.time, "the certificate of " + name + " expires" +
                        (failing.count(e.identity) != 0
                             ? ": its rolls have failed since " + format_clock(failing[e.identity].first)
                             : std::string()) +
                        ". AAD refuses " + name +
                        "'s token requests (401) until a roll succeeds; tokens already "
                        "issued keep working until they expire.");
      } else if (e.status == 2 && failing.count(e.identity) != 0) {
        say(e.time, "MIRP rolls the certificate of " + name + " after " +
                        counted(failing[e.identity].second, "failed attempt", "failed attempts") +
                        ": it is valid again, and " + name + "'s token requests succeed.");
        failing.erase(e.identity);
      }
    }
  }

  /// What the calls met: the token path's counts, then per target who was granted throughout and
  /// who was denied, told at the first denial.
  void tell_access() {
    const SimTime now = simulation_->now();
    if (focus_.everything()) {
      const TokenPathStatistics& t = simulation_->token_statistics();
      say(now, "the token path: " + counted(t.calls, "application call", "application calls") + ", " +
                   std::to_string(t.client_cache_hits) + " served from the client's token cache; " +
                   counted(t.acquisitions, "token acquisition", "token acquisitions") + " (" +
                   std::to_string(t.background_refreshes) + " in the background) sent " +
                   counted(t.requests, "request", "requests") + " to the token endpoints (" +
                   std::to_string(t.retries) + " retries, " + std::to_string(t.endpoint_cache_hits) +
                   " answered from the endpoints' caches); " + std::to_string(t.aad_requests) + " reached AAD and " +
                   std::to_string(t.failed_acquisitions) + " acquisitions failed.");
      if (!t.refused.empty()) say(now, refusals(t.refused));
    }
    Grouping<std::pair<ResourceId, AccessOutcome>, const AccessPair*> by_outcome;
    for (const AccessPair& p : simulation_->access_pairs()) {
      if (!concerns(p.resource) && !concerns(p.target)) continue;
      by_outcome.add({p.target, p.denied > 0 ? p.first_denial : AccessOutcome::kGranted}, &p);
    }
    for (const auto& [key, pairs] : by_outcome.groups()) {
      std::vector<EntityRef> resources;
      std::uint64_t granted = 0;
      std::uint64_t denied = 0;
      SimTime first = kForever;
      SimTime last = 0;
      for (const AccessPair* p : pairs) {
        resources.emplace_back(p->resource);
        granted += p->granted;
        denied += p->denied;
        first = std::min(first, p->first_denied);
        last = std::max(last, p->first_denied);
      }
      const std::string who = group(d_, resources, max_);
      const std::string target(d_.name(key.first));
      const std::string tally =
          " (" + std::to_string(granted) + " calls granted, " + std::to_string(denied) + " denied)";
      if (key.second == AccessOutcome::kGranted) {
        say(now, who + verb(resources.size(), " was", " were") + " granted every call to " + target + tally + ".");
        continue;
      }
      say(first, who + verb(resources.size(), " is", " are") + " denied by " + target + " for the first time (" +
                     std::string(to_string(key.second)) + ")" +
                     (last > first ? ", the last of them at " + format_clock(last) : "") + tally + ".");
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
    const auto& faults = s_.simulation.token_path.faults;
    return std::any_of(stages_.begin(), stages_.end(), [&](const StageView& st) { return in_focus(st); }) ||
           std::any_of(faults.begin(), faults.end(), [&](const FaultConfig& f) { return concerns(f); }) ||
           (focus_.name() == "arm" && arm_can_delay());
  }

  const Scenario& s_;
  std::size_t max_;
  Focus focus_;
  Directory d_;
  std::vector<NarrationLine> lines_;
  /// Built at the start for the stations' settings; run at the end for their statistics.
  std::unique_ptr<Simulation> simulation_;
  std::vector<StageView> stages_;
  RunEvents run_events_;
  std::vector<OperationEffect> effects_;
  bool ran_ = false;
  /// The run came before the timeline was told, which is then told at the effect times.
  bool arm_ran_ = false;
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
