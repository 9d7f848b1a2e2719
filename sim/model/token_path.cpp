// The token path's flow. Sources of every rule: docs/model.md ("The token path").
#include "token_path.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <utility>

#include "misim/huge_pages.hpp"
#include "station_events.hpp"

namespace misim {

namespace {

constexpr std::uint64_t kPurposeCalls = purpose("token.calls");
constexpr std::uint64_t kPurposeEndpointLatency = purpose("endpoint.latency");
constexpr std::uint64_t kPurposePropagation = purpose("propagation");
constexpr std::uint64_t kPurposeAadService = purpose("aad.service");
constexpr std::uint64_t kPurposeCertificateAge = purpose("mirp.certificate_age");
constexpr std::uint64_t kPurposeFaults = purpose("faults");

constexpr int kOk = 200;
constexpr int kBadRequest = 400;
constexpr int kUnauthorized = 401;
constexpr int kNotFound = 404;        // an endpoint updating (azure-facts.md:17)
constexpr int kRequestTimeout = 408;  // no answer within the client's request timeout
constexpr int kGone = 410;
constexpr int kTooManyRequests = 429;
constexpr int kInternalServerError = 500;
constexpr int kServiceUnavailable = 503;

SimTime to_time(double ns) { return ns > 0.0 ? round_ns(ns) : 0; }

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
                                                     SimTime horizon, Recorder& recorder,
                                                     std::uint64_t& next_request_id) {
  std::unique_ptr<TokenPath> path(
      new TokenPath(engine, directory, config, seed, warmup, horizon, recorder, next_request_id));
  TokenPath& p = *path;
  std::size_t callers = 0;
  for (const CallWorkloadConfig& c : config.calls) callers += c.from.size();
  p.slots_.reserve(callers);  // a fleet's millions of slots grow once, not by doubling
  p.pairs_.reserve(callers);
  p.pair_index_.reserve(callers);
  p.hosts_.reserve(directory.count(EntityKind::kResource));
  // Every call reads its slot and pair, every acquisition its host, at random (huge_pages.hpp).
  advise_huge_pages(p.slots_.data(), p.slots_.capacity() * sizeof(Slot));
  advise_huge_pages(p.pairs_.data(), p.pairs_.capacity() * sizeof(AccessPair));
  advise_huge_pages(p.hosts_.data(), p.hosts_.capacity() * sizeof(Host));
  // Their pages faulted in on the other core while this one fills them (waited for at return).
  BackgroundPrefault prefault({{p.slots_.data(), p.slots_.capacity() * sizeof(Slot)},
                               {p.pairs_.data(), p.pairs_.capacity() * sizeof(AccessPair)}});
  // Resolve the workloads: profiles, audiences, selectors, and one slot per calling resource.
  for (std::size_t w = 0; w < config.calls.size(); ++w) {
    const CallWorkloadConfig& c = p.config_.calls[w];
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
                c.start,
                c.stop,
                c.rate_per_second > 0 ? 1e9 / c.rate_per_second : 0.0,
                c.poisson,
                c.shape.flat() ? nullptr : &c.shape,
                c.call_at_start,
                c.start_jitter,
                {},
                audience == target_type.audience};
    if (c.identity_per_caller) {
      wl.identity_template = c.identity + "-";
    } else if (!c.identity.empty()) {
      Result<IdentityId> id = directory.lookup_principal(c.identity);
      if (!id) return Error{where + id.error().message, {}};
      wl.selector = IdentitySelector::by_client_id(directory.identity(*id).client_id);
    }
    p.workloads_.push_back(wl);
    p.workload_targets_.push_back(*target);
    // The hosts first, then their slots with each pair's index entry prefetched a few callers
    // ahead: a fleet's millions of pairs are as many cache misses, which then overlap.
    std::vector<ResourceId> hosts;
    hosts.reserve(c.from.size());
    for (const std::string& from : c.from) {
      Result<ResourceId> host = directory.lookup_resource(from);
      if (host) {
        hosts.push_back(*host);
      } else {
        // Created later by the timeline (the scenario loader checked the name); bound then.
        p.pending_hosts_[from].push_back(static_cast<std::uint32_t>(w));
      }
    }
    constexpr std::size_t kPrefetchAhead = 16;
    for (std::size_t i = 0; i < hosts.size(); ++i) {
      if (i + kPrefetchAhead < hosts.size()) p.pair_index_.prefetch(pair_key(hosts[i + kPrefetchAhead], *target));
      p.add_slot(static_cast<std::uint32_t>(w), hosts[i], *target);
    }
  }
  p.resolve_host_requests();
  p.resources_seen_ = directory.count(EntityKind::kResource);
  // Host records are made at a host's first request, up to the highest calling host, which is
  // known now: those pages too, while the first calls are drawn.
  BackgroundPrefault host_prefault(
      {{p.hosts_.data(), std::min(p.hosts_.capacity(), p.calling_host_.size()) * sizeof(Host)}});
  for (std::uint32_t s = 0; s < p.slots_.size(); ++s) p.activate_slot(s, p.workloads_[p.slots_[s].workload].start);
  p.stats_.endpoint.hosts = std::max<std::size_t>(1, p.calling_hosts_);
  // The callers' names are slots (or pending_hosts_) now; a fleet's millions of them need not stay.
  for (CallWorkloadConfig& c : p.config_.calls) std::vector<std::string>().swap(c.from);
  return path;
}

TokenPath::TokenPath(Engine& engine, Directory& directory, const TokenPathConfig& config, std::uint64_t seed,
                     SimTime warmup, SimTime horizon, Recorder& recorder, std::uint64_t& next_request_id)
    : engine_(engine),
      directory_(directory),
      config_(config),
      seed_(seed),
      recorder_(recorder),
      next_request_id_(next_request_id),
      horizon_(horizon),
      endpoint_latency_(seed, 0, kPurposeEndpointLatency),
      propagation_(seed, 0, kPurposePropagation),
      faults_(seed, 0, kPurposeFaults),
      call_handler_(engine.add_handler(&TokenPath::posted_call, this, &TokenPath::warm_call, kCallTouches)) {
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
  fault_targets_.resize(config_.faults.size());
  for (std::uint32_t f = 0; f < config_.faults.size(); ++f) schedule_fault(f);
}

namespace {
/// "web-3", "web-0, web-1", "web-0 ... web-99 (100)".
std::string names_of(const std::vector<std::string>& names) {
  if (names.size() > 3) return names.front() + " ... " + names.back() + " (" + std::to_string(names.size()) + ")";
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}
}  // namespace

std::string describe(const FaultConfig& f) {
  const std::string where = f.region.empty() ? std::string(" in every region") : " in " + f.region;
  const std::string when = " from " + format_clock(f.start) + " to " + format_clock(f.end);
  const std::string endpoints = f.resources.empty() ? std::string("token endpoints (IMDS)")
                                                    : "token endpoints (IMDS) of " + names_of(f.resources);
  const std::string silent = f.timeouts ? " (no answers: clients time out)" : "";
  switch (f.kind) {
    case FaultConfig::Kind::kAadOutage:
      return "AAD outage" + where + when + silent;
    case FaultConfig::Kind::kAadDegradation: {
      char numbers[96];
      std::snprintf(numbers, sizeof numbers, " (latency x%g, %g%% errors)", f.latency_factor, 100.0 * f.error_rate);
      return "AAD degraded" + where + when + numbers;
    }
    case FaultConfig::Kind::kEndpointOutage:
      return endpoints + " down" + when + silent;
    case FaultConfig::Kind::kEndpointUpdate:
      return endpoints + " updating (" + std::to_string(f.status) + ")" + when;
    case FaultConfig::Kind::kMirpOutage:
      return "MIRP outage" + when + " (no certificates issued or rolled)";
    case FaultConfig::Kind::kCertificateRollFailure:
      return "certificate rolls of " + names_of(f.identities) + " failing" + when;
  }
  return "fault" + when;
}

void TokenPath::schedule_fault(std::uint32_t f) {
  const FaultConfig& fault = config_.faults[f];
  // Marks the window in traces: one event per station it hits.
  auto mark = [this, f](std::uint16_t station, std::uint16_t begins) {
    TraceEvent e;
    e.kind = EventKind::kFault;
    e.time = e.begin = engine_.now();
    e.count = f;
    e.status = begins;
    e.station = station;
    recorder_.emit(e);
  };
  if (fault.kind != FaultConfig::Kind::kAadOutage && fault.kind != FaultConfig::Kind::kAadDegradation) {
    // Endpoint, MIRP and certificate faults are marked at the endpoints, where their effects show.
    engine_.schedule_at(fault.start, [this, f, mark] {
      apply_fault(f, true);
      mark(kEndpointStation, 1);
    });
    engine_.schedule_at(fault.end, [this, f, mark] {
      apply_fault(f, false);
      mark(kEndpointStation, 0);
    });
    return;
  }
  for (std::size_t r = 0; r < aad_.size(); ++r) {
    if (!fault.region.empty() && fault.region != config_.aad.regions[r].name) continue;
    const bool outage = fault.kind == FaultConfig::Kind::kAadOutage;
    engine_.schedule_at(fault.start, [this, r, outage, &fault, mark] {
      Region& region = aad_[r];
      if (outage) {
        ++(fault.timeouts ? region.silent : region.outages);
      } else {
        region.latency_factor *= fault.latency_factor;
        region.error_rates.push_back(fault.error_rate);
      }
      mark(aad_station(r), 1);
    });
    engine_.schedule_at(fault.end, [this, r, outage, &fault, mark] {
      Region& region = aad_[r];
      if (outage) {
        --(fault.timeouts ? region.silent : region.outages);
      } else {
        region.latency_factor /= fault.latency_factor;
        auto it = std::find(region.error_rates.begin(), region.error_rates.end(), fault.error_rate);
        if (it != region.error_rates.end()) region.error_rates.erase(it);
        if (region.error_rates.empty()) region.latency_factor = 1.0;  // no drift from division
      }
      mark(aad_station(r), 0);
    });
  }
}

void TokenPath::apply_fault(std::uint32_t f, bool begins) {
  const FaultConfig& fault = config_.faults[f];
  const int step = begins ? 1 : -1;
  std::vector<std::uint32_t>& targets = fault_targets_[f];
  switch (fault.kind) {
    case FaultConfig::Kind::kEndpointOutage:
    case FaultConfig::Kind::kEndpointUpdate: {
      // The hosts named are those that exist when the fault begins (the timeline may create more).
      if (begins) {
        for (const std::string& name : fault.resources) {
          if (Result<ResourceId> host = directory_.lookup_resource(name)) targets.push_back(host->index());
        }
      }
      const auto bump = [&](EndpointFaults& e) {
        int& counter = fault.kind == FaultConfig::Kind::kEndpointUpdate
                           ? (fault.status == kNotFound ? e.updates_404 : e.updates)
                       : fault.timeouts ? e.silent
                                        : e.outages;
        counter += step;
        endpoint_faults_ += step;
      };
      if (fault.resources.empty()) bump(all_endpoints_);
      for (const std::uint32_t host : targets) bump(host_faults_[host]);
      return;
    }
    case FaultConfig::Kind::kMirpOutage:
      mirp_outages_ += step;
      if (mirp_outages_ == 0) {
        // MIRP is back: it issues the certificates of the identities created meanwhile.
        std::vector<IdentityId> waiting = std::move(awaiting_certificate_);
        awaiting_certificate_.clear();
        for (const IdentityId id : waiting) {
          if (directory_.identity(id).life.alive()) issue_certificate(id);
        }
      }
      return;
    case FaultConfig::Kind::kCertificateRollFailure:
      if (begins) {
        for (const std::string& name : fault.identities) {
          if (Result<IdentityId> id = directory_.lookup_principal(name)) targets.push_back(id->index());
        }
      }
      for (const std::uint32_t id : targets) roll_failing_[id] = static_cast<std::uint16_t>(roll_failing_[id] + step);
      return;
    case FaultConfig::Kind::kAadOutage:
    case FaultConfig::Kind::kAadDegradation:
      return;
  }
}

bool TokenPath::endpoint_fault_answers(std::uint32_t a, ResourceId host) {
  EndpointFaults e = all_endpoints_;
  if (auto it = host_faults_.find(host.index()); it != host_faults_.end()) {
    e.outages += it->second.outages;
    e.silent += it->second.silent;
    e.updates += it->second.updates;
    e.updates_404 += it->second.updates_404;
  }
  if (e.silent > 0) {
    hang(a);
  } else if (e.outages > 0) {
    client_receives(a, kServiceUnavailable, 0);
  } else if (e.updates > 0) {
    client_receives(a, kGone, 0);
  } else if (e.updates_404 > 0) {  // a 410 window overlapping it answers first
    client_receives(a, kNotFound, 0);
  } else {
    return false;
  }
  return true;
}

void TokenPath::hang(std::uint32_t a) {
  // Nothing will answer this attempt (an outage in `timeouts` mode), so the client gives up after
  // its request timeout and treats the attempt as failed with 408, retrying as its profile says
  // (a timeout counts as "updating": azure-facts.md:17). The endpoint's slot is freed then.
  const Acquisition& acq = acquisitions_[a];
  const ClientProfile& profile = *workloads_[slots_[acq.slot].workload].profile;
  const SimTime at = std::max(engine_.now(), acq.attempt_started + profile.request_timeout);
  if (at >= horizon_) return;  // still waiting when the run ends
  engine_.schedule_at(at, [this, a] { endpoint_answers(a, kRequestTimeout, 0); });
}

double TokenPath::error_rate(const Region& region) const {
  // Independent degradations: a request survives each one.
  double survive = 1.0;
  for (double e : region.error_rates) survive *= 1.0 - e;
  return 1.0 - survive;
}

void TokenPath::track_new_entities(bool before_run) {
  const SimTime now = engine_.now();
  // Identities: MIRP issues a certificate at creation (azure-facts.md:43) and the identity
  // replicates to the endpoints after a delay (azure-facts.md:56). Those that exist before the run
  // are replicated already, and their certificates are of every age up to the roll time, so rolls
  // spread over time rather than all falling on one day.
  const std::size_t identities = directory_.count(EntityKind::kIdentity);
  while (cert_expires_.size() < identities) {
    if (before_run) {
      RandomStream age(seed_, cert_expires_.size(), kPurposeCertificateAge);
      const SimTime issued = -to_time(age.uniform01() * static_cast<double>(config_.mirp.cert_roll_after));
      cert_expires_.push_back(issued + config_.mirp.cert_validity);
      replicated_at_.push_back(-1);
      roll_failing_.push_back(0);
      assignments_of_.emplace_back();
      rbac_changed_at_.push_back(0);
      schedule_certificate_roll(IdentityId(static_cast<std::uint32_t>(cert_expires_.size() - 1)));
    } else {
      // Without a certificate the identity is unknown at the endpoints ("Identity not found").
      const IdentityId id(static_cast<std::uint32_t>(cert_expires_.size()));
      cert_expires_.push_back(-1);
      replicated_at_.push_back(kForever);
      ++awaiting_replication_;
      roll_failing_.push_back(0);
      assignments_of_.emplace_back();
      rbac_changed_at_.push_back(0);
      if (mirp_outages_ > 0) {
        awaiting_certificate_.push_back(id);  // issued when MIRP is back
      } else {
        issue_certificate(id);
      }
    }
  }
  // Role assignments become visible to targets after the RBAC propagation delay (azure-facts.md:37)
  // and removed ones stop being visible after it; those that exist before the run are visible.
  const std::size_t assignments = directory_.count(EntityKind::kRoleAssignment);
  while (visible_from_.size() < assignments) {
    const auto id = static_cast<std::uint32_t>(visible_from_.size());
    const SimTime visible = before_run ? -1 : now + to_time(config_.propagation.rbac_delay.sample(propagation_));
    visible_from_.push_back(visible);
    visible_until_.push_back(kForever);
    ++rbac_epoch_;
    ++quiet_epoch_;
    const RoleAssignment& ra = directory_.role_assignment(RoleAssignmentId(id));
    assignments_of_[ra.principal.index()].push_back(id);
    rbac_changed_at_[ra.principal.index()] = rbac_epoch_;
    if (!before_run && visible < horizon_) {
      const IdentityId principal = ra.principal;
      engine_.schedule_at(visible,
                          [this, principal, id] { emit_lifecycle(EventKind::kRoleVisibility, 1, principal, id); });
    }
  }
  // A removal is found by scanning every assignment (the directory reports no events), but only
  // when the number of removed assignments has changed: most operations remove none.
  const std::size_t removed = assignments - directory_.live_count(EntityKind::kRoleAssignment);
  if (removed == removed_assignments_seen_) return;
  removed_assignments_seen_ = removed;
  for (std::size_t a = 0; a < visible_until_.size(); ++a) {
    const Lifetime& life = directory_.role_assignment(RoleAssignmentId(static_cast<std::uint32_t>(a))).life;
    if (!life.alive() && visible_until_[a] == kForever) {
      const SimTime hidden = life.deleted_at + to_time(config_.propagation.rbac_delay.sample(propagation_));
      visible_until_[a] = hidden;
      ++rbac_epoch_;
      ++quiet_epoch_;
      const IdentityId principal =
          directory_.role_assignment(RoleAssignmentId(static_cast<std::uint32_t>(a))).principal;
      rbac_changed_at_[principal.index()] = rbac_epoch_;
      if (hidden < horizon_) {
        const auto id = static_cast<std::uint32_t>(a);
        engine_.schedule_at(hidden,
                            [this, principal, id] { emit_lifecycle(EventKind::kRoleVisibility, 0, principal, id); });
      }
    }
  }
}

void TokenPath::on_directory_changed() {
  if (const std::uint64_t deletions = directory_.deletions(EntityKind::kResource);
      deletions != resource_deletions_seen_) {
    resource_deletions_seen_ = deletions;
    ++quiet_epoch_;  // a target may be gone
    for (std::size_t r = 0; r < host_alive_.size(); ++r) {
      host_alive_[r] = directory_.resource(ResourceId(static_cast<std::uint32_t>(r))).life.alive() ? 1 : 0;
    }
  }
  track_new_entities(/*before_run=*/false);
  bind_new_hosts();
  place_resources();
}

void TokenPath::emit_lifecycle(EventKind kind, std::uint16_t status, IdentityId identity, std::uint32_t entity) {
  TraceEvent e;
  e.kind = kind;
  e.time = e.begin = engine_.now();
  e.status = status;
  e.identity = identity.index();
  e.entity = entity;
  e.entity_kind = kind == EventKind::kRoleVisibility ? EntityKind::kRoleAssignment : EntityKind::kIdentity;
  recorder_.emit(e);
}

void TokenPath::issue_certificate(IdentityId id) {
  const SimTime now = engine_.now();
  cert_expires_[id.index()] = now + config_.mirp.cert_validity;
  const SimTime replicated = now + to_time(config_.propagation.identity_replication.sample(propagation_));
  if (replicated_at_[id.index()] == kForever) --awaiting_replication_;
  replicated_at_[id.index()] = replicated;
  replicated_by_ = std::max(replicated_by_, replicated);
  ++stats_.certificates_issued;
  emit_lifecycle(EventKind::kCertificate, 1, id, kNoEntity);
  if (replicated < horizon_) {
    engine_.schedule_at(replicated, [this, id] { emit_lifecycle(EventKind::kIdentityReplicated, 1, id, kNoEntity); });
  }
  schedule_certificate_roll(id);
}

void TokenPath::schedule_certificate_roll(IdentityId identity) {
  // MIRP rolls a certificate once it is cert_roll_after old (azure-facts.md:42); roll_certificate
  // renews it, or fails and retries during a fault.
  if (!config_.mirp.rolling) {
    // No rolls: the certificate simply expires (a fault to study; docs/model.md, "MIRP").
    const SimTime expires = cert_expires_[identity.index()];
    if (expires >= engine_.now() && expires < horizon_) {
      engine_.schedule_at(expires, [this, identity] {
        if (!directory_.identity(identity).life.alive()) return;
        ++stats_.certificates_expired;
        emit_lifecycle(EventKind::kCertificate, 0, identity, kNoEntity);
      });
    }
    return;
  }
  const SimTime issued = cert_expires_[identity.index()] - config_.mirp.cert_validity;
  SimTime roll = issued + config_.mirp.cert_roll_after;
  while (roll <= engine_.now()) roll += config_.mirp.cert_roll_after;
  if (roll >= horizon_) return;
  engine_.schedule_at(roll, [this, identity] { roll_certificate(identity); });
}

void TokenPath::roll_certificate(IdentityId identity) {
  if (!directory_.identity(identity).life.alive()) return;
  const SimTime now = engine_.now();
  if (mirp_outages_ > 0 || roll_failing_[identity.index()] > 0) {
    // The roll fails; MIRP tries again roll_retry_interval later (an assumption: docs/model.md,
    // "Certificates"). A certificate that expires meanwhile makes AAD refuse the identity's token
    // requests until a roll succeeds.
    ++stats_.certificate_roll_failures;
    emit_lifecycle(EventKind::kCertificate, 3, identity, identity.index());
    const SimTime expires = cert_expires_[identity.index()];
    const SimTime retry = now + config_.mirp.roll_retry_interval;
    if (expires > now && expires <= retry && expires < horizon_) {
      engine_.schedule_at(expires, [this, identity, expires] {
        if (cert_expires_[identity.index()] != expires || !directory_.identity(identity).life.alive()) return;
        ++stats_.certificates_expired;
        emit_lifecycle(EventKind::kCertificate, 0, identity, kNoEntity);
      });
    }
    if (retry < horizon_) engine_.schedule_at(retry, [this, identity] { roll_certificate(identity); });
    return;
  }
  ++stats_.certificate_rolls;
  cert_expires_[identity.index()] = now + config_.mirp.cert_validity;
  emit_lifecycle(EventKind::kCertificate, 2, identity, identity.index());
  schedule_certificate_roll(identity);
}

void TokenPath::describe_stations(std::vector<StationInfo>& stations) const {
  stations.push_back(
      StationInfo{"imds", "endpoint", static_cast<int>(stats_.endpoint.hosts) * config_.imds.max_concurrent});
  for (std::size_t r = 0; r < aad_.size(); ++r) {
    stations.push_back(StationInfo{aad_[r].station->name(), "aad", aad_[r].station->config().servers});
  }
}

void TokenPath::sample(SimTime interval, std::vector<double>& area) const {
  const SimTime now = engine_.now();
  const double total = area_until(stats_.endpoint.in_flight, now);
  const double used = total - area[kEndpointStation];
  area[kEndpointStation] = total;
  const double capacity = static_cast<double>(stats_.endpoint.hosts) * config_.imds.max_concurrent;
  recorder_.emit(sample_event(kEndpointStation, now, 0, static_cast<std::uint32_t>(stats_.endpoint.in_flight.current()),
                              used / (static_cast<double>(interval) * capacity)));
  for (std::size_t r = 0; r < aad_.size(); ++r) {
    emit_station_sample(recorder_, *aad_[r].station, aad_station(r), now, interval, area[aad_station(r)]);
  }
}

void TokenPath::emit_in_flight() const {
  for (const Slot& slot : slots_) {
    if (slot.acquisition == kNone) continue;
    const Acquisition& acq = acquisitions_[slot.acquisition];
    TraceEvent e;
    e.kind = EventKind::kTokenRequest;
    e.time = engine_.now();
    e.begin = acq.started;
    e.request = acq.request;
    e.resource = slot.host.index();
    e.identity = acq.identity.valid() ? acq.identity.index() : kNoEntity;
    e.target = slot.target.index();
    e.count = acq.retries;
    e.busy = slot.waiting;
    e.flags = static_cast<std::uint8_t>(kFlagInFlight | (acq.cache_hit && acq.holds_endpoint ? kFlagCacheHit : 0) |
                                        (acq.background ? kFlagBackground : 0));
    recorder_.emit(e);
  }
}

void TokenPath::emit_totals() const {
  const SimTime now = engine_.now();
  const EndpointStatistics& s = stats_.endpoint;
  TraceEvent e;
  e.kind = EventKind::kStationTotals;
  e.time = now;
  e.station = kEndpointStation;
  e.request = s.arrivals;
  e.service_start = static_cast<SimTime>(s.completed);
  e.begin = static_cast<SimTime>(s.rejected);
  e.value = s.in_flight.mean(now) / (static_cast<double>(s.hosts) * s.max_concurrent);
  recorder_.emit(e);
  for (std::size_t r = 0; r < aad_.size(); ++r) emit_station_totals(recorder_, *aad_[r].station, aad_station(r), now);
}

TokenPath::HostToken* TokenPath::inline_token(Host& h, IdentityId identity, std::uint32_t audience) {
  for (std::size_t i = 0; i < h.tokens; ++i) {
    if (h.token[i].identity == identity && h.token[i].audience == audience) return &h.token[i];
  }
  return nullptr;
}

const TokenPath::CachedToken* TokenPath::cached_token(ResourceId host_id, IdentityId identity, std::uint32_t audience) {
  Host& h = host(host_id);
  if (const HostToken* t = inline_token(h, identity, audience)) return &t->token;
  if (h.tokens < kHostTokens) return nullptr;
  const auto it = endpoint_cache_.find(endpoint_cache_key(host_id, identity, audience));
  return it == endpoint_cache_.end() ? nullptr : &it->second;
}

void TokenPath::cache_token(ResourceId host_id, IdentityId identity, std::uint32_t audience, CachedToken token) {
  Host& h = host(host_id);
  if (HostToken* t = inline_token(h, identity, audience)) {
    t->token = token;
    return;
  }
  if (h.tokens < kHostTokens) {
    h.token[h.tokens++] = HostToken{identity, audience, token};
  } else {
    endpoint_cache_[endpoint_cache_key(host_id, identity, audience)] = token;
  }
}

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
  // A resource a region names goes to that region (host_endpoint.cpp); the others are spread over
  // the regions by id.
  if (host.index() < other_hosts_.region.size() && other_hosts_.region[host.index()] != HostEndpointState::kUnplaced)
    return other_hosts_.region[host.index()];
  return host.index() % aad_.size();
}

std::uint32_t TokenPath::add_slot(std::uint32_t w, ResourceId host, ResourceId target) {
  const auto [pair, inserted] =
      pair_index_.find_or_add(pair_key(host, target), static_cast<std::uint32_t>(pairs_.size()));
  if (inserted) {
    pairs_.push_back(AccessPair{host, target});
  }
  const std::uint64_t stream_entity = (static_cast<std::uint64_t>(w) << 32) | host.index();
  Slot slot{w, host, pair, IdentityId{}, RandomStream(seed_, stream_entity, kPurposeCalls)};
  slot.endpoint = directory_.type_of(host).endpoint;
  slot.target = target;
  slot.named = named_identity(workloads_[w], host);
  answer_ahead(slot);
  slots_.push_back(slot);
  if (host.index() >= calling_host_.size()) calling_host_.resize(host.index() + 1, false);
  if (host.index() >= host_alive_.size()) host_alive_.resize(host.index() + 1, 0);
  host_alive_[host.index()] = directory_.resource(host).life.alive() ? 1 : 0;
  if (!calling_host_[host.index()]) {
    calling_host_[host.index()] = true;
    stats_.endpoint.hosts = ++calling_hosts_;
  }
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

IdentityId TokenPath::named_identity(const Workload& w, ResourceId host) const {
  // The instance of the template the host holds when it starts calling: `uami-17` for `uami`.
  if (w.identity_template.empty()) return {};
  for (const IdentityId id : directory_.user_assigned_of(host)) {
    const std::string_view name = directory_.name(id);
    if (name.size() > w.identity_template.size() && name.starts_with(w.identity_template) &&
        name.find_first_not_of("0123456789", w.identity_template.size()) == std::string_view::npos) {
      return id;
    }
  }
  return {};
}

void TokenPath::activate_slot(std::uint32_t s, SimTime at) {
  const Workload& w = workloads_[slots_[s].workload];
  if (w.mean_gap_ns <= 0.0 || at >= w.stop || at >= horizon_) return;
  if (w.call_at_start) {
    const SimTime first = at + to_time(slots_[s].arrivals.uniform01() * static_cast<double>(w.start_jitter));
    if (first < w.stop) engine_.post_at(first, call_handler_, s, &slots_[s]);
    return;
  }
  engine_.schedule_at(at, [this, s] { schedule_call(s); });
}

void TokenPath::bind_new_hosts() {
  const std::size_t resources = directory_.count(EntityKind::kResource);
  if (pending_hosts_.empty()) {
    resources_seen_ = resources;
    return;
  }
  const SimTime now = engine_.now();
  for (std::size_t r = resources_seen_; r < resources; ++r) {
    const ResourceId host(static_cast<std::uint32_t>(r));
    auto it = pending_hosts_.find(std::string(directory_.name(host)));
    if (it == pending_hosts_.end()) continue;
    for (const std::uint32_t w : it->second) {
      const std::uint32_t s = add_slot(w, host, workload_targets_[w]);
      activate_slot(s, std::max(now, workloads_[w].start));
    }
    pending_hosts_.erase(it);
  }
  resources_seen_ = resources;
}

void TokenPath::schedule_call(std::uint32_t s) {
  Slot& slot = slots_[s];
  const Workload& w = workloads_[slot.workload];
  const SimTime at =
      next_arrival(engine_.now(), w.mean_gap_ns, w.poisson, w.shape, std::min(w.stop, horizon_ + 1), slot.arrivals);
  if (at == kForever) return;
  // Posted, not scheduled: a call is never cancelled (a deleted host's next call just finds it
  // gone), and the engine's slot would be one more cache miss a call (Engine::post_at).
  engine_.post_at(at, call_handler_, s, &slot);
}

void TokenPath::posted_call(void* self, std::uint32_t slot) { static_cast<TokenPath*>(self)->on_call(slot); }

void TokenPath::warm_call(void* self, std::uint32_t slot) {
  // The engine prefetched the call's slot a few events ago; the access pair that record() updates
  // is another line among millions, found through the slot.
  const auto* path = static_cast<const TokenPath*>(self);
  const Slot& s = path->slots_[slot];
  __builtin_prefetch(&path->pairs_[s.pair], 1);
  // So is the host's liveness byte, which on_call reads first: a million bytes miss the L2 cache.
  __builtin_prefetch(&path->host_alive_[s.host.index()]);
  // A call off the quiet path reads the slot's second line (the engine fetched the first), and
  // most such calls refresh or fetch a token, asking the endpoint, which reads the host's record
  // (whether it will is on the second line, not here yet).
  if (path->quiet(s, path->engine_.now())) return;
  __builtin_prefetch(reinterpret_cast<const char*>(&s) + kCallTouches, 1);
  if (s.host.index() < path->hosts_.size()) {
    const Host* h = &path->hosts_[s.host.index()];
    __builtin_prefetch(h, 1);
    __builtin_prefetch(reinterpret_cast<const char*>(h) + 64, 1);
  }
}

void TokenPath::on_call(std::uint32_t s) {
  Slot& slot = slots_[s];
  // An application stops calling when its host is deleted.
  if (host_alive_[slot.host.index()] == 0) return;
  // record() updates the call's access pair at the end: among millions of pairs a cache miss.
  // warm_call() has usually loaded it already; a call the engine could not look ahead to (one
  // scheduled into the window being taken) starts loading it here, while the next call is drawn.
  __builtin_prefetch(&pairs_[slot.pair], 1);
  schedule_call(s);
  ++stats_.calls;
  const SimTime now = engine_.now();
  if (quiet(slot, now)) {
    // The quiet path: what the branch below would do, read from the slot's first line only.
    ++stats_.client_cache_hits;
    record(slot, slot.quiet_outcome, 1, /*from_cache=*/true);
    return;
  }
  const Workload& w = workloads_[slot.workload];
  if (w.profile->caches_tokens && now < slot.token_expires) {
    ++stats_.client_cache_hits;
    const AccessOutcome outcome = check_at_target(slot);
    record(slot, outcome, 1, /*from_cache=*/true);
    // Proactive refresh: the cached token is still used while a refresh runs in the background
    // (azure-facts.md:26, :27).
    if (now >= slot.refresh_at && slot.acquisition == kNone && now >= slot.next_refresh_try) {
      ++stats_.background_refreshes;
      start_acquisition(s, true);
    } else if (outcome == AccessOutcome::kGranted || outcome == AccessOutcome::kNoRoleAssignment) {
      // Until the token expires, its refresh is due or RBAC's answer can change, every call takes
      // this branch and gets this answer, unless quiet_epoch_ moves (an assignment's visibility
      // changed, or a resource was deleted) or a new token arrives (which resets quiet_until).
      slot.quiet_until = std::min({slot.token_expires, slot.refresh_at, slot.rbac_until});
      slot.quiet_epoch = quiet_epoch_;
      slot.quiet_outcome = outcome;
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
  acquisitions_[a] =
      Acquisition{slot, {}, engine_.now(), engine_.now(), 0, kNone, next_request_id_++, 0, background, false, false};
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

IdentityId TokenPath::endpoint_identity(const Slot& slot, const Workload& w, SimTime now) const {
  // Identity selection (azure-facts.md:19, :20, :51) and replication of new identities (:56).
  // A selection made at identity clock C is kept while the host's identities have not changed
  // since C (selection_epoch holds C + 1; 0 is never selected).
  const std::uint32_t clock = directory_.identity_clock();
  if (slot.selection_epoch != clock + 1) {
    if (slot.selection_epoch == 0 || directory_.identities_changed_at(slot.host) >= slot.selection_epoch) {
      select_identity(slot, w);
    } else {
      slot.selection_epoch = clock + 1;
    }
  }
  if (!slot.selected.valid()) return IdentityId{};
  const bool all_replicated = awaiting_replication_ == 0 && now >= replicated_by_;
  if (!all_replicated && replicated_at_[slot.selected.index()] > now) return IdentityId{};
  return slot.selected;
}

void TokenPath::select_identity(const Slot& slot, const Workload& w) const {
  // A per-caller identity is named by its client id; a caller that held none names an identity
  // that is not its own (an invalid ARM id), so the endpoint answers "Identity not found".
  const IdentitySelector selector = w.identity_template.empty() ? w.selector
                                    : slot.named.valid()
                                        ? IdentitySelector::by_client_id(directory_.identity(slot.named).client_id)
                                        : IdentitySelector::by_resource_id(IdentityId{});
  const IdentitySelection selection = directory_.select_identity(slot.host, selector);
  slot.selected = selection.ok() ? selection.identity : IdentityId{};
  slot.selection_epoch = directory_.identity_clock() + 1;
}

void TokenPath::answer_ahead(const Slot& slot) const {
  // What the slot's first acquisition and first presented token would work out (endpoint_identity,
  // check_at_target), with the same epochs, so they keep or redo it exactly as if they had: the
  // answers are the same, only found while add_slot has the host's identities in the cache rather
  // than at a first call among millions, a chain of cache misses each.
  const Workload& w = workloads_[slot.workload];
  select_identity(slot, w);
  if (!slot.selected.valid()) return;
  slot.rbac_granted = rbac_permits_until(slot.selected, slot.target, w, slot.rbac_until);
  slot.rbac_identity = slot.selected;
  slot.rbac_epoch = rbac_epoch_;
}

void TokenPath::send_to_endpoint(std::uint32_t a) {
  Acquisition& acq = acquisitions_[a];
  Slot& slot = slots_[acq.slot];
  const Workload& w = workloads_[slot.workload];
  const SimTime now = engine_.now();
  acq.attempt_started = now;
  acq.attempt = next_attempt_;
  next_attempt_ = next_attempt_ == kAttemptMask ? 1 : next_attempt_ + 1;
  acq.cache_hit = false;
  ++stats_.requests;
  ++stats_.endpoint.arrivals;
  // A fault of the endpoints themselves: they answer at once, before any limit or lookup.
  if (endpoint_faults_ > 0 && endpoint_fault_answers(a, slot.host)) return;
  // App Service, Arc and AKS hosts follow their own endpoint's rules (host_endpoint.cpp).
  if (const TokenEndpoint kind = slot.endpoint; is_other_host(kind)) {
    send_to_other_host(a, kind);
    return;
  }
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
  if (w.profile->probe_first && send_probe(a, latency)) return;  // .NET's first request (host_endpoint.cpp)
  const IdentityId identity = endpoint_identity(slot, w, now);
  if (!identity.valid()) {
    after_endpoint(a, latency, kBadRequest);
    return;
  }
  acq.identity = identity;
  if (config_.imds.caches_tokens) {
    const CachedToken* cached = cached_token(slot.host, acq.identity, w.audience);
    if (cached != nullptr && cached->expires - now > config_.imds.cache_margin) {
      ++stats_.endpoint_cache_hits;
      acq.cache_hit = true;
      after_endpoint(a, latency, kOk);
      return;
    }
  }
  after_endpoint(a, latency, 0);
}

SimTime TokenPath::request_timeout(std::uint32_t a) const {
  return workloads_[slots_[acquisitions_[a].slot].workload].profile->request_timeout;
}

void TokenPath::after_endpoint(std::uint32_t a, SimTime latency, int status, SimTime timeout) {
  // The client waits for an answer at most its request timeout, then counts 408 and follows its
  // profile (a timeout is "updating": azure-facts.md:17), as the .NET probe does with its own
  // timeout (send_probe). An answer due later is never seen, and an endpoint that slow does not
  // reach AAD (docs/model.md, "Client timeouts").
  if (timeout < 0) timeout = request_timeout(a);
  if (latency > timeout) {
    engine_.schedule_after(timeout, [this, a] { endpoint_answers(a, kRequestTimeout, 0); });
  } else if (status == 0) {
    engine_.schedule_after(latency, [this, a] { forward_to_aad(a); });
  } else {
    engine_.schedule_after(latency, [this, a, status] { endpoint_answers(a, status, 0); });
  }
}

void TokenPath::arm_request_timeout(std::uint32_t a) {
  // AAD's answer comes when its station has served the request, which a queue or a degradation
  // can make later than the client waits; the client then gives up at its timeout.
  const Acquisition& acq = acquisitions_[a];
  const SimTime deadline = acq.attempt_started + request_timeout(a);
  if (deadline >= horizon_) return;  // still waiting when the run ends
  engine_.schedule_at(deadline, [this, a, attempt = acq.attempt] { request_timed_out(a, attempt); });
}

void TokenPath::request_timed_out(std::uint32_t a, std::uint32_t attempt) {
  Acquisition& acq = acquisitions_[a];
  if (acq.attempt != attempt) return;  // AAD answered in time
  // AAD will still answer this attempt; late_answer() lets the endpoint cache the token then.
  late_attempts_.emplace(attempt, LateAttempt{acq.slot, acq.identity, acq.request});
  acq.attempt = 0;
  endpoint_answers(a, kRequestTimeout, 0);
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
  if (region.silent > 0) {  // an outage that answers nothing: the client times out
    hang(a);
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
  if (!region.error_rates.empty() && faults_.uniform01() < error_rate(region)) {
    endpoint_answers(a, kInternalServerError, 0);
    return;
  }
  const Acquisition& acq = acquisitions_[a];
  if (region.station->arrive_scaled(a | (static_cast<std::uint64_t>(acq.attempt) << 32), region.latency_factor)) {
    arm_request_timeout(a);
  } else {
    TraceEvent e;
    e.kind = EventKind::kRejected;
    e.time = e.begin = e.service_start = now;
    e.request = acquisitions_[a].request;
    e.resource = slot.host.index();
    e.station = aad_station(region_of(slot.host));
    recorder_.emit(e);
    endpoint_answers(a, kServiceUnavailable, 0);
  }
}

bool TokenPath::arrive_at_aad(std::uint64_t tag) {
  return aad_.front().station->arrive_scaled(tag | kRawCustomer, aad_.front().latency_factor);
}

namespace {
TraceEvent visit_event(const StationVisit& visit, std::uint64_t request, std::uint16_t station) {
  TraceEvent e;
  e.kind = EventKind::kStationVisit;
  e.time = visit.departure;
  e.begin = visit.arrival;
  e.service_start = visit.service_start;
  e.request = request;
  e.station = station;
  return e;
}
}  // namespace

void TokenPath::on_aad_done(const StationVisit& visit) {
  // A customer of a plain stage workload (`stage: aad`), not a token request: nothing to answer.
  if ((visit.tag & kRawCustomer) != 0) {
    ++raw_completed_;
    TraceEvent e = visit_event(visit, visit.tag & ~kRawCustomer, aad_station(0));
    e.flags = kFlagCustomer;
    recorder_.emit(e);
    return;
  }
  const auto a = static_cast<std::uint32_t>(visit.tag);
  Acquisition& acq = acquisitions_[a];
  if (const auto attempt = static_cast<std::uint32_t>(visit.tag >> 32); acq.attempt != attempt) {
    late_answer(visit, attempt);  // the client gave up waiting (request_timed_out)
    return;
  }
  acq.attempt = 0;  // answered: its request timeout no longer applies
  const Slot& slot = slots_[acq.slot];
  const SimTime now = engine_.now();
  {
    TraceEvent e = visit_event(visit, acq.request, aad_station(region_of(slot.host)));
    e.resource = slot.host.index();
    e.identity = acq.identity.index();
    recorder_.emit(e);
  }
  if (!directory_.identity(acq.identity).life.alive()) {
    endpoint_answers(a, kBadRequest, 0);  // the identity was deleted while the request was in flight
    return;
  }
  if (const int refused = refuse_exchange(a); refused != 0) {  // AKS: the federated credential (host_endpoint.cpp)
    endpoint_answers(a, refused, 0);
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
  if (aad_[region_of(slot.host)].silent > 0) {  // ... or one that answers nothing
    hang(a);
    return;
  }
  ++stats_.tokens_issued;
  cache_token(slot.host, acq.identity, workloads_[slot.workload].audience,
              CachedToken{now, now + config_.aad.token_lifetime});
  endpoint_answers(a, kOk, 0);
}

void TokenPath::late_answer(const StationVisit& visit, std::uint32_t attempt) {
  const auto it = late_attempts_.find(attempt);
  if (it == late_attempts_.end()) return;
  const LateAttempt late = it->second;
  late_attempts_.erase(it);
  const Slot& slot = slots_[late.slot];
  const std::size_t r = region_of(slot.host);
  TraceEvent e = visit_event(visit, late.request, aad_station(r));
  e.resource = slot.host.index();
  e.identity = late.identity.index();
  recorder_.emit(e);
  // The client has gone, but the endpoint finishes its own work (IMDS asked AAD for itself, and
  // caches what it gets, azure-facts.md:36): the next request finds the token there. AKS has no
  // endpoint to keep it.
  if (slot.endpoint == TokenEndpoint::kWorkloadIdentity) return;
  if (!directory_.identity(late.identity).life.alive() || !certificate_valid(late.identity)) return;
  if (aad_[r].outages > 0 || aad_[r].silent > 0) return;
  const SimTime now = engine_.now();
  ++stats_.tokens_issued;
  cache_token(slot.host, late.identity, workloads_[slot.workload].audience,
              CachedToken{now, now + config_.aad.token_lifetime});
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
  TraceEvent e;
  e.kind = EventKind::kAttempt;
  e.time = now;
  e.begin = acq.attempt_started;
  e.request = acq.request;
  e.resource = slot.host.index();
  e.identity = acq.identity.valid() ? acq.identity.index() : kNoEntity;
  e.target = slot.target.index();
  e.status = static_cast<std::uint16_t>(status);
  e.count = acq.retries;
  e.station = kEndpointStation;
  e.flags = static_cast<std::uint8_t>((acq.cache_hit ? kFlagCacheHit : 0) | (acq.background ? kFlagBackground : 0));
  recorder_.emit(e);
  // The acquisition's own record, when it ends here: with a token, or given up.
  auto finish = [&](std::uint16_t final_status) {
    TraceEvent r = e;
    r.kind = EventKind::kTokenRequest;
    r.begin = acq.started;
    r.status = final_status;
    r.flags = acq.background ? kFlagBackground : 0;
    recorder_.emit(r);
  };
  if (status == kOk) {
    finish(static_cast<std::uint16_t>(status));
    const CachedToken& token = *cached_token(slot.host, acq.identity, workloads_[slot.workload].audience);
    slot.token_identity = acq.identity;
    slot.token_expires = token.expires;
    slot.quiet_until = -1;  // the quiet path is set again by the next call's full path
    slot.refresh_at = profile.refresh_at(now, token.expires);
    stats_.acquisition_latency.record(static_cast<double>(now - acq.started));
    slot.acquisition = kNone;
    free_acquisition(a);
    const std::uint32_t waiting = std::exchange(slot.waiting, 0);
    if (waiting > 0) present(slot, waiting, /*from_cache=*/false);
    return;
  }
  // A probe's or Arc challenge's answer leads to the real request (host_endpoint.cpp).
  if (preflight_answered(a, status)) return;
  if (std::optional<SimTime> delay = profile.retry_delay(status, acq.retries - preflights(a))) {
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
  finish(static_cast<std::uint16_t>(status));
  stats_.acquisition_latency.record(static_cast<double>(now - acq.started));
  slot.acquisition = kNone;
  slot.next_refresh_try = now + profile.min_refresh_interval;
  free_acquisition(a);
  const std::uint32_t waiting = std::exchange(slot.waiting, 0);
  if (waiting == 0) return;
  if (profile.caches_tokens && now < slot.token_expires) {
    present(slot, waiting, /*from_cache=*/true);
  } else {
    record(slot, AccessOutcome::kNoToken, waiting, /*from_cache=*/false);
  }
}

void TokenPath::present(Slot& slot, std::uint32_t calls, bool from_cache) {
  record(slot, check_at_target(slot), calls, from_cache);
}

AccessOutcome TokenPath::check_at_target(const Slot& slot) const {
  const SimTime now = engine_.now();
  if (!directory_.resource(slot.target).life.alive()) return AccessOutcome::kTargetGone;
  // A token stays valid until it expires, even after its identity is deleted (azure-facts.md:49).
  if (now >= slot.token_expires) return AccessOutcome::kTokenExpired;
  const Workload& w = workloads_[slot.workload];
  if (!w.audience_accepted) return AccessOutcome::kWrongAudience;
  if (slot.rbac_epoch != rbac_epoch_ || slot.rbac_identity != slot.token_identity || now >= slot.rbac_until) {
    // Only other principals' assignments changed since the answer: it still holds.
    const bool still_holds = slot.rbac_identity == slot.token_identity && now < slot.rbac_until &&
                             rbac_changed_at_[slot.token_identity.index()] <= slot.rbac_epoch;
    if (!still_holds) {
      slot.rbac_granted = rbac_permits_until(slot.token_identity, slot.target, w, slot.rbac_until);
      slot.rbac_identity = slot.token_identity;
    }
    slot.rbac_epoch = rbac_epoch_;
  }
  return slot.rbac_granted ? AccessOutcome::kGranted : AccessOutcome::kNoRoleAssignment;
}

bool TokenPath::rbac_permits_until(IdentityId principal, ResourceId target, const Workload& w, SimTime& until) const {
  // The assignments the target sees now: made at least a propagation delay ago, and not removed
  // more than one ago (azure-facts.md:37). An orphaned assignment still names the principal's
  // object id, so tokens issued before the deletion keep working (azure-facts.md:49). The answer
  // holds until a matching assignment's visibility next begins or ends.
  const SimTime now = engine_.now();
  const Resource& t = directory_.resource(target);
  const ResourceGroupId group = t.group;
  const SubscriptionId subscription = directory_.resource_group(group).subscription;
  const TenantId tenant = directory_.subscription(subscription).tenant;
  bool granted = false;
  until = kForever;
  for (const std::uint32_t a : assignments_of_[principal.index()]) {
    const RoleAssignment& ra = directory_.role_assignment(RoleAssignmentId(a));
    const EntityRef scope = ra.scope;
    const bool contains = scope == EntityRef(target) || scope == EntityRef(group) || scope == EntityRef(subscription) ||
                          scope == EntityRef(tenant) || (t.parent.valid() && scope == EntityRef(t.parent));
    if (!contains || !role_permits(w, ra.role)) continue;
    if (now < visible_from_[a]) {
      until = std::min(until, visible_from_[a]);
    } else if (now < visible_until_[a]) {
      granted = true;
      until = std::min(until, visible_until_[a]);
    }
  }
  return granted;
}

bool TokenPath::role_permits(const Workload& w, RoleDefinitionId role) const {
  if (role.index() >= w.role_permits.size()) w.role_permits.resize(directory_.roles().size(), -1);
  std::int8_t& known = w.role_permits[role.index()];
  if (known < 0) known = directory_.roles().role(role).permits_data_action(w.data_action) ? 1 : 0;
  return known == 1;
}

bool TokenPath::certificate_valid(IdentityId identity) const {
  // Each successful roll moves the expiry on (roll_certificate); a certificate whose rolls fail, or
  // that MIRP no longer rolls (MirpConfig::rolling), expires 90 days after it was issued.
  return engine_.now() < cert_expires_[identity.index()];
}

void TokenPath::record(Slot& slot, AccessOutcome outcome, std::uint32_t calls, bool from_cache) {
  AccessPair& p = pairs_[slot.pair];
  const SimTime now = engine_.now();
  const bool changed = (p.granted == 0 && p.denied == 0) || p.last_outcome != outcome;  // calls >= 1
  p.last_outcome = outcome;
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
  TraceEvent e;
  e.kind = EventKind::kCall;
  e.time = e.begin = now;
  e.resource = p.resource.index();  // the pair's host and target are the slot's: its line is here
  e.target = p.target.index();
  e.identity = slot.token_identity.valid() ? slot.token_identity.index() : kNoEntity;
  e.status = static_cast<std::uint16_t>(outcome);
  e.count = calls;
  e.flags = from_cache ? kFlagCacheHit : 0;
  recorder_.emit(e);
  if (changed) {
    e.kind = EventKind::kAccessChange;
    e.count = 0;
    e.flags = 0;
    recorder_.emit(e);
  }
}

}  // namespace misim
