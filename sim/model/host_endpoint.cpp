// The token endpoints other than IMDS, the Azure.Identity (.NET) probe and resources' AAD regions:
// TokenPath's members that token_path.cpp calls at its hooks. Sources: docs/model.md ("Other
// hosts' token endpoints").
#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "token_path.hpp"

namespace misim {

namespace {

constexpr std::uint64_t kPurposeHostEndpoint = purpose("host_endpoint.latency");
constexpr std::uint64_t kPurposeCredentialReplication = purpose("propagation.federated_credential");
constexpr SimTime kNotDrawn = -1;

constexpr int kBadRequest = 400;
constexpr int kUnauthorized = 401;
constexpr int kRequestTimeout = 408;
constexpr int kTooManyRequests = 429;
constexpr int kOk = 200;

SimTime to_time(double ns) { return ns > 0.0 ? round_ns(ns) : 0; }

}  // namespace

void TokenPath::resolve_host_requests() {
  other_hosts_.latency = RandomStream(seed_, 0, kPurposeHostEndpoint);
  other_hosts_.requests.resize(workloads_.size());
  for (std::size_t w = 0; w < workloads_.size(); ++w) {
    const CallWorkloadConfig& c = config_.calls[w];
    HostRequest& r = other_hosts_.requests[w];
    r.issuer = c.service_account_issuer;
    r.subject = c.service_account_subject;
    if (c.identity.empty()) continue;
    r.selectors = static_cast<std::uint8_t>(std::clamp<std::size_t>(c.select_by.size(), 1, 255));
    // IMDS reads the first selector the request names (azure-facts.md:13); create() made it a
    // client_id one. A per-caller template always names its instance by client_id.
    if (c.select_by.empty() || c.identity_per_caller) continue;
    const Result<IdentityId> id = directory_.lookup_principal(c.identity);
    if (!id) continue;  // create() has reported it
    if (c.select_by.front() == SelectorKind::kObjectId) {
      workloads_[w].selector = IdentitySelector::by_object_id(directory_.identity(*id).object_id);
    } else if (c.select_by.front() == SelectorKind::kResourceId) {
      workloads_[w].selector = IdentitySelector::by_resource_id(*id);
    }
  }
  // The federated credentials that exist before the run have replicated (as identities have).
  for (std::uint32_t i = 0; i < directory_.count(EntityKind::kIdentity); ++i) {
    for (const FederatedCredentialId c : directory_.federated_credentials_of(IdentityId(i)))
      other_hosts_.credentials_before_run = std::max(other_hosts_.credentials_before_run, c.index() + 1);
  }
  for (std::size_t r = 0; r < config_.aad.regions.size(); ++r) {
    for (const std::string& name : config_.aad.regions[r].resources)
      other_hosts_.region_by_name[name] = static_cast<std::uint16_t>(r);
  }
  place_resources();
}

void TokenPath::place_resources() {
  if (other_hosts_.region_by_name.empty()) return;
  const std::size_t resources = directory_.count(EntityKind::kResource);
  other_hosts_.region.resize(resources, HostEndpointState::kUnplaced);
  for (std::size_t r = other_hosts_.resources_placed; r < resources; ++r) {
    const auto it =
        other_hosts_.region_by_name.find(std::string(directory_.name(ResourceId(static_cast<std::uint32_t>(r)))));
    if (it != other_hosts_.region_by_name.end()) other_hosts_.region[r] = it->second;
  }
  other_hosts_.resources_placed = resources;
}

namespace {

/// The preflight record of acquisition `a` whose request id is `request`, reset if it belonged to
/// an earlier acquisition in the same pool slot.
Preflight& preflight_of(std::vector<Preflight>& preflight, std::uint32_t a, std::uint64_t request) {
  if (a >= preflight.size()) preflight.resize(a + 1);
  Preflight& pf = preflight[a];
  if (pf.request != request + 1) pf = Preflight{request + 1, 0, 0, false};
  return pf;
}

}  // namespace

void TokenPath::send_to_other_host(std::uint32_t a, TokenEndpoint kind) {
  Acquisition& acq = acquisitions_[a];
  const Slot& slot = slots_[acq.slot];
  const Workload& w = workloads_[slot.workload];
  const HostRequest& request = other_hosts_.requests[slot.workload];
  const SimTime now = engine_.now();
  const bool aks = kind == TokenEndpoint::kWorkloadIdentity;
  const HostEndpointConfig& cfg =
      kind == TokenEndpoint::kAppService ? config_.hosts.app_service : config_.hosts.arc_himds.endpoint;
  // The host's limits (none by default: none is documented). AKS has no endpoint, hence no limits.
  const bool fresh = slot.host.index() >= hosts_.size() || !hosts_[slot.host.index()].initialised;
  Host& h = host(slot.host);
  if (!aks) {
    const double rate = cfg.rate_limit_per_second;
    if (fresh) h.bucket = rate;
    if (rate > 0.0) {
      h.bucket = std::min(rate, h.bucket + rate * to_seconds(now - h.bucket_time));
      h.bucket_time = now;
    }
    if ((rate > 0.0 && h.bucket < 1.0) || (cfg.max_concurrent > 0 && h.in_flight >= cfg.max_concurrent)) {
      ++stats_.endpoint.rejected;
      client_receives(a, kTooManyRequests, 0);
      return;
    }
    if (rate > 0.0) h.bucket -= 1.0;
  }
  // The attempt holds its host until answered, as at IMDS, so the endpoint stage's statistics read
  // alike for every host (for AKS: the SDK's own step and the exchange at AAD).
  ++h.in_flight;
  acq.holds_endpoint = true;
  stats_.endpoint.in_flight.add(now, 1.0);
  const SimTime latency =
      to_time((aks ? config_.hosts.workload_identity.latency : cfg.latency).sample(other_hosts_.latency));
  const auto refuse = [&](std::string_view reason) {
    count_refusal(reason);
    after_endpoint(a, latency, kBadRequest);
  };
  if (kind == TokenEndpoint::kArcHimds) {
    // HIMDS answers a request without the key with 401 and a challenge naming the key file; the
    // client reads it and sends the request again with it (azure-facts.md:62). Every new request
    // (a retry too) starts without the key.
    Preflight& pf = preflight_of(other_hosts_.preflight, a, acq.request);
    if (!pf.keyed) {
      pf.pending = HostEndpointState::kChallenge;
      after_endpoint(a, latency, kUnauthorized);
      return;
    }
    pf.keyed = false;
    // System-assigned only (azure-facts.md:62): a request naming an identity is refused.
    if (request.selectors > 0) return refuse(refusal::kArcUserAssigned);
  } else if (kind == TokenEndpoint::kAppService) {
    // client_id, principal_id/object_id and mi_res_id are mutually exclusive; none means the
    // system-assigned identity (azure-facts.md:61), never the only user-assigned one as at IMDS.
    if (request.selectors > 1) return refuse(refusal::kSelectorsExclusive);
    if (request.selectors == 0 && !directory_.resource(slot.host).system_identity.valid())
      return refuse(refusal::kNoSystemAssigned);
  }
  const IdentityId identity = endpoint_identity(slot, w, now);  // as at IMDS: selection, then replication
  if (!identity.valid()) {
    after_endpoint(a, latency, kBadRequest);
    return;
  }
  acq.identity = identity;
  if (!aks && cfg.caches_tokens) {
    const CachedToken* cached = cached_token(slot.host, acq.identity, w.audience);
    if (cached != nullptr && cached->expires - now > cfg.cache_margin) {
      ++stats_.endpoint_cache_hits;
      acq.cache_hit = true;
      after_endpoint(a, latency, kOk);
      return;
    }
  }
  after_endpoint(a, latency, 0);  // 0: on to AAD
}

bool TokenPath::send_probe(std::uint32_t a, SimTime latency) {
  // Azure.Identity (.NET) 1.11 first sends a request without the Metadata header, with a 1 s
  // timeout, to learn whether IMDS is there (azure-facts.md:29); IMDS answers 400 for the missing
  // header (azure-facts.md:18). Once per client (credential instance, azure-facts.md:30).
  const Acquisition& acq = acquisitions_[a];
  if (acq.slot < other_hosts_.probed.size() && other_hosts_.probed[acq.slot]) return false;
  preflight_of(other_hosts_.preflight, a, acq.request).pending = HostEndpointState::kProbe;
  // Its own short timeout: an answer due later is a 408 at the timeout (after_endpoint).
  after_endpoint(a, latency, kBadRequest, workloads_[slots_[acq.slot].workload].profile->probe_timeout);
  return true;
}

bool TokenPath::preflight_answered(std::uint32_t a, int status) {
  Acquisition& acq = acquisitions_[a];
  if (a >= other_hosts_.preflight.size()) return false;
  Preflight& pf = other_hosts_.preflight[a];
  if (pf.request != acq.request + 1 || pf.pending == 0) return false;
  const std::uint8_t kind = std::exchange(pf.pending, 0);
  SimTime wait = 0;
  if (kind == HostEndpointState::kProbe) {
    // No answer in time: the probe failed, and the profile's rules for a timeout apply.
    if (status == kRequestTimeout) {
      count_refusal(refusal::kProbeTimeout);
      return false;
    }
    if (acq.slot >= other_hosts_.probed.size()) other_hosts_.probed.resize(slots_.size(), false);
    other_hosts_.probed[acq.slot] = true;
  } else {
    if (status != kUnauthorized) return false;
    pf.keyed = true;
    wait = to_time(config_.hosts.arc_himds.key_read.sample(other_hosts_.latency));
  }
  // The real request follows: an attempt of its own in traces, not one of the profile's retries.
  ++pf.answered;
  ++acq.retries;
  ++stats_.retries;
  engine_.schedule_after(wait, [this, a] { send_to_endpoint(a); });
  return true;
}

std::uint32_t TokenPath::preflights(std::uint32_t a) const {
  if (a >= other_hosts_.preflight.size()) return 0;
  const Preflight& pf = other_hosts_.preflight[a];
  return pf.request == acquisitions_[a].request + 1 ? pf.answered : 0;
}

int TokenPath::refuse_exchange(std::uint32_t a) {
  const Acquisition& acq = acquisitions_[a];
  const Slot& slot = slots_[acq.slot];
  if (slot.endpoint != TokenEndpoint::kWorkloadIdentity) return 0;
  // The projected service-account token: renewed by the kubelet, else expired a lifetime after
  // the pod started (azure-facts.md:65).
  const WorkloadIdentityConfig& wi = config_.hosts.workload_identity;
  if (!wi.kubelet_refresh &&
      engine_.now() >= directory_.resource(slot.host).life.created_at + wi.service_account_token_lifetime) {
    count_refusal(refusal::kAssertionExpired);
    return kBadRequest;
  }
  // A federated credential of the identity must trust the token's issuer and subject, for the
  // token-exchange audience the pod's token carries (azure-facts.md:65).
  const HostRequest& request = other_hosts_.requests[slot.workload];
  const std::optional<FederatedCredentialId> credential =
      directory_.find_federated_credential(acq.identity, request.issuer, request.subject);
  if (!credential || directory_.federated_credential(*credential).spec.audience != kTokenExchangeAudience) {
    count_refusal(refusal::kNoFederatedCredential);
    return kBadRequest;
  }
  // A credential added during the run matches only once it has replicated: until then AAD answers
  // as if there were none (AADSTS70021, azure-facts.md:56).
  if (engine_.now() < credential_replicated_at(*credential)) {
    count_refusal(refusal::kFederatedCredentialReplicating);
    return kBadRequest;
  }
  return 0;
}

SimTime TokenPath::credential_replicated_at(FederatedCredentialId credential) {
  const std::uint32_t c = credential.index();
  if (c < other_hosts_.credentials_before_run) return -1;
  std::vector<SimTime>& at = other_hosts_.credential_replicated_at;
  if (c >= at.size()) at.resize(c + 1, kNotDrawn);
  if (at[c] == kNotDrawn) {
    // A stream of its own per credential: the draw does not depend on when it is first needed.
    RandomStream stream(seed_, c, kPurposeCredentialReplication);
    at[c] = directory_.federated_credential(credential).life.created_at +
            to_time(config_.hosts.workload_identity.federated_credential_replication.sample(stream));
  }
  return at[c];
}

void TokenPath::count_refusal(std::string_view reason) { ++stats_.refused[reason]; }

}  // namespace misim
