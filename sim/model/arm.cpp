// ARM between the timeline and the directory (arm.hpp; docs/model.md, "ARM").
#include "arm.hpp"

#include <algorithm>
#include <cmath>

namespace misim {

namespace {
// The stream of ARM's latency draws, its own so that no other stream's draws move (random.hpp).
constexpr std::uint64_t kPurposeArmLatency = purpose("arm.latency");
// Window keys: the limit class and level above the (scope + 1, region) key of ArmRequest.
constexpr int kClassShift = 60;
constexpr std::uint64_t kTenantLevel = 1ULL << 59;
constexpr int kScopeShift = 16;

std::uint64_t window_key(std::uint32_t scope, std::uint32_t region) {
  return ((static_cast<std::uint64_t>(scope) + 1) << kScopeShift) | region;
}
}  // namespace

// ---- ArmScopes ---------------------------------------------------------------------------------

ArmScopes::ArmScopes(const std::vector<TimedOperation>& timeline, const std::vector<AadRegionConfig>& regions,
                     const ArmLimits& limits)
    : attachments_counted_(limits.assignments == ArmAssignments::kIdentityAttachments) {
  const auto limited = [&](const DirectoryOperation& op) {
    switch (op.kind) {
      case OperationKind::kCreateUserAssigned:
      case OperationKind::kEnableSystemAssigned:
      case OperationKind::kAssignRole:
      case OperationKind::kUnassignRole:
        return true;
      case OperationKind::kCreateResource:
        return op.system_assigned;
      case OperationKind::kAttach:
        return limits.assignments == ArmAssignments::kIdentityAttachments;
      default:
        return false;
    }
  };
  if (std::none_of(timeline.begin(), timeline.end(), [&](const TimedOperation& t) { return limited(t.operation); }))
    return;
  for (const TimedOperation& t : timeline) {
    const DirectoryOperation& op = t.operation;
    if (op.kind == OperationKind::kCreateResource || op.kind == OperationKind::kCreateUserAssigned) {
      created_in_.emplace(op.subject, op.target);
    }
  }
  for (std::size_t r = 0; r < regions.size(); ++r) {
    for (const std::string& name : regions[r].resources) region_.emplace(name, static_cast<std::uint32_t>(r));
  }
}

std::uint32_t ArmScopes::region_of(std::string_view name) const {
  if (region_.empty()) return 0;
  auto it = region_.find(name);
  return it == region_.end() ? 0 : it->second;
}

bool ArmScopes::place(const Directory& dir, std::string_view name, std::uint32_t& subscription, std::uint32_t& tenant,
                      int depth) const {
  if (depth > 4) return false;
  if (const std::optional<EntityRef> ref = dir.find(name)) {
    tenant = dir.tenant_of(*ref).index();
    switch (ref->kind) {
      case EntityKind::kTenant:
        subscription = UINT32_MAX;  // a tenant-wide scope: counted per tenant only
        return true;
      case EntityKind::kSubscription:
        subscription = ref->index;
        return true;
      case EntityKind::kResourceGroup:
        subscription = dir.resource_group(ref->as<ResourceGroupId>()).subscription.index();
        return true;
      case EntityKind::kResource:
        subscription = dir.resource_group(dir.resource(ref->as<ResourceId>()).group).subscription.index();
        return true;
      case EntityKind::kIdentity: {
        const Identity& id = dir.identity(ref->as<IdentityId>());
        if (id.kind == IdentityKind::kUserAssigned) {
          subscription = dir.resource_group(id.group).subscription.index();
        } else if (id.kind == IdentityKind::kSystemAssigned) {
          subscription = dir.resource_group(dir.resource(id.resource).group).subscription.index();
        } else {
          subscription = UINT32_MAX;  // a service principal belongs to its tenant
        }
        return true;
      }
      case EntityKind::kRoleAssignment:
        return false;
    }
    return false;
  }
  auto it = created_in_.find(name);
  return it != created_in_.end() && place(dir, it->second, subscription, tenant, depth + 1);
}

ArmRequest ArmScopes::classify(const Directory& dir, const DirectoryOperation& op) const {
  ArmRequest r;
  std::string_view where;    // the name that places the operation
  std::string_view located;  // the resource whose region it counts in
  switch (op.kind) {
    case OperationKind::kCreateUserAssigned:
      r.limit = ArmLimitClass::kIdentityCreation;
      where = op.target;
      break;
    case OperationKind::kCreateResource:
      if (!op.system_assigned) return r;
      r.limit = ArmLimitClass::kIdentityCreation;
      where = op.target;
      located = op.subject;
      break;
    case OperationKind::kEnableSystemAssigned:
      r.limit = ArmLimitClass::kIdentityCreation;
      where = located = op.subject;
      break;
    case OperationKind::kAssignRole:
    case OperationKind::kUnassignRole:
      r.limit = ArmLimitClass::kRoleAssignment;
      where = located = op.target;
      break;
    case OperationKind::kAttach:
      if (!attachments_counted_) return r;
      r.limit = ArmLimitClass::kAttachment;
      where = located = op.subject;
      break;
    default:
      return r;
  }
  std::uint32_t subscription = UINT32_MAX;
  std::uint32_t tenant = 0;  // unknown names count in the first tenant (the directory will refuse them)
  (void)place(dir, where, subscription, tenant, 0);
  std::uint32_t region = located.empty() ? 0 : region_of(located);
  // A resource created inside a listed parent (a scale set's instance) counts in its parent's region.
  if (region == 0 && op.kind == OperationKind::kCreateResource) region = region_of(op.target);
  if (subscription != UINT32_MAX) r.subscription_window = window_key(subscription, region);
  r.tenant_window = window_key(tenant, region);
  return r;
}

// ---- Arm ---------------------------------------------------------------------------------------

Arm::Arm(Engine& engine, const ArmConfig& config, std::uint64_t seed, Recorder& recorder, std::uint32_t first_fault,
         std::size_t operations, Answer answer)
    : engine_(engine),
      config_(config),
      latency_(seed, 0, kPurposeArmLatency),
      recorder_(recorder),
      first_fault_(first_fault),
      answer_(std::move(answer)),
      instant_(config.latency.kind() == DistributionKind::kConstant && config.latency.mean() <= 0.0) {
  ops_.resize(operations);
  for (std::uint32_t i = 0; i < config_.outages.size(); ++i) schedule_outage(i);
}

void Arm::schedule_outage(std::uint32_t index) {
  const ArmOutage& o = config_.outages[index];
  const auto mark = [this, index](std::uint16_t begins) {
    TraceEvent e;
    e.kind = EventKind::kFault;
    e.time = e.begin = engine_.now();
    e.count = first_fault_ + index;
    e.status = begins;
    e.station = kNoStation;  // ARM is no queueing station of the model
    recorder_.emit(e);
  };
  engine_.schedule_at(o.start, [this, index, mark] {
    ++(config_.outages[index].timeouts ? silent_ : errors_);
    mark(1);
  });
  engine_.schedule_at(o.end, [this, index, mark] {
    mark(0);
    if (--(config_.outages[index].timeouts ? silent_ : errors_) > 0 || silent_ > 0) return;
    // ARM answers again: the operations the issuer kept retrying get through, in issue order.
    std::vector<std::uint32_t> held = std::move(held_);
    held_.clear();
    for (const std::uint32_t op : held) arrive(op);
  });
}

std::vector<std::string> Arm::describe_outages() const {
  std::vector<std::string> out;
  for (const ArmOutage& o : config_.outages) {
    out.push_back("ARM outage from " + format_clock(o.start) + " to " + format_clock(o.end) +
                  (o.timeouts ? " (no answers: operations wait for its end)" : " (operations fail)"));
  }
  return out;
}

void Arm::submit(std::uint32_t op, const ArmRequest& request) {
  Operation& o = ops_[op];
  o.issued = engine_.now();
  o.request = request;
  ++stats_.operations;
  arrive(op);
}

void Arm::arrive(std::uint32_t op) {
  const SimTime now = engine_.now();
  if (errors_ > 0) {
    finish(op, false);
    return;
  }
  if (silent_ > 0) {
    ++stats_.held_by_outages;
    held_.push_back(op);
    return;
  }
  Operation& o = ops_[op];
  if (o.request.limit != ArmLimitClass::kNone) {
    if (const SimTime wait = wait_for_window(o.request, now); wait > 0) {
      // 429 with Retry-After in whole seconds (ARM's header counts seconds: learn:
      // azure/azure-resource-manager/management/request-limits-and-throttling); the issuer waits
      // that long and sends the operation again.
      const SimTime retry_after = (wait + kSecond - 1) / kSecond * kSecond;
      if (o.throttles++ == 0) {
        ++stats_.throttled_operations;
        o.first_throttled = now;
      }
      ++stats_.throttled;
      engine_.schedule_after(retry_after, [this, op] { arrive(op); });
      return;
    }
    admit(o.request, now);
    if (o.throttles > 0) stats_.throttle_delay += now - o.first_throttled;  // what the 429s added
  }
  if (instant_) {
    finish(op, true);
    return;
  }
  const auto latency = static_cast<SimTime>(std::llround(config_.latency.sample(latency_)));
  o.effect_at = now + std::max<SimTime>(latency, 0);
  o.effect_sequence = ++sequence_;
  engine_.schedule_at(o.effect_at, [this, op] { finish(op, true); });
}

std::uint32_t Arm::limit(ArmLimitClass c, bool tenant) const noexcept {
  const ArmLimits& l = config_.limits;
  if (c == ArmLimitClass::kIdentityCreation)
    return tenant ? l.identity_creations_per_tenant_region : l.identity_creations_per_subscription_region;
  // The "assignment" limits count one of the two classes (ArmAssignments).
  const bool counted = (c == ArmLimitClass::kRoleAssignment && l.assignments == ArmAssignments::kRoleAssignments) ||
                       (c == ArmLimitClass::kAttachment && l.assignments == ArmAssignments::kIdentityAttachments);
  if (counted) return tenant ? l.assignments_per_tenant_region : l.assignments_per_subscription_region;
  return 0;
}

SimTime Arm::wait_for_window(const ArmRequest& r, SimTime now) {
  SimTime wait = 0;
  for (const bool tenant : {false, true}) {
    const std::uint64_t key = tenant ? r.tenant_window : r.subscription_window;
    const std::uint32_t n = limit(r.limit, tenant);
    if (key == 0 || n == 0) continue;
    auto it = windows_.find((static_cast<std::uint64_t>(r.limit) << kClassShift) | (tenant ? kTenantLevel : 0) | key);
    if (it == windows_.end() || it->second.times.size() < n) continue;
    // Full: the window admits one more when its oldest of the last n admissions leaves it (a
    // window counts the admissions in (now - window, now]).
    const SimTime leaves = it->second.times[it->second.oldest] + config_.limits.window;
    if (leaves > now) wait = std::max(wait, leaves - now);
  }
  return wait;
}

void Arm::admit(const ArmRequest& r, SimTime now) {
  for (const bool tenant : {false, true}) {
    const std::uint64_t key = tenant ? r.tenant_window : r.subscription_window;
    const std::uint32_t n = limit(r.limit, tenant);
    if (key == 0 || n == 0) continue;
    Window& w = windows_[(static_cast<std::uint64_t>(r.limit) << kClassShift) | (tenant ? kTenantLevel : 0) | key];
    if (w.times.size() < n) {
      w.times.push_back(now);
    } else {
      w.times[w.oldest] = now;
      w.oldest = (w.oldest + 1) % n;
    }
  }
}

void Arm::finish(std::uint32_t op, bool ok) {
  Operation& o = ops_[op];
  const SimTime now = engine_.now();
  if (ok) {
    ++stats_.effects;
  } else {
    ++stats_.failed;
  }
  stats_.delay.record(static_cast<double>(now - o.issued));
  answer_(op, ok);
}

bool Arm::effect_follows(std::uint32_t op, std::uint32_t next) const noexcept {
  if (next >= ops_.size()) return false;
  const Operation& a = ops_[op];
  const Operation& b = ops_[next];
  if (a.effect_sequence == 0) return b.effect_sequence == 0 && passes_at_once();  // both answered at once
  return b.effect_sequence == a.effect_sequence + 1 && b.effect_at == a.effect_at;
}

}  // namespace misim
