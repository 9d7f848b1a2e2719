// The parameters of the token path: the host's token endpoint (IMDS), Entra ID (AAD) regions,
// MIRP's certificates, identity replication and RBAC propagation, and the application calls that
// drive them. Every default cites its source (azure-facts.md line; docs/model.md); every one is
// settable from a scenario's `services:` section.
#pragma once

#include <string>
#include <vector>

#include "misim/arm_config.hpp"
#include "misim/client_profile.hpp"
#include "misim/distribution.hpp"
#include "misim/host_endpoint_config.hpp"
#include "misim/identity_selection.hpp"
#include "misim/rate_shape.hpp"
#include "misim/time.hpp"

namespace misim {

/// IMDS on each VM or scale-set instance.
struct ImdsConfig {
  /// The identity category's rate limit per VM (azure-facts.md:16), enforced as a token bucket
  /// holding at most one second's worth of requests.
  double rate_limit_per_second = 20.0;
  /// Concurrent identity requests per VM (azure-facts.md:16); beyond either limit: 429.
  int max_concurrent = 5;
  /// IMDS's own time per request (a modelling assumption: design.md's sketch, median 2 ms, p99 15 ms).
  Distribution latency = *Distribution::lognormal_median_p99(2e6, 15e6);
  /// IMDS caches tokens and calls AAD only on a miss or expiry (azure-facts.md:36).
  bool caches_tokens = true;
  /// A cached token is served while it has more than this left (assumption: MSAL's 5-minute
  /// expiry buffer), else IMDS asks AAD for a new one.
  SimTime cache_margin = 5 * kMinute;
};

/// One regional Entra ID token service.
struct AadRegionConfig {
  std::string name = "default";
  /// Parallel token-issuing capacity: no public figure exists (azure-facts.md:73), so a parameter.
  int servers = 64;
  std::int64_t queue_capacity = -1;
  /// Issuance latency (design.md's sketch: median 40 ms, p99 300 ms).
  Distribution latency = *Distribution::lognormal_median_p99(40e6, 300e6);
  /// Requests per second above which the region answers 429 with Retry-After; 0: no throttling.
  double throttle_rate_per_second = 0.0;
  /// The resources located in this region (names, templates expanded): their token requests go
  /// to this region. Resources no region names are spread over the regions by id.
  std::vector<std::string> resources;
};

struct AadConfig {
  std::vector<AadRegionConfig> regions = {AadRegionConfig{}};
  /// Managed-identity tokens live about 24 h (azure-facts.md:34).
  SimTime token_lifetime = 24 * kHour;
  /// Throttled requests get 429 with Retry-After: 60 (azure-facts.md:71).
  SimTime retry_after = 60 * kSecond;
};

/// The Managed Identity Resource Provider's certificates.
struct MirpConfig {
  /// Valid 90 days, rolled after 45 (azure-facts.md:42).
  SimTime cert_validity = 90 * kDay;
  SimTime cert_roll_after = 45 * kDay;
  /// A failed roll is tried again after this long (assumption).
  SimTime roll_retry_interval = kHour;
  /// False: MIRP stops rolling (a fault to study): every certificate expires at the end of its
  /// validity, and Entra ID refuses the identity's token requests from then on.
  bool rolling = true;
};

/// How long changes take to be seen.
struct PropagationConfig {
  /// Role-assignment changes take effect at targets after up to 10 minutes (azure-facts.md:37).
  Distribution rbac_delay = *Distribution::uniform(0.0, 10.0 * 60e9);
  /// A new identity is "not found" at the token endpoint for seconds to minutes (azure-facts.md:56).
  Distribution identity_replication = *Distribution::uniform(5e9, 60e9);
};

/// Application calls from resources to a target, each needing a token for the target's audience.
struct CallWorkloadConfig {
  std::string name;
  /// The calling resources (names; templates already expanded).
  std::vector<std::string> from;
  std::string target;
  /// Empty: the target type's audience.
  std::string audience;
  /// Empty: the target type's usual read action.
  std::string data_action;
  /// Empty: the request names no identity; else the user-assigned identity to ask for, by name.
  std::string identity;
  /// `identity` names a template of user-assigned identities: each caller names the instance of
  /// it that it holds (as each VM's application is configured with its own identity's client id).
  bool identity_per_caller = false;
  /// How the request names `identity`: one selector (client_id by default), or several, which
  /// App Service refuses as mutually exclusive (azure-facts.md:61). docs/model.md.
  std::vector<SelectorKind> select_by;
  /// AKS workload identity: the issuer and subject of the pod's service-account token, which a
  /// federated credential of the identity must match (azure-facts.md:65).
  std::string service_account_issuer;
  std::string service_account_subject;
  std::string client = "msal";
  /// Calls per second per calling resource.
  double rate_per_second = 1.0 / 600.0;
  bool poisson = true;
  SimTime start = 0;
  SimTime stop = kForever;
  /// A daily profile and bursts; flat by default.
  RateShape shape;
  /// Each calling resource makes one call as soon as it starts calling (at `start`, or when the
  /// timeline creates it), as applications fetch a token on start-up; the rate follows.
  bool call_at_start = false;
  /// That first call comes after a delay drawn uniformly from [0, start_jitter].
  SimTime start_jitter = 0;
};

/// A fault the timeline injects, in force from `start` until `end` (docs/model.md, "Faults").
struct FaultConfig {
  enum class Kind {
    kAadOutage,               // AAD answers 503, or nothing at all with `timeouts` (design.md, "Faults")
    kAadDegradation,          // AAD is slower (latency_factor) and fails a share of requests (error_rate)
    kEndpointOutage,          // the hosts' token endpoints answer 503, or nothing with `timeouts`
    kEndpointUpdate,          // the endpoints answer 410 or 404 "updating" (azure-facts.md:17)
    kMirpOutage,              // MIRP issues and rolls no certificate (rolls fail and are retried)
    kCertificateRollFailure,  // MIRP's rolls of these identities' certificates fail (and are retried)
  } kind = Kind::kAadOutage;
  /// The AAD region affected; empty: every region (AAD faults only).
  std::string region;
  /// Endpoint faults: the hosts affected (resource names, templates expanded); empty: every host.
  std::vector<std::string> resources;
  /// kCertificateRollFailure: the identities (names; a resource's name means its system-assigned one).
  std::vector<std::string> identities;
  SimTime start = 0;
  SimTime end = 0;
  /// Outages: the service does not answer at all, so clients wait until their request timeout
  /// (ClientProfile::request_timeout), instead of getting 503 at once.
  bool timeouts = false;
  /// kAadDegradation: service times multiplied by this, and this share of requests answered 500.
  double latency_factor = 1.0;
  double error_rate = 0.0;
  /// kEndpointUpdate: the status the updating endpoints answer, 410 ("back within at most 70 s")
  /// or 404 ("retry with exponential backoff"), both azure-facts.md:17.
  int status = 410;
};

/// "AAD outage in every region from 12:00:00.000 to 12:30:00.000", ...
[[nodiscard]] std::string describe(const FaultConfig& fault);

struct TokenPathConfig {
  ImdsConfig imds;
  /// App Service, Arc (HIMDS) and AKS workload identity (host_endpoint_config.hpp).
  HostEndpointsConfig hosts;
  AadConfig aad;
  MirpConfig mirp;
  PropagationConfig propagation;
  std::vector<ClientProfile> custom_profiles;
  std::vector<CallWorkloadConfig> calls;
  std::vector<FaultConfig> faults;
  /// ARM between the timeline's operations and their effect, and its outages (arm_config.hpp).
  ArmConfig arm;
};

}  // namespace misim
