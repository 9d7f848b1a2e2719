// TokenPath: the simulated path of a managed-identity token, from an application's call through
// its client SDK, the host's token endpoint (IMDS) and Entra ID (AAD) back to the target that
// checks the token and RBAC. Private to sim/model: the Simulation owns one and exposes its results.
//
// State is kept in dense vectors indexed by small ids (slots, hosts, identities, assignments), and
// in-flight acquisitions in a free-listed pool, so a call or a request allocates nothing once the
// run is warm. The flow, with the sources of its rules, is described in docs/model.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "host_endpoint.hpp"
#include "misim/dense_index.hpp"
#include "misim/directory.hpp"
#include "misim/engine.hpp"
#include "misim/identity_selection.hpp"
#include "misim/random.hpp"
#include "misim/station.hpp"
#include "misim/token_path_config.hpp"
#include "misim/token_path_results.hpp"
#include "misim/trace_event.hpp"

namespace misim {

/// The key of an endpoint's token cache (IMDS's and the other hosts' alike: the token path stores
/// tokens there when AAD answers, the endpoints look them up). 28 bits of host, 28 of identity,
/// 8 of audience: ample for a fleet (268M entities, 256 audiences).
inline std::uint64_t endpoint_cache_key(ResourceId host, IdentityId identity, std::uint32_t audience) {
  return (static_cast<std::uint64_t>(host.index()) << 36) ^ (static_cast<std::uint64_t>(identity.index()) << 8) ^
         audience;
}

class TokenPath {
 public:
  /// Resolves the calls' names against the directory; an unknown name is an Error.
  static Result<std::unique_ptr<TokenPath>> create(Engine& engine, Directory& directory, const TokenPathConfig& config,
                                                   std::uint64_t seed, SimTime warmup, SimTime horizon,
                                                   Recorder& recorder, std::uint64_t& next_request_id);
  TokenPath(const TokenPath&) = delete;
  TokenPath& operator=(const TokenPath&) = delete;

  /// Call after every change to the directory (a timeline operation): starts RBAC propagation of
  /// new and removed role assignments, and MIRP certificates and replication of new identities.
  void on_directory_changed();

  /// A customer of a plain stage workload (`stage: aad`) arrives at the first AAD region's station
  /// (queueing-theory validation). Returns false when it is turned away.
  bool arrive_at_aad(std::uint64_t tag);

  [[nodiscard]] const TokenPathStatistics& statistics() const noexcept { return stats_; }
  [[nodiscard]] const std::vector<AccessPair>& access_pairs() const noexcept { return pairs_; }
  [[nodiscard]] std::size_t aad_region_count() const noexcept { return aad_.size(); }
  [[nodiscard]] const Station& aad_region(std::size_t i) const { return *aad_[i].station; }
  [[nodiscard]] const TokenPathConfig& config() const noexcept { return config_; }
  /// Customers of plain stage workloads that AAD has served.
  [[nodiscard]] std::uint64_t raw_completed() const noexcept { return raw_completed_; }
  [[nodiscard]] const std::vector<std::string>& audiences() const noexcept { return audiences_; }

  /// Station numbers in RunInfo::stations: the endpoints (aggregated) first, then AAD's regions.
  static constexpr std::uint16_t kEndpointStation = 0;
  static constexpr std::uint16_t aad_station(std::size_t region) { return static_cast<std::uint16_t>(1 + region); }
  /// Appends the token path's stations (endpoint, AAD regions) to `stations`.
  void describe_stations(std::vector<StationInfo>& stations) const;
  /// Emits a kSample per station of the token path; `area` holds each one's busy-time integral at
  /// the last sample (updated).
  void sample(SimTime interval, std::vector<double>& area) const;
  /// Emits kStationTotals per station of the token path.
  void emit_totals() const;
  /// Emits a kTokenRequest with kFlagInFlight per acquisition not finished yet.
  void emit_in_flight() const;

 private:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  /// What the engine prefetches of a call's slot (Engine::add_handler): its first line.
  static constexpr std::size_t kCallTouches = 64;
  static constexpr std::uint64_t kRawCustomer = 1ULL << 63;
  static constexpr std::uint32_t kAttemptMask = 0x7fffffff;  // attempt numbers: 31 bits of AAD's tag

  /// One calling resource of one call workload: its SDK's token cache and in-flight acquisition.
  /// Two cache lines. The first holds what a call reads when its token is cached, no refresh is due
  /// and the target's answer is known (the quiet path, most calls of a fleet): the engine
  /// prefetches that line only, and warm_call the second when the call will need it.
  struct alignas(64) Slot {
    // ---- first line: the quiet path (on_call, schedule_call, record) ----
    std::uint32_t workload;
    ResourceId host;
    std::uint32_t pair;
    IdentityId token_identity;
    RandomStream arrivals;
    // Until quiet_until, while quiet_epoch equals the token path's quiet_epoch_, a call presents its
    // cached token and the target answers quiet_outcome: exactly what the full path would find
    // (it is set by that path; see on_call), without reading the second line.
    SimTime quiet_until = -1;
    std::uint32_t quiet_epoch = 0;
    AccessOutcome quiet_outcome = AccessOutcome::kGranted;
    // The host's kind of endpoint: its type never changes, and the directory's type record of a
    // host among a million is two dependent cache misses a request.
    TokenEndpoint endpoint = TokenEndpoint::kNone;
    mutable bool rbac_granted = false;  // (RBAC's answer: below)
    // ---- second line ----
    ResourceId target{};
    std::uint32_t acquisition = kNone;
    std::uint32_t waiting = 0;   // calls waiting for the acquisition
    IdentityId named{};          // the identity its requests name, for a per-caller identity template
    SimTime token_expires = -1;  // < now: no usable token
    SimTime refresh_at = kForever;
    SimTime next_refresh_try = 0;
    // RBAC's answer for token_identity at target, while rbac_epoch_ is unchanged and until
    // rbac_until (the next time an assignment that matters becomes visible or stops being visible):
    // most calls present a cached token again and again to the same target.
    mutable SimTime rbac_until = -1;
    mutable IdentityId rbac_identity{};
    mutable std::uint32_t rbac_epoch = 0;
    // The endpoint's identity selection for this caller, made at the directory's identity clock
    // selection_epoch - 1 (0: not yet), kept while the host's identities are unchanged: it walks
    // the host's identities in the directory, several cache misses at a million hosts.
    mutable IdentityId selected{};
    mutable std::uint32_t selection_epoch = 0;
  };
  static_assert(sizeof(Slot) == 2 * kCallTouches, "a slot is two lines, the quiet path's first");
  static_assert(offsetof(Slot, target) == kCallTouches, "the quiet path's fields fill the first line");
  /// A call of `slot` at `now` takes the quiet path (on_call; warm_call asks it to fetch no more).
  [[nodiscard]] bool quiet(const Slot& slot, SimTime now) const noexcept {
    return now < slot.quiet_until && slot.quiet_epoch == quiet_epoch_;
  }
  struct Workload {
    const ClientProfile* profile;
    IdentitySelector selector;
    std::uint32_t audience;  // index into audiences_
    std::string data_action;
    SimTime start;
    SimTime stop;
    double mean_gap_ns;
    bool poisson;
    const RateShape* shape;  // null when flat
    bool call_at_start;
    SimTime start_jitter;
    /// Not empty: each caller names the instance of this identity template that it holds.
    std::string identity_template;
    /// The target accepts tokens of this audience: the workload's target (its type) never changes,
    /// so it is decided once, not at every call.
    bool audience_accepted;
    /// By role: whether it permits data_action (-1: not asked yet). Matching the role's wildcards
    /// costs about a thousand instructions, and a fleet asks for the same few roles millions of times.
    mutable std::vector<std::int8_t> role_permits{};
  };
  struct CachedToken {
    SimTime issued;
    SimTime expires;
  };
  // The endpoint's token cache of one host, for its first few (identity, audience) pairs, kept in
  // the host's record that the rate limit reads anyway: one cache miss per request at a million
  // hosts, where a hash map's node was two or three. Further pairs go to endpoint_cache_.
  struct HostToken {
    IdentityId identity;
    std::uint32_t audience = 0;
    CachedToken token{};
  };
  static constexpr std::size_t kHostTokens = 4;
  struct alignas(64) Host {
    double bucket = 0.0;
    SimTime bucket_time = 0;
    int in_flight = 0;
    bool initialised = false;
    std::uint8_t tokens = 0;  // in use in `token`
    std::array<HostToken, kHostTokens> token;
  };
  struct Acquisition {
    std::uint32_t slot;
    IdentityId identity;
    SimTime started;
    SimTime attempt_started;
    std::uint32_t retries;
    std::uint32_t next_free;
    std::uint64_t request;  // its id in traces
    std::uint32_t attempt;  // the attempt in progress (next_attempt_), 0 once answered or given up
    bool background;
    bool holds_endpoint;  // counted in its host's in_flight
    bool cache_hit;       // this attempt was answered from the endpoint's cache
  };
  struct Region {
    std::unique_ptr<Station> station;
    double bucket = 0.0;
    SimTime bucket_time = 0;
    int outages = 0;                  // overlapping outage windows in force
    int silent = 0;                   // outage windows answering nothing (clients time out)
    double latency_factor = 1.0;      // product of the degradations in force
    std::vector<double> error_rates;  // of the degradations in force
  };

  TokenPath(Engine& engine, Directory& directory, const TokenPathConfig& config, std::uint64_t seed, SimTime warmup,
            SimTime horizon, Recorder& recorder, std::uint64_t& next_request_id);

  void on_call(std::uint32_t slot);
  /// The engine's handler of posted calls (Engine::post_at), and its warm hook.
  static void posted_call(void* self, std::uint32_t slot);
  static void warm_call(void* self, std::uint32_t slot);
  void schedule_call(std::uint32_t slot);
  /// Adds a slot for `host` calling in workload `w`, with its pair; returns its index.
  std::uint32_t add_slot(std::uint32_t w, ResourceId host, ResourceId target);
  /// pair_index_'s key of a (host, target) pair.
  [[nodiscard]] static std::uint64_t pair_key(ResourceId host, ResourceId target) noexcept {
    return (static_cast<std::uint64_t>(host.index()) << 32) | target.index();
  }
  /// The identity `host`'s requests name in workload `w` (a per-caller template), else none.
  [[nodiscard]] IdentityId named_identity(const Workload& w, ResourceId host) const;
  /// The slot starts calling at `at` (its workload's start, or its host's creation).
  void activate_slot(std::uint32_t slot, SimTime at);
  /// Binds the calling resources named in `from` that the timeline has created since the last call.
  void bind_new_hosts();
  void start_acquisition(std::uint32_t slot, bool background);
  void send_to_endpoint(std::uint32_t acquisition);
  void forward_to_aad(std::uint32_t acquisition);
  void on_aad_done(const StationVisit& visit);
  void endpoint_answers(std::uint32_t acquisition, int status, SimTime retry_after);
  void client_receives(std::uint32_t acquisition, int status, SimTime retry_after);
  void present(Slot& slot, std::uint32_t calls, bool from_cache);
  void record(Slot& slot, AccessOutcome outcome, std::uint32_t calls, bool from_cache);
  void schedule_certificate_roll(IdentityId identity);
  void schedule_fault(std::uint32_t index);
  /// A fault of the endpoints, MIRP or certificate rolls begins or ends.
  void apply_fault(std::uint32_t index, bool begins);
  /// Answers an attempt as a fault of `host`'s endpoint does; false when none is in force there.
  bool endpoint_fault_answers(std::uint32_t acquisition, ResourceId host);
  /// The attempt gets no answer: its client gives up after its request timeout (408).
  void hang(std::uint32_t acquisition);
  /// The endpoint answers `status` after `latency`, or forwards to AAD with status 0; when that is
  /// later than the client's `timeout` (-1: its profile's request timeout), the client gives up at
  /// the timeout instead (408). The .NET probe passes its own timeout.
  void after_endpoint(std::uint32_t acquisition, SimTime latency, int status, SimTime timeout = -1);
  /// The attempt has entered AAD's station: the client gives up at its request timeout unless
  /// AAD has answered by then (request_timed_out).
  void arm_request_timeout(std::uint32_t acquisition);
  void request_timed_out(std::uint32_t acquisition, std::uint32_t attempt);
  /// AAD answers an attempt whose client has given up: the endpoint still caches the token.
  void late_answer(const StationVisit& visit, std::uint32_t attempt);
  [[nodiscard]] SimTime request_timeout(std::uint32_t acquisition) const;
  /// MIRP issues a new identity's certificate (at creation, or when a MIRP outage ends).
  void issue_certificate(IdentityId identity);
  /// MIRP's scheduled roll: it fails while MIRP is down or the identity's rolls fail, and is retried.
  void roll_certificate(IdentityId identity);
  /// The share of requests a degraded region fails now.
  [[nodiscard]] double error_rate(const Region& region) const;
  void emit_lifecycle(EventKind kind, std::uint16_t status, IdentityId identity, std::uint32_t entity);
  [[nodiscard]] AccessOutcome check_at_target(const Slot& slot) const;
  /// Whether one of the principal's assignments that the target sees now grants the workload's data
  /// action there, and the first time after now at which the answer can change (kForever: never,
  /// unless an assignment is added or removed).
  [[nodiscard]] bool rbac_permits_until(IdentityId principal, ResourceId target, const Workload& workload,
                                        SimTime& until) const;
  /// Whether the role permits the workload's data action (Workload::role_permits).
  [[nodiscard]] bool role_permits(const Workload& workload, RoleDefinitionId role) const;
  [[nodiscard]] bool certificate_valid(IdentityId identity) const;
  [[nodiscard]] std::size_t region_of(ResourceId host) const;
  std::uint32_t new_acquisition(std::uint32_t slot, bool background);
  void free_acquisition(std::uint32_t acquisition);
  Host& host(ResourceId id);
  /// The host's inline cache entry for (identity, audience), or null.
  static HostToken* inline_token(Host& h, IdentityId identity, std::uint32_t audience);
  /// The endpoint's cached token for (host, identity, audience), or null.
  const CachedToken* cached_token(ResourceId host, IdentityId identity, std::uint32_t audience);
  void cache_token(ResourceId host, IdentityId identity, std::uint32_t audience, CachedToken token);
  /// Extends the per-identity and per-assignment state to entities created since the last call.
  void track_new_entities(bool before_run);

  /// The identity a token endpoint serves this caller (selection, then replication), or an
  /// invalid id when it answers 400 "Identity not found". Shared by IMDS and the other hosts.
  [[nodiscard]] IdentityId endpoint_identity(const Slot& slot, const Workload& workload, SimTime now) const;
  /// Makes the endpoint's identity selection for the slot now (Slot::selected).
  void select_identity(const Slot& slot, const Workload& workload) const;
  /// Answers a new slot's first acquisition's questions while its host's records are in the cache:
  /// the identity selection and, for the selected identity, RBAC's answer at the target.
  void answer_ahead(const Slot& slot) const;

  // ---- other hosts' token endpoints, the .NET probe, AAD regions (host_endpoint.cpp) ----
  /// Reads the workloads' selectors, service accounts and the regions' resources (in create()).
  void resolve_host_requests();
  /// Records the AAD region of resources created since the last call.
  void place_resources();
  /// An attempt at an App Service, Arc or AKS host, after the endpoint faults' check.
  void send_to_other_host(std::uint32_t acquisition, TokenEndpoint kind);
  /// The .NET client's first request on this slot is a probe: sends it; false when already probed.
  bool send_probe(std::uint32_t acquisition, SimTime latency);
  /// A probe's or challenge's answer: sends the real request and returns true; else false.
  bool preflight_answered(std::uint32_t acquisition, int status);
  /// Round trips of the acquisition that were probes or challenges (not the profile's retries).
  [[nodiscard]] std::uint32_t preflights(std::uint32_t acquisition) const;
  /// AAD's refusal of an AKS exchange (no matching federated credential, expired token); 0: none.
  int refuse_exchange(std::uint32_t acquisition);
  /// When a federated credential matches exchanges at AAD (-1: before the run).
  SimTime credential_replicated_at(FederatedCredentialId credential);
  void count_refusal(std::string_view reason);

  Engine& engine_;
  Directory& directory_;
  TokenPathConfig config_;
  std::uint64_t seed_;
  Recorder& recorder_;
  std::uint64_t& next_request_id_;
  SimTime horizon_;  // the run's end: nothing is scheduled beyond it

  std::vector<ClientProfile> profiles_;  // built-in and custom, by name in workloads
  std::vector<std::string> audiences_;
  std::vector<Workload> workloads_;
  std::vector<ResourceId> workload_targets_;
  std::vector<Slot> slots_;
  // Calling resources that do not exist yet (the timeline creates them), by name: their workloads.
  std::unordered_map<std::string, std::vector<std::uint32_t>> pending_hosts_;
  std::size_t resources_seen_ = 0;
  std::size_t removed_assignments_seen_ = 0;
  /// Changes whenever rbac_epoch_ does and when resources are deleted (a target may be gone): the
  /// slots' quiet paths are checked again by the full one.
  std::uint32_t quiet_epoch_ = 1;
  /// Changes whenever an assignment's visibility window is set: slots' RBAC answers may be stale.
  std::uint32_t rbac_epoch_ = 1;
  /// By principal (identity index): rbac_epoch_ when one of its assignments last changed. An answer
  /// found at epoch E still holds at a later epoch if its principal's changed no later than E: a
  /// deletion at 06:00 then re-checks the handful of slots of the principals it touched, not every
  /// slot of the fleet.
  std::vector<std::uint32_t> rbac_changed_at_;
  std::vector<bool> calling_host_;  // by resource index: has a slot
  // By resource index, for calling hosts: alive. A copy of the directory's liveness in one byte a
  // host, refreshed when a resource is deleted: every call checks it, and the directory's record
  // of a host among a million is a cache miss, these bytes mostly not.
  std::vector<std::uint8_t> host_alive_;
  std::uint64_t resource_deletions_seen_ = 0;
  std::size_t calling_hosts_ = 0;
  DenseIndex pair_index_;    // (host << 32 | target) -> pair
  std::vector<Host> hosts_;  // by resource index
  std::vector<Acquisition> acquisitions_;
  std::uint32_t free_acquisition_ = kNone;
  // Attempts are numbered (31 bits, never 0) so that AAD's answer to an attempt whose client gave
  // up is told from the acquisition's later attempts: AAD's station carries the number in its tag.
  std::uint32_t next_attempt_ = 1;
  struct LateAttempt {
    std::uint32_t slot;
    IdentityId identity;
    std::uint64_t request;
  };
  std::unordered_map<std::uint32_t, LateAttempt> late_attempts_;  // at AAD, the client gone: by attempt
  std::vector<Region> aad_;
  std::unordered_map<std::uint64_t, CachedToken> endpoint_cache_;  // (host, identity, audience) beyond Host::token
  RandomStream endpoint_latency_;
  RandomStream propagation_;

  // Per identity: when its certificate expires and when it is replicated to the endpoints.
  std::vector<SimTime> cert_expires_;
  std::vector<SimTime> replicated_at_;
  // Every identity with a certificate has replicated by replicated_by_ (the latest replicated_at_),
  // and awaiting_replication_ identities wait for one (replicated_at_ kForever). When none waits
  // and replicated_by_ is past, as in most of a run, no request need read replicated_at_: one
  // cache miss a request at a million identities (endpoint_identity).
  SimTime replicated_by_ = -1;
  std::size_t awaiting_replication_ = 0;
  // Per role assignment: the window in which targets see it; per principal: its assignments.
  std::vector<SimTime> visible_from_;
  std::vector<SimTime> visible_until_;
  std::vector<std::vector<std::uint32_t>> assignments_of_;

  // Endpoint fault windows in force: for every host, and per host (by resource index) for those
  // naming hosts; endpoint_faults_ counts them all, so a request checks one integer.
  struct EndpointFaults {
    int outages = 0;
    int silent = 0;       // answering nothing
    int updates = 0;      // answering 410
    int updates_404 = 0;  // answering 404
  };
  EndpointFaults all_endpoints_;
  std::unordered_map<std::uint32_t, EndpointFaults> host_faults_;
  int endpoint_faults_ = 0;
  std::vector<std::vector<std::uint32_t>> fault_targets_;  // per fault: hosts or identities, at its start
  int mirp_outages_ = 0;
  std::vector<std::uint16_t> roll_failing_;       // per identity: roll-failure windows in force
  std::vector<IdentityId> awaiting_certificate_;  // created while MIRP was down
  HostEndpointState other_hosts_;
  RandomStream faults_;         // draws of degraded AAD's errors
  std::uint32_t call_handler_;  // the engine's handler of posted calls: on_call(slot)

  std::vector<AccessPair> pairs_;
  TokenPathStatistics stats_;
  std::uint64_t raw_completed_ = 0;
};

}  // namespace misim
