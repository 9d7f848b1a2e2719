// The token path's flow. Sources of every rule: docs/model.md ("The token path").
#include "token_path.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <utility>

namespace misim {

namespace {

// Fingerprint record kinds of the token path (the station and timeline use 1-3).
enum : std::uint64_t { kRecordAnswer = 10, kRecordAccess = 11, kRecordRawDeparture = 12 };

constexpr std::uint64_t kPurposeCalls = purpose("token.calls");
constexpr std::uint64_t kPurposeEndpointLatency = purpose("endpoint.latency");
constexpr std::uint64_t kPurposePropagation = purpose("propagation");
constexpr std::uint64_t kPurposeAadService = purpose("aad.service");
constexpr std::uint64_t kPurposeCertificateAge = purpose("mirp.certificate_age");

constexpr int kOk = 200;
constexpr int kBadRequest = 400;
constexpr int kUnauthorized = 401;
constexpr int kTooManyRequests = 429;
constexpr int kServiceUnavailable = 503;

SimTime to_time(double ns) { return ns > 0.0 ? std::llround(ns) : 0; }

std::uint64_t cache_key(ResourceId host, IdentityId identity, std::uint32_t audience) {
  // 28 bits of host, 28 of identity, 8 of audience: ample for a fleet (268M entities, 256 audiences).
  return (static_cast<std::uint64_t>(host.index()) << 36) ^ (static_cast<std::uint64_t>(identity.index()) << 8) ^
         audience;
}

/// The data action a call performs on a target of this type unless the workload says otherwise.
std::string default_data_action(std::string_view type) {
  if (type == "key_vault") return "Microsoft.KeyVault/vaults/secrets/getSecret/action";
  if (type == "storage_account") return "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";
  if (type == "sql_database") return "Microsoft.Sql/servers/databases/query/action";
  return std::string(type) + "/read";
}

}  // namespace

std::string_view to_string(AccessOutcome outcome) noexcept {
  switch (outcome) {
    case AccessOutcome::kGranted:
      return "granted";
    case AccessOutcome::kNoToken:
      return "no token";
    case AccessOutcome::kTokenExpired:
      return "token expired";
    case AccessOutcome::kWrongAudience:
      return "wrong audience";
    case AccessOutcome::kNoRoleAssignment:
      return "no role assignment";
    case AccessOutcome::kTargetGone:
      return "target gone";
  }
  return "unknown";
}

Result<std::unique_ptr<TokenPath>> TokenPath::create(Engine& engine, Directory& directory,
                                                     const TokenPathConfig& config, std::uint64_t seed, SimTime warmup,
                                                     Fingerprint& fingerprint) {
  std::unique_ptr<TokenPath> path(new TokenPath(engine, directory, config, seed, warmup, fingerprint));
  TokenPath& p = *path;
  // Resolve the workloads: profiles, audiences, selectors, and one slot per calling resource.
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> pair_index;
  for (std::size_t w = 0; w < config.calls.size(); ++w) {
    const CallWorkloadConfig& c = config.calls[w];
    const std::string where = "workload '" + c.name + "': ";
    const ClientProfile* profile = nullptr;
    for (const ClientProfile& cp : p.profiles_) {
      if (cp.name == c.client) profile = &cp;
    }
    if (profile == nullptr) return Error{where + "unknown client profile '" + c.client + "'", {}};
    Result<ResourceId> target = directory.lookup_resource(c.target);
    if (!target) return Error{where + target.error().message, {}};
    const ResourceTypeInfo& target_type = directory.type_of(*target);
    if (!target_type.target)
      return Error{where + "'" + c.target + "' (" + target_type.name + ") is not a data-plane target", {}};
    const std::string audience = c.audience.empty() ? target_type.audience : c.audience;
    auto found = std::find(p.audiences_.begin(), p.audiences_.end(), audience);
    if (found == p.audiences_.end()) found = p.audiences_.insert(p.audiences_.end(), audience);
    Workload wl{profile,
                IdentitySelector::none(),
                static_cast<std::uint32_t>(found - p.audiences_.begin()),
                c.data_action.empty() ? default_data_action(target_type.name) : c.data_action,
                c.stop,
                c.rate_per_second > 0 ? 1e9 / c.rate_per_second : 0.0,
                c.poisson};
    if (!c.identity.empty()) {
      Result<IdentityId> id = directory.lookup_principal(c.identity);
      if (!id) return Error{where + id.error().message, {}};
      wl.selector = IdentitySelector::by_client_id(directory.identity(*id).client_id);
    }
    p.workloads_.push_back(wl);
    for (const std::string& from : c.from) {
      Result<ResourceId> host = directory.lookup_resource(from);
      if (!host) return Error{where + host.error().message, {}};
      const auto key = std::pair{host->index(), target->index()};
      auto [it, inserted] = pair_index.emplace(key, static_cast<std::uint32_t>(p.pairs_.size()));
      if (inserted) p.pairs_.push_back(AccessPair{*host, *target});
      const std::uint64_t stream_entity = (static_cast<std::uint64_t>(w) << 32) | host->index();
      p.slots_.push_back(Slot{static_cast<std::uint32_t>(w),
                              *host,
                              *target,
                              it->second,
                              kNone,
                              0,
                              {},
                              0,
                              -1,
                              kForever,
                              0,
                              RandomStream(seed, stream_entity, kPurposeCalls)});
    }
  }
  for (std::uint32_t s = 0; s < p.slots_.size(); ++s) {
    const CallWorkloadConfig& c = config.calls[p.slots_[s].workload];
    if (p.workloads_[p.slots_[s].workload].mean_gap_ns <= 0.0 || c.start >= c.stop) continue;
    engine.schedule_at(c.start, [&p, s] { p.schedule_call(s); });
  }
  p.stats_.endpoint.hosts = std::max<std::size_t>(1, [&] {
    std::vector<std::uint32_t> hosts;
    for (const Slot& s : p.slots_) hosts.push_back(s.host.index());
    std::sort(hosts.begin(), hosts.end());
    return static_cast<std::size_t>(std::unique(hosts.begin(), hosts.end()) - hosts.begin());
  }());
  return path;
}

TokenPath::TokenPath(Engine& engine, Directory& directory, const TokenPathConfig& config, std::uint64_t seed,
                     SimTime warmup, Fingerprint& fingerprint)
    : engine_(engine),
      directory_(directory),
      config_(config),
      seed_(seed),
      fingerprint_(fingerprint),
      endpoint_latency_(seed, 0, kPurposeEndpointLatency),
      propagation_(seed, 0, kPurposePropagation) {
  for (std::string_view name : builtin_client_profile_names()) profiles_.push_back(*builtin_client_profile(name));
  for (const ClientProfile& p : config_.custom_profiles) profiles_.push_back(p);
  for (std::size_t r = 0; r < config_.aad.regions.size(); ++r) {
    const AadRegionConfig& rc = config_.aad.regions[r];
    StationConfig sc{rc.servers, rc.queue_capacity, rc.latency, warmup};
    Region region;
    region.station = std::make_unique<Station>(engine_, "aad." + rc.name, sc, RandomStream(seed, r, kPurposeAadService),
                                               [this](const StationVisit& v) { on_aad_done(v); });
    region.bucket = rc.throttle_rate_per_second;
    aad_.push_back(std::move(region));
  }
  stats_.endpoint.max_concurrent = config_.imds.max_concurrent;
  stats_.endpoint.in_flight = TimeWeighted(engine_.now());
  track_new_entities(/*before_run=*/true);
  for (const FaultConfig& f : config_.faults) {
    for (std::size_t r = 0; r < aad_.size(); ++r) {
      if (!f.region.empty() && f.region != config_.aad.regions[r].name) continue;
      engine_.schedule_at(f.start, [this, r] { ++aad_[r].outages; });
      engine_.schedule_at(f.end, [this, r] { --aad_[r].outages; });
    }
  }
}

void TokenPath::track_new_entities(bool before_run) {
  const SimTime now = engine_.now();
  // Identities: MIRP issues a certificate at creation (azure-facts.md:43) and the identity
  // replicates to the endpoints after a delay (azure-facts.md:57). Those that exist before the run
  // are replicated already, and their certificates are of every age up to the roll time, so rolls
  // spread over time rather than all falling on one day.
  const std::size_t identities = directory_.count(EntityKind::kIdentity);
  while (cert_expires_.size() < identities) {
    if (before_run) {
      RandomStream age(seed_, cert_expires_.size(), kPurposeCertificateAge);
      const SimTime issued = -to_time(age.uniform01() * static_cast<double>(config_.mirp.cert_roll_after));
      cert_expires_.push_back(issued + config_.mirp.cert_validity);
      replicated_at_.push_back(-1);
    } else {
      cert_expires_.push_back(now + config_.mirp.cert_validity);
      replicated_at_.push_back(now + to_time(config_.propagation.identity_replication.sample(propagation_)));
    }
    assignments_of_.emplace_back();
  }
  // Role assignments become visible to targets after the RBAC propagation delay (azure-facts.md:37)
  // and removed ones stop being visible after it; those that exist before the run are visible.
  const std::size_t assignments = directory_.count(EntityKind::kRoleAssignment);
  while (visible_from_.size() < assignments) {
    const auto id = static_cast<std::uint32_t>(visible_from_.size());
    visible_from_.push_back(before_run ? -1 : now + to_time(config_.propagation.rbac_delay.sample(propagation_)));
    visible_until_.push_back(kForever);
    const RoleAssignment& ra = directory_.role_assignment(RoleAssignmentId(id));
    assignments_of_[ra.principal.index()].push_back(id);
  }
  // A removal is found by scanning every assignment: the directory reports no events. This runs
  // once per timeline operation, so it is linear in the estate per operation (noted for the
  // fleet-scale issue).
  for (std::size_t a = 0; a < visible_until_.size(); ++a) {
    const Lifetime& life = directory_.role_assignment(RoleAssignmentId(static_cast<std::uint32_t>(a))).life;
    if (!life.alive() && visible_until_[a] == kForever) {
      visible_until_[a] = life.deleted_at + to_time(config_.propagation.rbac_delay.sample(propagation_));
    }
  }
}

void TokenPath::on_directory_changed() { track_new_entities(/*before_run=*/false); }

TokenPath::Host& TokenPath::host(ResourceId id) {
  if (id.index() >= hosts_.size()) hosts_.resize(id.index() + 1);
  Host& h = hosts_[id.index()];
  if (!h.initialised) {
    h.bucket = config_.imds.rate_limit_per_second;
    h.bucket_time = engine_.now();
    h.initialised = true;
  }
  return h;
}

std::size_t TokenPath::region_of(ResourceId host) const {
  // Until resources carry a region, hosts are spread over the regions by id.
  return host.index() % aad_.size();
}

void TokenPath::schedule_call(std::uint32_t s) {
  Slot& slot = slots_[s];
  const Workload& w = workloads_[slot.workload];
  const double gap = w.poisson ? -w.mean_gap_ns * std::log(slot.arrivals.uniform_open0()) : w.mean_gap_ns;
  const SimTime at = engine_.now() + std::max<SimTime>(1, to_time(gap));
  if (at >= w.stop) return;
  engine_.schedule_at(at, [this, s] { on_call(s); });
}

void TokenPath::on_call(std::uint32_t s) {
  Slot& slot = slots_[s];
  // An application stops calling when its host is deleted.
  if (!directory_.resource(slot.host).life.alive()) return;
  schedule_call(s);
  ++stats_.calls;
  const Workload& w = workloads_[slot.workload];
  const SimTime now = engine_.now();
  if (w.profile->caches_tokens && now < slot.token_expires) {
    ++stats_.client_cache_hits;
    present(slot, 1);
    // Proactive refresh: the cached token is still used while a refresh runs in the background
    // (azure-facts.md:26, :27).
    if (now >= slot.refresh_at && slot.acquisition == kNone && now >= slot.next_refresh_try) {
      ++stats_.background_refreshes;
      start_acquisition(s, true);
    }
    return;
  }
  ++slot.waiting;
  if (slot.acquisition == kNone) start_acquisition(s, false);
}

std::uint32_t TokenPath::new_acquisition(std::uint32_t slot, bool background) {
  std::uint32_t a = free_acquisition_;
  if (a == kNone) {
    a = static_cast<std::uint32_t>(acquisitions_.size());
    acquisitions_.push_back({});
  } else {
    free_acquisition_ = acquisitions_[a].next_free;
  }
  acquisitions_[a] = Acquisition{slot, {}, engine_.now(), engine_.now(), 0, kNone, background, false};
  return a;
}

void TokenPath::free_acquisition(std::uint32_t a) {
  acquisitions_[a].next_free = free_acquisition_;
  free_acquisition_ = a;
}

void TokenPath::start_acquisition(std::uint32_t s, bool background) {
  ++stats_.acquisitions;
  const std::uint32_t a = new_acquisition(s, background);
  slots_[s].acquisition = a;
  send_to_endpoint(a);
}

void TokenPath::send_to_endpoint(std::uint32_t a) {
  Acquisition& acq = acquisitions_[a];
  Slot& slot = slots_[acq.slot];
  const Workload& w = workloads_[slot.workload];
  const SimTime now = engine_.now();
  acq.attempt_started = now;
  ++stats_.requests;
  ++stats_.endpoint.arrivals;
  Host& h = host(slot.host);
  // The identity category's limits (azure-facts.md:16): a token bucket of one second's requests,
  // and concurrent requests; beyond either, 429 at once.
  const double rate = config_.imds.rate_limit_per_second;
  h.bucket = std::min(rate, h.bucket + rate * to_seconds(now - h.bucket_time));
  h.bucket_time = now;
  if (h.bucket < 1.0 || h.in_flight >= config_.imds.max_concurrent) {
    ++stats_.endpoint.rejected;
    client_receives(a, kTooManyRequests, 0);
    return;
  }
  h.bucket -= 1.0;
  ++h.in_flight;
  acq.holds_endpoint = true;
  stats_.endpoint.in_flight.add(now, 1.0);
  const SimTime latency = to_time(config_.imds.latency.sample(endpoint_latency_));
  // Identity selection (azure-facts.md:19, :20, :51) and replication of new identities (:57).
  const IdentitySelection selection = directory_.select_identity(slot.host, w.selector);
  if (!selection.ok() || replicated_at_[selection.identity.index()] > now) {
    engine_.schedule_after(latency, [this, a] { endpoint_answers(a, kBadRequest, 0); });
    return;
  }
  acq.identity = selection.identity;
  if (config_.imds.caches_tokens) {
    auto it = endpoint_cache_.find(cache_key(slot.host, acq.identity, w.audience));
    if (it != endpoint_cache_.end() && it->second.expires - now > config_.imds.cache_margin) {
      ++stats_.endpoint_cache_hits;
      engine_.schedule_after(latency, [this, a] { endpoint_answers(a, kOk, 0); });
      return;
    }
  }
  engine_.schedule_after(latency, [this, a] { forward_to_aad(a); });
}

void TokenPath::forward_to_aad(std::uint32_t a) {
  const Slot& slot = slots_[acquisitions_[a].slot];
  Region& region = aad_[region_of(slot.host)];
  const AadRegionConfig& rc = config_.aad.regions[region_of(slot.host)];
  const SimTime now = engine_.now();
  ++stats_.aad_requests;
  if (region.outages > 0) {
    endpoint_answers(a, kServiceUnavailable, 0);
    return;
  }
  if (rc.throttle_rate_per_second > 0.0) {
    region.bucket = std::min(rc.throttle_rate_per_second,
                             region.bucket + rc.throttle_rate_per_second * to_seconds(now - region.bucket_time));
    region.bucket_time = now;
    if (region.bucket < 1.0) {
      endpoint_answers(a, kTooManyRequests, config_.aad.retry_after);
      return;
    }
    region.bucket -= 1.0;
  }
  if (!region.station->arrive(a)) endpoint_answers(a, kServiceUnavailable, 0);
}

bool TokenPath::arrive_at_aad(std::uint64_t tag) { return aad_.front().station->arrive(tag | kRawCustomer); }

void TokenPath::on_aad_done(const StationVisit& visit) {
  // A customer of a plain stage workload (`stage: aad`), not a token request: nothing to answer.
  if ((visit.tag & kRawCustomer) != 0) {
    ++raw_completed_;
    fingerprint_.add({kRecordRawDeparture, visit.tag & ~kRawCustomer, static_cast<std::uint64_t>(visit.arrival),
                      static_cast<std::uint64_t>(visit.service_start), static_cast<std::uint64_t>(visit.departure)});
    return;
  }
  const auto a = static_cast<std::uint32_t>(visit.tag);
  Acquisition& acq = acquisitions_[a];
  const Slot& slot = slots_[acq.slot];
  const SimTime now = engine_.now();
  if (!directory_.identity(acq.identity).life.alive()) {
    endpoint_answers(a, kBadRequest, 0);  // the identity was deleted while the request was in flight
    return;
  }
  if (!certificate_valid(acq.identity)) {
    endpoint_answers(a, kUnauthorized, 0);
    return;
  }
  if (aad_[region_of(slot.host)].outages > 0) {  // the outage began while the request was in service
    endpoint_answers(a, kServiceUnavailable, 0);
    return;
  }
  ++stats_.tokens_issued;
  endpoint_cache_[cache_key(slot.host, acq.identity, workloads_[slot.workload].audience)] =
      CachedToken{now, now + config_.aad.token_lifetime};
  endpoint_answers(a, kOk, 0);
}

void TokenPath::endpoint_answers(std::uint32_t a, int status, SimTime retry_after) {
  Acquisition& acq = acquisitions_[a];
  const SimTime now = engine_.now();
  if (acq.holds_endpoint) {
    acq.holds_endpoint = false;
    --host(slots_[acq.slot].host).in_flight;
    stats_.endpoint.in_flight.add(now, -1.0);
    ++stats_.endpoint.completed;
    stats_.endpoint.latency.record(static_cast<double>(now - acq.attempt_started));
  }
  client_receives(a, status, retry_after);
}

void TokenPath::client_receives(std::uint32_t a, int status, SimTime retry_after) {
  Acquisition& acq = acquisitions_[a];
  Slot& slot = slots_[acq.slot];
  const ClientProfile& profile = *workloads_[slot.workload].profile;
  const SimTime now = engine_.now();
  ++stats_.by_status[status];
  fingerprint_.add({kRecordAnswer, acq.slot, static_cast<std::uint64_t>(status), static_cast<std::uint64_t>(now)});
  if (status == kOk) {
    const CachedToken& token =
        endpoint_cache_.at(cache_key(slot.host, acq.identity, workloads_[slot.workload].audience));
    slot.token_identity = acq.identity;
    slot.token_issued = token.issued;
    slot.token_expires = token.expires;
    slot.refresh_at = profile.refresh_at(now, token.expires);
    stats_.acquisition_latency.record(static_cast<double>(now - acq.started));
    slot.acquisition = kNone;
    free_acquisition(a);
    const std::uint32_t waiting = std::exchange(slot.waiting, 0);
    if (waiting > 0) present(slot, waiting);
    return;
  }
  if (std::optional<SimTime> delay = profile.retry_delay(status, acq.retries)) {
    SimTime wait = *delay;
    if (profile.honours_retry_after && retry_after > wait) wait = retry_after;
    ++acq.retries;
    ++stats_.retries;
    engine_.schedule_after(wait, [this, a] { send_to_endpoint(a); });
    return;
  }
  // Given up. A failed background refresh does not fail callers while the old token is valid
  // (azure-facts.md:26, :27); it is tried again on a later call.
  ++stats_.failed_acquisitions;
  stats_.acquisition_latency.record(static_cast<double>(now - acq.started));
  slot.acquisition = kNone;
  slot.next_refresh_try = now + profile.min_refresh_interval;
  free_acquisition(a);
  const std::uint32_t waiting = std::exchange(slot.waiting, 0);
  if (waiting == 0) return;
  if (profile.caches_tokens && now < slot.token_expires) {
    present(slot, waiting);
  } else {
    record(slot, AccessOutcome::kNoToken, waiting);
  }
}

void TokenPath::present(Slot& slot, std::uint32_t calls) { record(slot, check_at_target(slot), calls); }

AccessOutcome TokenPath::check_at_target(const Slot& slot) const {
  const SimTime now = engine_.now();
  if (!directory_.resource(slot.target).life.alive()) return AccessOutcome::kTargetGone;
  // A token stays valid until it expires, even after its identity is deleted (azure-facts.md:49).
  if (now >= slot.token_expires) return AccessOutcome::kTokenExpired;
  const Workload& w = workloads_[slot.workload];
  if (audiences_[w.audience] != directory_.type_of(slot.target).audience) return AccessOutcome::kWrongAudience;
  return rbac_permits(slot.token_identity, slot.target, w.data_action) ? AccessOutcome::kGranted
                                                                       : AccessOutcome::kNoRoleAssignment;
}

bool TokenPath::rbac_permits(IdentityId principal, ResourceId target, const std::string& action) const {
  // The assignments the target sees now: made at least a propagation delay ago, and not removed
  // more than one ago (azure-facts.md:37). An orphaned assignment still names the principal's
  // object id, so tokens issued before the deletion keep working (azure-facts.md:49).
  const SimTime now = engine_.now();
  const Resource& t = directory_.resource(target);
  const ResourceGroupId group = t.group;
  const SubscriptionId subscription = directory_.resource_group(group).subscription;
  const TenantId tenant = directory_.subscription(subscription).tenant;
  for (const std::uint32_t a : assignments_of_[principal.index()]) {
    if (now < visible_from_[a] || now >= visible_until_[a]) continue;
    const RoleAssignment& ra = directory_.role_assignment(RoleAssignmentId(a));
    const EntityRef scope = ra.scope;
    const bool contains = scope == EntityRef(target) || scope == EntityRef(group) || scope == EntityRef(subscription) ||
                          scope == EntityRef(tenant) || (t.parent.valid() && scope == EntityRef(t.parent));
    if (contains && directory_.roles().role(ra.role).permits_data_action(action)) return true;
  }
  return false;
}

bool TokenPath::certificate_valid(IdentityId identity) const {
  // MIRP rolls certificates after 45 days (azure-facts.md:42); faults that stop rolls come later,
  // so a certificate of a live identity is renewed in time and only its validity window matters.
  const SimTime now = engine_.now();
  SimTime expires = cert_expires_[identity.index()];
  while (expires - config_.mirp.cert_validity + config_.mirp.cert_roll_after <= now) {
    expires += config_.mirp.cert_roll_after;
  }
  return now < expires;
}

void TokenPath::record(Slot& slot, AccessOutcome outcome, std::uint32_t calls) {
  AccessPair& p = pairs_[slot.pair];
  const SimTime now = engine_.now();
  if (outcome == AccessOutcome::kGranted) {
    p.granted += calls;
    p.first_granted = std::min(p.first_granted, now);
    p.last_granted = now;
  } else {
    if (p.denied == 0) p.first_denial = outcome;
    p.denied += calls;
    p.first_denied = std::min(p.first_denied, now);
    p.last_denied = now;
  }
  fingerprint_.add(
      {kRecordAccess, slot.pair, static_cast<std::uint64_t>(outcome), calls, static_cast<std::uint64_t>(now)});
}

}  // namespace misim
